package dev.jitaccess.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The neutral request and response types, the strict form parser and the builder, without HTTP. */
class HttpRequestAndBuilderTest {
  private static final String FORM = "application/x-www-form-urlencoded";
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture();

  // ---------------------------------------------------------------- form parsing

  @Test
  void aFormIsDecodedStrictly() {
    HttpRequest r = HttpRequest.fromForm(
        "scope=read+write&resource=https%3A%2F%2Fdb.example.org%2F%C3%A9&empty=&flag&&resource=x", FORM, Map.of());
    assertThat(r.form()).containsOnlyKeys("scope", "resource");
    assertThat(r.form().get("scope")).containsExactly("read write");
    assertThat(r.form().get("resource")).containsExactly("https://db.example.org/\u00e9", "x");
    assertThatThrownBy(() -> r.form().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=%", "a=%4", "a=%zz", "a=%C3%28", "a=%FF", "a=caf\u00e9", "a=b c", "a=\u0001", "=value"})
  void aMalformedFormIsAnInvalidRequestNamingNoValue(String body) {
    HttpResponse response = f.exchange.exchange(HttpRequest.fromForm(body, FORM, Map.of()));
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains("\"invalid_request\"");
    assertThat(HttpRequest.fromForm(body, FORM, Map.of()).form()).isEmpty();
    assertThat(HttpRequest.fromForm(body, FORM, Map.of()).toString()).contains("malformed");
  }

  @Test
  void tooManyParametersOrAnOverlongNameAreRefused() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 65; i++) {
      many.append("p").append(i).append("=v&");
    }
    assertThat(f.exchange.exchange(HttpRequest.fromForm(many.toString(), FORM, Map.of())).body())
        .contains("more than 64 parameters");
    assertThat(f.exchange.exchange(HttpRequest.fromForm("n".repeat(129) + "=v", FORM, Map.of())).body())
        .contains("overlong name");
  }

  @Test
  void aFormOverTheHardLimitIsNotParsed() {
    String body = "a=" + "x".repeat(HttpRequest.MAX_FORM_BYTES);
    HttpRequest r = HttpRequest.fromForm(body, FORM, Map.of());
    assertThat(r.form()).isEmpty();
    assertThat(f.exchange.exchange(r).body()).contains("larger than");
  }

  @Test
  void theEndpointLimitAppliesToDecodedParametersToo() {
    TokenExchange small = TokenExchange.builder(f.broker).maxFormBytes(1024).build();
    HttpRequest r = HttpRequest.builder("POST").contentType(FORM)
        .formParameter("scope", "r".repeat(2000)).build();
    assertThat(small.exchange(r).body()).contains("larger than 1024 bytes");
  }

  @Test
  void decodedParametersFromAFrameworkWork() {
    HttpRequest r = HttpRequest.builder("POST")
        .header("Content-Type", FORM)
        .formParameter("grant_type", TokenExchange.GRANT_TYPE)
        .formParameter("subject_token", f.identity(ExchangeFixture.DEPLOYER))
        .formParameter("subject_token_type", TokenExchange.JWT_TYPE)
        .formParameter("scope", "read")
        .formParameter("audience", "orders-api")
        .formParameter("task_id", "task-fw")
        .formParameter("ignored_extension", "")
        .build();
    HttpResponse response = f.exchange.exchange(r);
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers()).containsEntry("Cache-Control", "no-store").containsEntry("Pragma", "no-cache");
    assertThat(response.toString()).doesNotContain("access_token").contains("chars");
  }

  @Test
  void aRequestWithoutContentTypeIs415() {
    HttpResponse r = f.exchange.exchange(HttpRequest.fromForm("a=b", null, Map.of()));
    assertThat(r.status()).isEqualTo(415);
  }

  @Test
  void twoDpopHeadersAreRefused() {
    HttpRequest r = HttpRequest.fromForm(
        "grant_type=" + TokenExchange.GRANT_TYPE + "&subject_token=x&subject_token_type=" + TokenExchange.JWT_TYPE
            + "&scope=read&audience=a&task_id=t", FORM, Map.of("DPoP", List.of("a.b.c", "d.e.f")));
    assertThat(f.exchange.exchange(r).body()).contains("invalid_dpop_proof").contains("at most one DPoP header");
  }

  @Test
  void withoutATokenEndpointDpopProofsAreRefused() {
    TokenExchange noEndpoint = TokenExchange.builder(f.broker).clock(f.clock).defaultPurpose("p").defaultEnvironment("e").build();
    HttpRequest r = HttpRequest.fromForm(
        "grant_type=" + TokenExchange.GRANT_TYPE + "&subject_token=x&subject_token_type=" + TokenExchange.JWT_TYPE
            + "&scope=read&audience=a&task_id=t", FORM,
        Map.of("DPoP", List.of(new OAuthClient(f).tokenEndpointProof(ExchangeFixture.newKey("k")).serialize())));
    assertThat(noEndpoint.exchange(r).body()).contains("invalid_dpop_proof").contains("not enabled");
  }

  @Test
  void withoutDefaultsPurposeAndEnvironmentAreRequired() {
    TokenExchange bare = TokenExchange.builder(f.broker).clock(f.clock).build();
    String base = "grant_type=" + TokenExchange.GRANT_TYPE + "&subject_token=" + f.identity(ExchangeFixture.DEPLOYER)
        + "&subject_token_type=" + TokenExchange.JWT_TYPE + "&scope=read&audience=a&task_id=t";
    assertThat(bare.exchange(HttpRequest.fromForm(base, FORM, Map.of())).body()).contains("purpose is required");
    assertThat(bare.exchange(HttpRequest.fromForm(base + "&purpose=p", FORM, Map.of())).body())
        .contains("environment is required");
    assertThat(bare.exchange(HttpRequest.fromForm(base + "&purpose=p&environment=e", FORM, Map.of())).status())
        .isEqualTo(200);
  }

  @Test
  void configuredTokenTypesReplaceTheDefaults() {
    TokenExchange custom = TokenExchange.builder(f.broker).clock(f.clock).defaultPurpose("p").defaultEnvironment("e")
        .subjectTokenType("urn:example:svid", Credential.TokenType.JWT_SVID).build();
    assertThat(custom.subjectTokenTypes()).containsOnlyKeys("urn:example:svid");
    String form = "grant_type=" + TokenExchange.GRANT_TYPE + "&subject_token=" + f.identity(ExchangeFixture.DEPLOYER)
        + "&scope=read&audience=a&task_id=t&subject_token_type=";
    assertThat(custom.exchange(HttpRequest.fromForm(form + "urn:example:svid", FORM, Map.of())).status())
        .isEqualTo(200);
    assertThat(custom.exchange(HttpRequest.fromForm(form + TokenExchange.JWT_TYPE, FORM, Map.of())).body())
        .contains("is not supported");
    assertThat(f.exchange.subjectTokenTypes()).containsOnlyKeys(TokenExchange.JWT_TYPE, TokenExchange.ID_TOKEN_TYPE);
  }

  @Test
  void anIdentityVerifierThatThrowsIsADenialWithoutInternals() {
    GrantBroker failing = GrantBroker.builder().issuer(ExchangeFixture.ISSUER)
        .identityVerifier(new dev.jitaccess.spi.IdentityVerifier() {
          @Override
          public boolean supports(Credential credential) {
            return true;
          }

          @Override
          public dev.jitaccess.spi.IdentityResult verify(Credential credential) {
            throw new IllegalStateException("secret internal detail");
          }
        })
        .policy(ExchangeFixture.allowSome()).clock(f.clock).scheduler(f.clock)
        .auditSink(dev.jitaccess.spi.AuditSink.discardEveryRecord()).build();
    try (failing) {
      TokenExchange x = TokenExchange.builder(failing).clock(f.clock).defaultPurpose("p").defaultEnvironment("e").build();
      HttpResponse r = x.exchange(HttpRequest.fromForm("grant_type=" + TokenExchange.GRANT_TYPE
          + "&subject_token=abc&subject_token_type=" + TokenExchange.JWT_TYPE + "&scope=read&audience=a&task_id=t",
          FORM, Map.of()));
      assertThat(r.status()).as("a failing component is unavailable (issue 18 item 2): DenialCategory.UNAVAILABLE")
          .isEqualTo(503);
      assertThat(r.body()).contains("temporarily_unavailable").contains("the request could not be evaluated")
          .doesNotContain("secret internal detail").doesNotContain("IllegalStateException");
    }
  }

  @Test
  void errorDescriptionsStayWithinTheRfc6749CharacterSet() {
    HttpResponse r = f.exchange.exchange(HttpRequest.fromForm("grant_type=" + TokenExchange.GRANT_TYPE
        + "&subject_token=abc&subject_token_type=urn%3Aexample%3A%22%C3%A9%5C&scope=read&audience=a&task_id=t", FORM, Map.of()));
    assertThat(r.body()).contains("subject_token_type urn:example:??? is not supported");
  }

  // ---------------------------------------------------------------- values and builders

  @Test
  void requestsNeverShowParameterValues() {
    HttpRequest r = HttpRequest.fromForm("subject_token=very-secret", FORM,
        Map.of("DPoP", List.of("proof-secret"), "Authorization", List.of("Basic c2VjcmV0")));
    assertThat(r.toString()).contains("subject_token").doesNotContain("very-secret").doesNotContain("proof-secret")
        .doesNotContain("c2VjcmV0");
    assertThat(r.header("dpop")).contains("proof-secret");
    assertThat(r.header("AUTHORIZATION")).contains("Basic c2VjcmV0");
    assertThat(r.contentType()).contains(FORM);
    assertThat(r.peerCertificate()).isEmpty();
    assertThat(r.method()).isEqualTo("POST");
  }

  @Test
  void theRequestBuilderIsStrict() {
    assertThatThrownBy(() -> HttpRequest.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("method");
    assertThatThrownBy(() -> HttpRequest.builder("PO ST")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpRequest.builder("POST").contentType("a").contentType("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("contentType");
    assertThatThrownBy(() -> HttpRequest.builder("POST").formBody("a=b").formParameter("c", "d"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HttpRequest.builder("POST").formParameter("c", "d").formBody("a=b"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HttpRequest.builder("POST").formBody("a").formBody("b"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> HttpRequest.builder("POST").header("Bad:Name", "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpRequest.builder("POST").header("name", null))
        .isInstanceOf(NullPointerException.class).hasMessage("header value");
    assertThatThrownBy(() -> HttpRequest.fromForm(null, FORM, Map.of()))
        .isInstanceOf(NullPointerException.class).hasMessage("body");
  }

  @Test
  void theResponseChecksAndCopies() {
    assertThatThrownBy(() -> new HttpResponse(99, Map.of(), "")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99");
    assertThatThrownBy(() -> new HttpResponse(200, null, "")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new HttpResponse(200, Map.of(), null)).isInstanceOf(NullPointerException.class);
    java.util.Map<String, String> headers = new java.util.HashMap<>(Map.of("A", "1"));
    HttpResponse r = new HttpResponse(200, headers, "{\"access_token\":\"secret\"}");
    headers.put("B", "2");
    assertThat(r.headers()).containsOnlyKeys("A");
    assertThat(r.toString()).doesNotContain("secret");
  }

  @ParameterizedTest
  @CsvSource({"0", "1023", "1048577"})
  void maxFormBytesOutOfRangeIsRefused(int bytes) {
    assertThatThrownBy(() -> TokenExchange.builder(f.broker).maxFormBytes(bytes))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(bytes));
  }

  @Test
  void theBuilderIsStrict() {
    assertThatThrownBy(() -> TokenExchange.builder(null)).isInstanceOf(NullPointerException.class).hasMessage("broker");
    TokenExchange.Builder b = TokenExchange.builder(f.broker);
    assertThatThrownBy(() -> b.clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
    b.clock(f.clock);
    assertThatThrownBy(() -> b.clock(f.clock)).isInstanceOf(IllegalStateException.class).hasMessageContaining("clock");
    assertThatThrownBy(() -> b.defaultPurpose(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.defaultTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.defaultTtl(Duration.ofHours(25))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.subjectTokenType(TokenExchange.ACCESS_TOKEN_TYPE, Credential.TokenType.JWT_SVID))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    b.subjectTokenType("urn:x", Credential.TokenType.OIDC);
    assertThatThrownBy(() -> b.subjectTokenType("urn:x", Credential.TokenType.OIDC)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.tokenEndpoint(URI.create("/token"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.tokenEndpoint(URI.create("ftp://x/token"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.tokenEndpoint(URI.create("https://x/token?a=b"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.callerAuthorizer(null)).isInstanceOf(NullPointerException.class).hasMessage("callerAuthorizer");
    b.delegation(true);
    assertThatThrownBy(() -> b.delegation(false)).isInstanceOf(IllegalStateException.class);
    assertThat(b.build()).isNotNull();
  }
}
