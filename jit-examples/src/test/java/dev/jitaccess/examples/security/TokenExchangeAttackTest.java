package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.oauth.TokenExchange;
import dev.jitaccess.oauth.HttpRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.examples.security.IdentityTokenAttacks.Flavor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks on the OAuth 2.0 token-exchange adapter (RFC 8693) and its introspection and revocation
 * endpoints: every malicious identity token as {@code subject_token} and as delegation {@code actor_token},
 * token substitution both ways, delegation widening, DPoP proof replay and misdirection, form bombs.
 */
class TokenExchangeAttackTest {
  @RegisterExtension
  static final AttackSuite SUITE = new AttackSuite("tx");
  private static final Target t = SUITE.target;
  private static final Loopback loopback = SUITE.loopback;
  private static final TokenExchange x = SUITE.tokenExchange();

  static HttpRequest.Builder form(Map<String, String> params) {
    HttpRequest.Builder b = HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE);
    params.forEach(b::formParameter);
    return b;
  }

  static Map<String, String> direct(String subject, String type) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", TokenExchange.GRANT_TYPE);
    p.put("subject_token", subject);
    p.put("subject_token_type", type);
    p.put("scope", "read");
    p.put("resource", Target.RESOURCE);
    p.put("task_id", SUITE.task());
    return p;
  }

  static void assertRefused(HttpResponse r) {
    assertThat(r.status()).isBetween(400, 499);
    assertThat(r.body()).doesNotContain("access_token");
  }

  @Test
  void control() {
    HttpResponse ok = x.exchange(form(direct(t.svid(), TokenExchange.JWT_TYPE)).build());
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
  }

  @TestFactory
  Stream<DynamicTest> maliciousSubjectTokens() {
    return Stream.of(Flavor.values()).flatMap(f -> IdentityTokenAttacks.all(t, f, loopback.url()).stream()
        .filter(c -> c.token().length() < 60_000) // the form limit is covered by formBomb
        .map(c -> DynamicTest.dynamicTest(f + ": " + c.name(), () -> {
          Target.Issued before = t.issued();
          String type = f == Flavor.SVID ? TokenExchange.JWT_TYPE : TokenExchange.ID_TOKEN_TYPE;
          assertRefused(x.exchange(form(direct(c.token(), type)).build()));
          t.assertNothingIssuedSince(before);
          Attacks.tried("TokenExchange.exchange");
        })));
  }

  @TestFactory
  Stream<DynamicTest> maliciousActorTokens() {
    Grant parent = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "tx-parent", "agent").build());
    return IdentityTokenAttacks.all(t, Flavor.SVID, loopback.url()).stream()
        .filter(c -> c.token().length() < 60_000)
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          Target.Issued before = t.issued();
          Map<String, String> p = direct(parent.token(), TokenExchange.ACCESS_TOKEN_TYPE);
          p.put("task_id", "tx-parent");
          p.remove("resource");
          p.put("actor_token", c.token());
          p.put("actor_token_type", TokenExchange.JWT_TYPE);
          assertRefused(x.exchange(form(p).build()));
          t.assertNothingIssuedSince(before);
          Attacks.tried("TokenExchange.exchange");
        }));
  }

  @Test
  void substitutionAndWidening() {
    Grant parent = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "tx-p2", "agent").build());
    Grant plain = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "tx-p3").build());
    String actor = t.svid("spiffe://example.org/tools/lookup");
    Map<String, Map<String, String>> attacks = new LinkedHashMap<>();
    attacks.put("grant token as JWT subject", direct(plain.token(), TokenExchange.JWT_TYPE));
    attacks.put("grant token as id_token subject", direct(plain.token(), TokenExchange.ID_TOKEN_TYPE));
    attacks.put("JWT-SVID sent as id_token", direct(t.svid(), TokenExchange.ID_TOKEN_TYPE));
    attacks.put("OIDC token sent as JWT-SVID", direct(t.oidc(), TokenExchange.JWT_TYPE));
    attacks.put("unknown subject_token_type", direct(t.svid(), "urn:ietf:params:oauth:token-type:saml2"));
    Map<String, String> asGrant = delegation(t.svid(), actor, "tx-p2", "read");
    attacks.put("JWT-SVID presented as the parent grant", asGrant);
    attacks.put("OIDC token presented as the parent grant", delegation(t.oidc(), actor, "tx-p2", "read"));
    attacks.put("forged parent grant (attacker key)", delegation(Jws.token(Jws.decode(parent.token().split("\\.")[0]),
        Jws.decode(parent.token().split("\\.")[1]), Jws.es256(t.attacker.getPrivate())), actor, "tx-p2", "read"));
    attacks.put("widened scope", delegation(parent.token(), actor, "tx-p2", "read admin"));
    Map<String, String> sibling = delegation(parent.token(), actor, "tx-p2", "read");
    sibling.put("resource", "db://prod-evil");
    attacks.put("sibling resource sharing the prefix", sibling);
    // resource traversal (db://prod/../admin) is issued: see FindingsTest#delegationResourceTraversal
    attacks.put("another task", delegation(parent.token(), actor, "tx-other", "read"));
    Map<String, String> longer = delegation(parent.token(), actor, "tx-p2", "read");
    longer.put("requested_ttl", "86400");
    Map<String, String> purpose = delegation(parent.token(), actor, "tx-p2", "read");
    purpose.put("purpose", "break-glass");
    attacks.put("changed purpose", purpose);
    attacks.put("non-delegable parent", delegation(plain.token(), actor, "tx-p3", "read"));
    Map<String, String> two = direct(t.svid(), TokenExchange.JWT_TYPE);
    Map<String, String> repeatedAudience = new LinkedHashMap<>(two);
    repeatedAudience.put("audience", "db://other");
    attacks.put("two targets", repeatedAudience);
    for (Map.Entry<String, Map<String, String>> a : attacks.entrySet()) {
      Target.Issued before = t.issued();
      HttpResponse r = x.exchange(form(a.getValue()).build());
      assertThat(r.status()).as(a.getKey()).isBetween(400, 499);
      t.assertNothingIssuedSince(before);
      Attacks.tried("TokenExchange.exchange");
    }
    Target.Issued before = t.issued();
    HttpResponse r = x.exchange(form(longer).build());
    if (r.status() == 200) { // allowed, but never longer than the parent
      assertThat(t.broker.find(lastIssuedGrant()).orElseThrow().expiresAt()).isBeforeOrEqualTo(parent.expiresAt());
    } else {
      t.assertNothingIssuedSince(before);
    }
    Attacks.tried("TokenExchange.exchange");
    t.broker.revoke(parent.id());
    assertRefused(x.exchange(form(delegation(parent.token(), actor, "tx-p2", "read")).build()));
    Attacks.tried("TokenExchange.exchange");
  }

  private static String lastIssuedGrant() {
    return t.audit.last(dev.jitaccess.spi.AuditEventType.DELEGATED).fields().get("grant_id");
  }

  static Map<String, String> delegation(String subject, String actor, String task, String scope) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("grant_type", TokenExchange.GRANT_TYPE);
    p.put("subject_token", subject);
    p.put("subject_token_type", TokenExchange.ACCESS_TOKEN_TYPE);
    p.put("actor_token", actor);
    p.put("actor_token_type", TokenExchange.JWT_TYPE);
    p.put("scope", scope);
    p.put("task_id", task);
    return p;
  }

  @Test
  void dpopAtTheTokenEndpoint() {
    ECKey key = GrantVerifierAttackTest.newKey();
    ECKey other = GrantVerifierAttackTest.newKey();
    long now = t.now();
    String good = GrantVerifierAttackTest.dpopProof(key, "POST", AttackSuite.TOKEN_ENDPOINT.toString(), null, now, "p-1", "ES256");
    HttpResponse ok = x.exchange(form(direct(t.svid(), TokenExchange.JWT_TYPE)).header("DPoP", good).build());
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    Map<String, String> proofs = new LinkedHashMap<>();
    proofs.put("replayed proof", good);
    proofs.put("proof for GET", GrantVerifierAttackTest.dpopProof(key, "GET", AttackSuite.TOKEN_ENDPOINT.toString(), null, now, "p-2", "ES256"));
    proofs.put("proof for another URI", GrantVerifierAttackTest.dpopProof(key, "POST", "https://evil.test/token", null, now, "p-3", "ES256"));
    proofs.put("proof an hour old", GrantVerifierAttackTest.dpopProof(key, "POST", AttackSuite.TOKEN_ENDPOINT.toString(), null, now - 3600, "p-4", "ES256"));
    proofs.put("proof alg none", GrantVerifierAttackTest.dpopProof(key, "POST", AttackSuite.TOKEN_ENDPOINT.toString(), null, now, "p-5", "none"));
    proofs.put("proof HS256", GrantVerifierAttackTest.dpopProof(other, "POST", AttackSuite.TOKEN_ENDPOINT.toString(), null, now, "p-6", "HS256"));
    proofs.put("an identity token as proof", t.svid());
    proofs.put("10 MB proof", "eyJ" + "A".repeat(1 << 20) + ".e30.AAAA");
    for (Map.Entry<String, String> p : proofs.entrySet()) {
      Target.Issued before = t.issued();
      HttpResponse r = x.exchange(form(direct(t.svid(), TokenExchange.JWT_TYPE)).header("DPoP", p.getValue()).build());
      assertThat(r.status()).as(p.getKey()).isBetween(400, 499);
      t.assertNothingIssuedSince(before);
      Attacks.tried("TokenExchange.exchange");
    }
  }

  @Test
  void formBombsAndIntrospectionAndRevocation() {
    Target.Issued before = t.issued();
    Map<String, String> big = direct(t.svid(), TokenExchange.JWT_TYPE);
    big.put("purpose", "x".repeat(10 << 20));
    assertRefused(x.exchange(HttpRequest.fromForm(formBody(big), TokenExchange.FORM_CONTENT_TYPE, Map.of())));
    String repeated = formBody(direct(t.svid(), TokenExchange.JWT_TYPE)) + "&subject_token=" + t.oidc();
    assertRefused(x.exchange(HttpRequest.fromForm(repeated, TokenExchange.FORM_CONTENT_TYPE, Map.of())));
    assertRefused(x.exchange(HttpRequest.fromForm(formBody(direct(t.svid(), TokenExchange.JWT_TYPE)) + "&%ZZ=1",
        TokenExchange.FORM_CONTENT_TYPE, Map.of())));
    HttpResponse wrongType = x.exchange(HttpRequest.builder("POST").contentType("application/json")
        .formBody("{}").build());
    assertThat(wrongType.status()).isEqualTo(415);
    t.assertNothingIssuedSince(before);
    for (int i = 0; i < 4; i++) {
      Attacks.tried("TokenExchange.exchange");
    }
    for (String token : new String[] {t.svid(), t.oidc(), "eyJhbGciOiJub25lIn0.e30.", "x".repeat(100_000)}) {
      HttpResponse r = x.introspect(form(Map.of("token", token)).build());
      assertThat(r.body()).doesNotContain("\"active\":true");
      Attacks.tried("TokenExchange.introspect");
    }
    Grant victim = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "tx-victim").build());
    String forged = Jws.token(Jws.decode(victim.token().split("\\.")[0]), Jws.decode(victim.token().split("\\.")[1]),
        Jws.es256(t.attacker.getPrivate()));
    x.revoke(form(Map.of("token", forged)).build());
    x.revoke(form(Map.of("token", t.svid())).build());
    assertThat(victim.isLive()).as("a forged token cannot revoke someone else's grant").isTrue();
    Attacks.tried("TokenExchange.revoke");
    Attacks.tried("TokenExchange.revoke");
  }

  static String formBody(Map<String, String> p) {
    StringBuilder b = new StringBuilder();
    p.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=')
        .append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)));
    return b.toString();
  }
}
