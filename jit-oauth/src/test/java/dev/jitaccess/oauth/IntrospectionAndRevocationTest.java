package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.ISSUER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static dev.jitaccess.oauth.ExchangeFixture.TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RFC 7662 introspection and RFC 7009 revocation over loopback HTTP, driven by the Nimbus OAuth 2.0 SDK. */
class IntrospectionAndRevocationTest {
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture();
  private final OAuthClient client = f.client();

  private String grant(String scope, String task) {
    return OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), scope, task).build()))
        .getTokens().getAccessToken().getValue();
  }

  // ---------------------------------------------------------------- introspection: active

  @Test
  void aLiveGrantIsActiveWithItsClaims() {
    String token = grant("read write", "task-i");
    JWTClaimsSet claims = TokenExchangeEndpointTest.claims(token);

    TokenIntrospectionSuccessResponse r = client.introspect(token);

    assertThat(r.isActive()).isTrue();
    assertThat(r.getScope().toStringList()).containsExactlyInAnyOrder("read", "write");
    assertThat(r.getClientID().getValue()).isEqualTo(DEPLOYER);
    assertThat(r.getSubject().getValue()).isEqualTo(DEPLOYER);
    assertThat(r.getAudience()).extracting(a -> a.getValue()).containsExactly(RESOURCE);
    assertThat(r.getIssuer().getValue()).isEqualTo(ISSUER);
    assertThat(r.getExpirationTime()).isEqualTo(claims.getExpirationTime());
    assertThat(r.getIssueTime()).isEqualTo(claims.getIssueTime());
    assertThat(r.getNotBeforeTime()).isEqualTo(claims.getNotBeforeTime());
    assertThat(r.getJWTID().getValue()).isEqualTo(claims.getJWTID());
    assertThat(r.getTokenType()).isEqualTo(AccessTokenType.BEARER);
    assertThat(r.getStringParameter("txn")).isEqualTo("task-i");
    assertThat(r.getJSONObjectParameter("cnf")).isNull();
  }

  @Test
  void aDpopBoundGrantIsActiveWithItsConfirmation() throws Exception {
    ECKey key = ExchangeFixture.newKey("holder");
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-c").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();

    TokenIntrospectionSuccessResponse r = client.introspect(token);

    assertThat(r.isActive()).isTrue();
    assertThat(r.getTokenType()).isEqualTo(AccessTokenType.DPOP);
    assertThat(r.getJWKThumbprintConfirmation().getValue()).isEqualTo(key.computeThumbprint());
  }

  @Test
  void aSubGrantIsActiveWithItsActorChain() {
    String parent = grant("read write", "task-a");
    String child = OAuthClient.success(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-a").build()))
        .getTokens().getAccessToken().getValue();

    TokenIntrospectionSuccessResponse r = client.introspect(child);

    assertThat(r.isActive()).isTrue();
    // RFC 8693 section 4.1: the subject stays the deployer, act names the tool acting for it
    assertThat(r.getSubject().getValue()).isEqualTo(DEPLOYER);
    assertThat(r.getJSONObjectParameter("act")).isEqualTo(Map.of("sub", TOOL));
  }

  @Test
  void introspectionNeverConsumesASingleUseGrant() {
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-s")
        .customParameter("purpose", "single").build())).getTokens().getAccessToken().getValue();

    assertThat(client.introspect(token).isActive()).isTrue();
    assertThat(client.introspect(token).isActive()).isTrue();

    assertThat(f.broker.verifier().verify(token, RESOURCE).isVerified()).as("first use").isTrue();
    Verification second = f.broker.verifier().verify(token, RESOURCE);
    assertThat(((Verification.Rejected) second).reason()).isEqualTo(Verification.RejectionReason.REPLAYED);
  }

  // ---------------------------------------------------------------- introspection: inactive

  @Test
  void aRevokedGrantIsInactive() {
    String token = grant("read", "task-r");
    f.broker.revoke(TokenExchangeEndpointTest.claims(token).getJWTID());
    assertInactive(token);
  }

  @Test
  void anExpiredGrantIsInactiveAtItsExpiryButActiveOneSecondBefore() {
    String token = grant("read", "task-e");
    f.clock.advance(Duration.ofMinutes(10).minusSeconds(1));
    assertThat(client.introspect(token).isActive()).isTrue();
    f.clock.advance(Duration.ofSeconds(1));
    assertInactive(token);
  }

  @Test
  void garbageIsInactive() {
    assertInactive("garbage");
    assertInactive("a.b.c");
    assertInactive("x".repeat(20_000));
  }

  @Test
  void anotherIssuersTokenIsInactive() {
    try (ExchangeFixture other = new ExchangeFixture()) {
      OAuthClient otherClient = new OAuthClient(other);
      String foreign = OAuthClient.success(otherClient.send(otherClient.direct(other.identity(DEPLOYER), "read", "task-o")
          .build())).getTokens().getAccessToken().getValue();
      assertThat(otherClient.introspect(foreign).isActive()).as("at its own broker").isTrue();
      assertInactive(foreign);
    }
  }

  @Test
  void aTamperedTokenIsInactiveEvenWhenItNamesALiveGrant() {
    String token = grant("read", "task-t");
    String[] parts = token.split("\\.");
    String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
        .replace("\"scope\":\"read\"", "\"scope\":\"admin read\"");
    String forged = parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(forged).isNotEqualTo(token);
    assertInactive(forged);
    assertThat(client.introspect(token).isActive()).isTrue();
  }

  /** Guards the reading of PROOF_OF_POSSESSION as "authentic": bad signature and expiry still come first. */
  @Test
  void aTamperedOrExpiredSenderConstrainedTokenIsInactive() {
    ECKey key = ExchangeFixture.newKey("holder");
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-tc").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();
    String[] parts = token.split("\\.");
    String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
        .replace("\"scope\":\"read\"", "\"scope\":\"admin read\"");
    assertInactive(parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
    assertInactive(parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[64]));

    f.clock.advance(Duration.ofMinutes(11));
    assertInactive(token);
  }

  @Test
  void aSubGrantOfARevokedParentIsInactive() {
    String parent = grant("read write", "task-p");
    String child = OAuthClient.success(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-p").build()))
        .getTokens().getAccessToken().getValue();
    assertThat(client.introspect(child).isActive()).isTrue();

    f.broker.revoke(TokenExchangeEndpointTest.claims(parent).getJWTID());

    assertInactive(child);
  }

  // ---------------------------------------------------------------- introspection: callers

  @Test
  void anUnauthorizedCallerGets401InvalidClient() {
    String token = grant("read", "task-u");

    TokenIntrospectionResponse wrongSecret =
        client.introspect(token, new ClientSecretBasic(new ClientID(ExchangeFixture.RS_ID), new Secret("guess")));
    assertThat(wrongSecret.indicatesSuccess()).isFalse();
    ErrorObject error = wrongSecret.toErrorResponse().getErrorObject();
    assertThat(error.getCode()).isEqualTo("invalid_client");
    assertThat(error.getHTTPStatusCode()).isEqualTo(401);

    HTTPResponse anonymous = OAuthClient.raw(f.introspectionUri, HTTPRequest.Method.POST,
        "application/x-www-form-urlencoded", "token=" + token);
    assertThat(anonymous.getStatusCode()).isEqualTo(401);
    assertThat(anonymous.getWWWAuthenticate()).startsWith("Basic realm=");
    assertThat(anonymous.getBody()).doesNotContain(token).doesNotContain("active");
  }

  @Test
  void withoutAnAuthorizerIntrospectionAndRevocationFailClosed() {
    String token = grant("read", "task-n");
    TokenExchange open = TokenExchange.builder(f.broker).clock(f.clock).build();
    HttpRequest request = HttpRequest.fromForm("token=" + token,
        "application/x-www-form-urlencoded",
        Map.of("Authorization", List.of(ExchangeFixture.resourceServer().toHTTPAuthorizationHeader())));

    HttpResponse introspection = open.introspect(request);
    HttpResponse revocation = open.revoke(request);

    assertThat(introspection.status()).isEqualTo(401);
    assertThat(introspection.body()).contains("\"invalid_client\"").doesNotContain(token);
    assertThat(revocation.status()).isEqualTo(401);
    assertThat(client.introspect(token).isActive()).as("not revoked").isTrue();
  }

  @Test
  void anAuthorizerThatThrowsRefusesTheCaller() {
    TokenExchange throwing = TokenExchange.builder(f.broker).clock(f.clock).callerAuthorizer((e, r) -> {
      throw new IllegalStateException("directory down");
    }).build();
    HttpResponse response = throwing.introspect(
        HttpRequest.fromForm("token=x", "application/x-www-form-urlencoded", Map.of()));
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body()).doesNotContain("directory down");
  }

  @Test
  void theAuthorizerIsToldWhichEndpoint() {
    List<CallerAuthorizer.Endpoint> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
    TokenExchange recording = TokenExchange.builder(f.broker).clock(f.clock).callerAuthorizer((e, r) -> {
      asked.add(e);
      return e == CallerAuthorizer.Endpoint.INTROSPECTION;
    }).build();
    HttpRequest request =
        HttpRequest.fromForm("token=x", "application/x-www-form-urlencoded", Map.of());
    assertThat(recording.introspect(request).status()).isEqualTo(200);
    assertThat(recording.revoke(request).status()).isEqualTo(401);
    assertThat(asked).containsExactly(CallerAuthorizer.Endpoint.INTROSPECTION, CallerAuthorizer.Endpoint.REVOCATION);
  }

  @Test
  void aMissingOrRepeatedTokenParameterIsAnInvalidRequest() {
    String auth = ExchangeFixture.resourceServer().toHTTPAuthorizationHeader();
    for (java.net.URI uri : List.of(f.introspectionUri, f.revocationUri)) {
      HTTPRequest missing = new HTTPRequest(HTTPRequest.Method.POST, uri);
      missing.setHeader("Authorization", auth);
      missing.setHeader("Content-Type", "application/x-www-form-urlencoded");
      missing.setBody("token_type_hint=access_token");
      TokenExchangeEndpointTest.assertError(OAuthClient.send(missing), "invalid_request", "token is required");
      HTTPRequest twice = new HTTPRequest(HTTPRequest.Method.POST, uri);
      twice.setHeader("Authorization", auth);
      twice.setHeader("Content-Type", "application/x-www-form-urlencoded");
      twice.setBody("token=a&token=b");
      TokenExchangeEndpointTest.assertError(OAuthClient.send(twice), "invalid_request", "parameter token is repeated");
      HTTPResponse get = OAuthClient.raw(uri, HTTPRequest.Method.GET, null, null);
      assertThat(get.getStatusCode()).isEqualTo(405);
    }
  }

  // ---------------------------------------------------------------- revocation

  @Test
  void revocationEndsTheGrantThenIntrospectionAndTheVerifierRefuseIt() {
    String token = grant("read", "task-rv");
    String other = grant("read", "task-rv2");

    HTTPResponse response = client.revoke(token, ExchangeFixture.resourceServer());

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getCacheControl()).isEqualTo("no-store");
    assertInactive(token);
    Verification v = f.broker.verifier().verify(token, RESOURCE);
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(Verification.RejectionReason.REVOKED);
    assertThat(f.broker.find(TokenExchangeEndpointTest.claims(token).getJWTID())).isPresent();
    assertThat(client.introspect(other).isActive()).as("another grant").isTrue();
    assertThat(client.revoke(token, ExchangeFixture.resourceServer()).getStatusCode()).as("idempotent").isEqualTo(200);
  }

  @Test
  void revokingAParentEndsItsSubGrants() {
    String parent = grant("read write", "task-rp");
    String child = OAuthClient.success(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-rp").build()))
        .getTokens().getAccessToken().getValue();

    assertThat(client.revoke(parent, ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);

    assertInactive(child);
    Verification v = f.broker.verifier().verify(child, RESOURCE);
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(Verification.RejectionReason.REVOKED);
  }

  @Test
  void revokingADpopBoundGrantNeedsNoProof() {
    ECKey key = ExchangeFixture.newKey("holder");
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-rd").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();
    assertThat(client.revoke(token, ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
    assertInactive(token);
  }

  @Test
  void unknownGarbageAndForeignTokensAnswer200AndChangeNothing() {
    String live = grant("read", "task-g");
    assertThat(client.revoke("garbage", ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
    assertThat(client.revoke("a.b.c", ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
    try (ExchangeFixture other = new ExchangeFixture()) {
      OAuthClient otherClient = new OAuthClient(other);
      String foreign = OAuthClient.success(otherClient.send(otherClient.direct(other.identity(DEPLOYER), "read", "task-g")
          .build())).getTokens().getAccessToken().getValue();
      assertThat(client.revoke(foreign, ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
      assertThat(otherClient.introspect(foreign).isActive()).isTrue();
    }
    assertThat(client.introspect(live).isActive()).isTrue();
  }

  @Test
  void aForgedTokenNamingALiveGrantDoesNotRevokeIt() {
    String token = grant("read", "task-f");
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + Base64URL.encode(new byte[64]);
    assertThat(client.revoke(forged, ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
    assertThat(client.introspect(token).isActive()).isTrue();
    assertThat(f.broker.verifier().verify(token, VerificationRequest.builder(RESOURCE).build()).isVerified()).isTrue();
  }

  @Test
  void anUnauthorizedRevocationIsRefusedAndRevokesNothing() {
    String token = grant("read", "task-ur");
    HTTPResponse response = client.revoke(token, new ClientSecretBasic(new ClientID("someone"), new Secret("guess")));
    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(OAuthClient.error(response).getCode()).isEqualTo("invalid_client");
    assertThat(client.introspect(token).isActive()).isTrue();
  }

  private void assertInactive(String token) {
    TokenIntrospectionSuccessResponse r = client.introspect(token);
    assertThat(r.isActive()).isFalse();
    assertThat(r.getParameters()).containsOnlyKeys("active");
  }
}
