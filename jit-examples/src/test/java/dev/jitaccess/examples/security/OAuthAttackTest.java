package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.oauth.HttpRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.oauth.TokenExchange;
import java.net.URI;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for issue 14 items the OAuth adapter and the grant verifier own: #5 (DPoP {@code htu}),
 * #6 (sub-grant resource containment at the token endpoint), #10 (re-signed, widened tokens) and the one
 * DPoP checker (Ed25519 accepted and {@code crit} refused on both paths). Each guard is named in its test.
 */
class OAuthAttackTest {
  @RegisterExtension
  static final AttackSuite SUITE = new AttackSuite("oa");
  private static final Target t = SUITE.target;
  private static final Loopback loopback = SUITE.loopback;
  private static final TokenExchange x = SUITE.tokenExchange();

  private static String task() {
    return SUITE.task();
  }

  private static List<GrantVerifier> verifiersWithStore() {
    return List.of(t.broker.verifier(), t.standAlone(true));
  }

  // ---------------------------------------------------------------- #10: re-signed, widened tokens

  /** The real token's claims changed by {@code change}, signed with the broker's (leaked) key. */
  static String resign(String real, Consumer<Map<String, Object>> change) {
    String[] p = real.split("\\.");
    try {
      Map<String, Object> claims = new LinkedHashMap<>(JSONObjectUtils.parse(Jws.decode(p[1])));
      change.accept(claims);
      return Jws.token(Jws.decode(p[0]), JSONObjectUtils.toJSONString(claims),
          Jws.es256(t.brokerSigningKey.toECPrivateKey()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Consumer<Map<String, Object>> tctx(String key, Object value) {
    return c -> {
      Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) c.get("tctx"));
      m.put(key, value);
      c.put("tctx", m);
    };
  }

  @Test
  void aGrantTokenNamesExactlyOneAudience() {
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build());
    String widened = resign(g.token(), c -> c.put("aud", List.of(Target.RESOURCE, "db://payroll")));
    for (GrantVerifier v : List.of(t.broker.verifier(), t.standAlone(true), t.standAlone(false))) {
      Verification r = v.verify(widened, "db://payroll");
      assertThat(r).isInstanceOfSatisfying(Verification.Rejected.class,
          rej -> assertThat(rej.reason()).isEqualTo(Verification.RejectionReason.WRONG_AUDIENCE));
      assertThat(v.verify(widened, Target.RESOURCE).isVerified()).isFalse();
      Attacks.tried("GrantVerifier.verify");
    }
    assertThat(t.broker.verifier().verify(g.token(), Target.RESOURCE).isVerified()).as("control").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"env", "purpose", "break_glass", "owner", "approval_id", "del_left", "scope", "sub",
      "txn", "iat", "cnf"})
  void everySecurityRelevantClaimIsComparedWithTheRecord(String claim) {
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build());
    Consumer<Map<String, Object>> change = switch (claim) {
      case "env" -> tctx("env", "dev");
      case "purpose" -> tctx("purpose", "incident");
      case "break_glass" -> tctx("break_glass", true);
      case "owner" -> tctx("owner", "someone-else");
      case "approval_id" -> tctx("approval_id", "approved-by-nobody");
      case "del_left" -> tctx("del_left", 5);
      case "scope" -> c -> c.put("scope", "admin read write");
      case "sub" -> c -> c.put("sub", "spiffe://example.org/intruder");
      case "txn" -> c -> c.put("txn", "another-task");
      case "iat" -> c -> c.put("iat", ((Number) c.get("iat")).longValue() + 20);
      default -> c -> c.put("cnf", Map.of("jkt", "AAAA"));
    };
    String widened = resign(g.token(), change);
    for (GrantVerifier v : verifiersWithStore()) {
      assertThat(v.verify(widened, Target.RESOURCE).isVerified()).as(claim).isFalse();
      Attacks.tried("GrantVerifier.verify");
    }
  }

  // ---------------------------------------------------------------- #5: DPoP htu

  @ParameterizedTest
  @ValueSource(strings = {"https://billing_api.internal:8443/v1|https://orders_db.internal/v1", "urn:a|urn:b",
      "https://db.example.org:8443/v1|https://db.example.org/v1", "https:///v1|https:///v2"})
  void dpopHtuIsComparedPerRfc9449(String pair) {
    String[] uris = pair.split("\\|");
    ECKey holder = GrantVerifierAttackTest.newKey();
    String taskId = task();
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), taskId)
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String proof = GrantVerifierAttackTest.dpopProof(holder, "GET", uris[0], g.token(), t.now(), "h-" + taskId, "ES256");
    for (GrantVerifier v : verifiersWithStore()) {
      Verification r = v.verify(g.token(), VerificationRequest.builder(Target.RESOURCE).dpop(proof, "GET", uris[1]).build());
      assertThat(r.isVerified()).as(pair).isFalse();
      Attacks.tried("GrantVerifier.verify");
    }
    String good = GrantVerifierAttackTest.dpopProof(holder, "GET", "https://db.example.org/v1", g.token(), t.now(),
        "g-" + taskId, "ES256");
    assertThat(t.broker.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE)
        .dpop(good, "GET", "https://DB.example.org:443/v1?page=2").build()).isVerified()).as("control").isTrue();
  }

  @Test
  void theTokenEndpointRefusesAnEndpointUrlItCouldNotCompare() {
    try {
      TokenExchange.builder(t.broker).tokenEndpoint(URI.create("https://token_ep.internal/token"));
      throw new AssertionError("accepted");
    } catch (IllegalArgumentException expected) {
      Attacks.tried("TokenExchange.Builder");
    }
  }

  // ---------------------------------------------------------------- #6: resource containment at the token endpoint

  @ParameterizedTest
  @ValueSource(strings = {"/..;/admin", "/..;jsessionid=x/admin", "/\uFF0F\uFF0E\uFF0E/admin", "/\uFF0E\uFF0E/admin",
      "/../admin", "/%2e%2e/admin", "/x;y", "/..\\admin"})
  void theTokenEndpointAcceptsOnlyPlainSegmentsBelowTheParent(String suffix) {
    String taskId = task();
    Grant parent = t.broker.request(t.request(Credential.jwtSvid(t.svid()), taskId, "agent").build());
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", TokenExchange.GRANT_TYPE);
    p.put("subject_token", parent.token());
    p.put("subject_token_type", TokenExchange.ACCESS_TOKEN_TYPE);
    p.put("actor_token", t.svid("spiffe://example.org/agent/tool"));
    p.put("actor_token_type", TokenExchange.JWT_TYPE);
    p.put("scope", "read");
    p.put("resource", Target.RESOURCE + suffix);
    p.put("task_id", taskId);
    Target.Issued before = t.issued();
    HttpResponse r = x.exchange(form(p).build());
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).doesNotContain("access_token");
    t.assertNothingIssuedSince(before);
    Attacks.tried("TokenExchange.exchange");

    p.put("resource", Target.RESOURCE + "/reports");
    HttpResponse ok = x.exchange(form(p).build());
    assertThat(ok.status()).as("control: " + ok.body()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- one DPoP checker

  @Test
  void anEd25519ProofIsAcceptedAtTheTokenEndpointAndCritIsRefusedThere() throws Exception {
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
    OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(key.generatePublicKey().getEncoded())).build();
    HttpResponse ok = x.exchange(form(direct()).header("DPoP", ed25519Proof(key, jwk, "e-1", false)).build());
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains("\"token_type\":\"DPoP\"");

    Target.Issued before = t.issued();
    HttpResponse crit = x.exchange(form(direct()).header("DPoP", ed25519Proof(key, jwk, "e-2", true)).build());
    assertThat(crit.status()).isEqualTo(400);
    assertThat(crit.body()).contains("invalid_dpop_proof");
    t.assertNothingIssuedSince(before);
    Attacks.tried("TokenExchange.exchange");
  }

  private static String ed25519Proof(Ed25519PrivateKeyParameters key, OctetKeyPair jwk, String jti, boolean crit) {
    String header = crit
        ? Jws.json("typ", "dpop+jwt", "alg", "EdDSA", "jwk", new Jws.Raw(jwk.toJSONString()), "crit", List.of("exp"), "exp", t.now() + 60)
        : Jws.json("typ", "dpop+jwt", "alg", "EdDSA", "jwk", new Jws.Raw(jwk.toJSONString()));
    String claims = Jws.json("htm", "POST", "htu", AttackSuite.TOKEN_ENDPOINT.toString(), "iat", t.now(), "jti", jti);
    return Jws.token(header, claims, input -> {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, key);
      s.update(input, 0, input.length);
      return s.generateSignature();
    });
  }

  // ---------------------------------------------------------------- helpers

  static Map<String, String> direct() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", TokenExchange.GRANT_TYPE);
    p.put("subject_token", t.svid());
    p.put("subject_token_type", TokenExchange.JWT_TYPE);
    p.put("scope", "read");
    p.put("resource", Target.RESOURCE);
    p.put("task_id", task());
    return p;
  }

  static HttpRequest.Builder form(Map<String, String> params) {
    HttpRequest.Builder b = HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE);
    params.forEach(b::formParameter);
    return b;
  }
}
