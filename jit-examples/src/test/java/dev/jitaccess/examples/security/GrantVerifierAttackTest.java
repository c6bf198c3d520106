package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.VerificationRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks on {@link GrantVerifier}: the broker's own ({@code broker.verifier()}), a stand-alone one built
 * from the published JWKS reading the broker's store, and a stand-alone one without a store. Forged grant
 * tokens are signed with the broker's real key where the attack needs it (the broker runs with a shared
 * signing key the test holds), so each one differs from a real token by the attack only.
 */
class GrantVerifierAttackTest {
  @RegisterExtension
  static final AttackSuite SUITE = new AttackSuite("gv");
  private static final Target t = SUITE.target;
  private static final Loopback loopback = SUITE.loopback;

  record Named(String name, GrantVerifier verifier, boolean hasStore) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Named> verifiers() {
    return List.of(new Named("broker.verifier()", t.broker.verifier(), true),
        new Named("GrantVerifier with store", t.standAlone(true), true),
        new Named("GrantVerifier without store", t.standAlone(false), false));
  }

  private static Grant grant(String purpose) {
    return t.broker.request(t.request(Credential.jwtSvid(t.svid()), SUITE.task(), purpose).build());
  }

  /** A token with the real token's header and payload, each changed by the functions, signed by the broker key. */
  static String forge(String real, Function<Map<String, Object>, Map<String, Object>> header,
      Function<Map<String, Object>, Map<String, Object>> claims) {
    String[] p = real.split("\\.");
    Map<String, Object> h = header.apply(parse(Jws.decode(p[0])));
    Map<String, Object> c = claims.apply(parse(Jws.decode(p[1])));
    return Jws.token(Jws.value(h), Jws.value(c), brokerSigner());
  }

  static Jws.Signer brokerSigner() {
    try {
      return Jws.es256(t.brokerSigningKey.toECPrivateKey());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> parse(String json) {
    try {
      return new LinkedHashMap<>(com.nimbusds.jose.util.JSONObjectUtils.parse(json));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  static Function<Map<String, Object>, Map<String, Object>> put(Object... kv) {
    return m -> {
      for (int i = 0; i < kv.length; i += 2) {
        if (kv[i + 1] == IdentityTokenAttacks.Drop.DROP) {
          m.remove((String) kv[i]);
        } else {
          m.put((String) kv[i], kv[i + 1]);
        }
      }
      return m;
    };
  }

  static final Function<Map<String, Object>, Map<String, Object>> SAME = m -> m;

  /** Every stateless attack on a grant token, built around the live grant {@code real}. */
  static List<IdentityTokenAttacks.Case> cases(String real) {
    List<IdentityTokenAttacks.Case> cases = new ArrayList<>();
    String[] p = real.split("\\.");
    Map<String, Object> header = parse(Jws.decode(p[0]));
    String kid = (String) header.get("kid");
    long now = t.now();
    Jws.Signer evil = Jws.es256(t.attacker.getPrivate());
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      String h = Jws.b64(Jws.value(put("alg", none).apply(new LinkedHashMap<>(header))));
      cases.add(new IdentityTokenAttacks.Case("alg " + none + ", empty signature", h + "." + p[1] + "."));
      cases.add(new IdentityTokenAttacks.Case("alg " + none + ", real signature", h + "." + p[1] + "." + p[2]));
    }
    for (Map.Entry<String, byte[]> secret : IdentityTokenAttacks.publicKeyEncodings(publicKey()).entrySet()) {
      for (int bits : new int[] {256, 384, 512}) {
        cases.add(new IdentityTokenAttacks.Case("HS" + bits + " keyed with the broker's public key as " + secret.getKey(),
            Jws.token(Jws.value(put("alg", "HS" + bits).apply(new LinkedHashMap<>(header))), Jws.decode(p[1]),
                Jws.hmac(bits, secret.getValue()))));
      }
    }
    String publishedJwk = t.broker.publicJwks();
    cases.add(new IdentityTokenAttacks.Case("HS256 keyed with the whole published JWKS",
        Jws.token(Jws.value(put("alg", "HS256").apply(new LinkedHashMap<>(header))), Jws.decode(p[1]),
            Jws.hmac(256, publishedJwk.getBytes(StandardCharsets.UTF_8)))));
    for (String k : List.of("../../etc/passwd", "' OR '1'='1' --", kid + "' OR 'a'='a", "K".repeat(8000),
        "\u0435\u0441", kid + "\u0000", kid.toUpperCase(), "", "${jndi:ldap://127.0.0.1/a}", kid + "/../" + kid)) {
      cases.add(new IdentityTokenAttacks.Case("kid " + IdentityTokenAttacks.printable(k) + " signed by the attacker",
          Jws.token(Jws.value(put("kid", k).apply(new LinkedHashMap<>(header))), Jws.decode(p[1]), evil)));
    }
    cases.add(new IdentityTokenAttacks.Case("real kid signed by the attacker",
        Jws.token(Jws.decode(p[0]), Jws.decode(p[1]), evil)));
    cases.add(new IdentityTokenAttacks.Case("no kid", forge(real, put("kid", IdentityTokenAttacks.Drop.DROP), SAME)));
    String attackerJwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) t.attacker.getPublic()).keyID("evil").build().toJSONString();
    Map<String, Object> smuggled = new LinkedHashMap<>();
    smuggled.put("jwk", new Jws.Raw(attackerJwk));
    smuggled.put("jku", loopback.url() + "/jwks.json");
    smuggled.put("x5u", loopback.url() + "/cert.pem");
    smuggled.put("x5c", List.of(Base64.getEncoder().encodeToString(t.attacker.getPublic().getEncoded())));
    for (Map.Entry<String, Object> e : smuggled.entrySet()) {
      cases.add(new IdentityTokenAttacks.Case(e.getKey() + " header, broker-signed", forge(real, put(e.getKey(), e.getValue()), SAME)));
      cases.add(new IdentityTokenAttacks.Case(e.getKey() + " header, attacker-signed", Jws.token(
          Jws.value(put(e.getKey(), e.getValue(), "kid", "evil").apply(new LinkedHashMap<>(header))), Jws.decode(p[1]), evil)));
    }
    cases.add(new IdentityTokenAttacks.Case("crit [x-unknown]", forge(real, put("crit", List.of("x-unknown"), "x-unknown", 1), SAME)));
    cases.add(new IdentityTokenAttacks.Case("crit [exp]", forge(real, put("crit", List.of("exp"), "exp", now + 60), SAME)));
    cases.add(new IdentityTokenAttacks.Case("crit [b64]", forge(real, put("crit", List.of("b64"), "b64", false), SAME)));
    cases.add(new IdentityTokenAttacks.Case("typ missing", forge(real, put("typ", IdentityTokenAttacks.Drop.DROP), SAME)));
    cases.add(new IdentityTokenAttacks.Case("typ JWT (an identity token)", forge(real, put("typ", "JWT"), SAME)));
    cases.add(new IdentityTokenAttacks.Case("typ dpop+jwt", forge(real, put("typ", "dpop+jwt"), SAME)));
    cases.add(new IdentityTokenAttacks.Case("cty JWT with an inner real grant", Jws.token(
        Jws.value(put("cty", "JWT").apply(new LinkedHashMap<>(header))), real, brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("JWE-shaped (5 parts)", Jws.b64(Jws.json("alg", "dir", "enc", "A128GCM", "kid", kid))
        + "..AAAAAAAAAAAAAAAA." + p[1] + ".AAAAAAAAAAAAAAAAAAAAAA"));
    cases.add(new IdentityTokenAttacks.Case("JWS JSON serialization", Jws.json("payload", p[1], "protected", p[0], "signature", p[2])));
    cases.add(new IdentityTokenAttacks.Case("header alg none then ES256",
        Jws.token("{\"alg\":\"none\"," + Jws.decode(p[0]).substring(1), Jws.decode(p[1]), brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("header alg ES256 then none",
        Jws.token(Jws.decode(p[0]).replace("}", ",\"alg\":\"none\"}"), Jws.decode(p[1]), brokerSigner())));
    String body = Jws.decode(p[1]);
    cases.add(new IdentityTokenAttacks.Case("payload with a second jti", Jws.token(Jws.decode(p[0]),
        body.substring(0, body.length() - 1) + ",\"jti\":\"" + UUID.randomUUID() + "\"}", brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("payload with a second aud", Jws.token(Jws.decode(p[0]),
        body.substring(0, body.length() - 1) + ",\"aud\":\"db://other\"}", brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("payload with a second scope", Jws.token(Jws.decode(p[0]),
        body.substring(0, body.length() - 1) + ",\"scope\":\"admin read write\"}", brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("10 MB token", "eyJ" + "A".repeat(10 << 20) + ".e30.AAAA"));
    cases.add(new IdentityTokenAttacks.Case("header nested 3000 deep",
        Jws.token("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"typ\":\"at+jwt\",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}", body, brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("payload nested 3000 deep", Jws.token(Jws.decode(p[0]),
        body.substring(0, body.length() - 1) + ",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}", brokerSigner())));
    cases.add(new IdentityTokenAttacks.Case("wrong issuer (broker-signed)", forge(real, SAME, put("iss", "https://evil.test"))));
    cases.add(new IdentityTokenAttacks.Case("issuer missing", forge(real, SAME, put("iss", IdentityTokenAttacks.Drop.DROP))));
    cases.add(new IdentityTokenAttacks.Case("another audience", forge(real, SAME, put("aud", "db://other"))));
    cases.add(new IdentityTokenAttacks.Case("audience missing", forge(real, SAME, put("aud", IdentityTokenAttacks.Drop.DROP))));
    cases.add(new IdentityTokenAttacks.Case("expired an hour ago", forge(real, SAME, put("exp", now - 3600))));
    cases.add(new IdentityTokenAttacks.Case("exp missing", forge(real, SAME, put("exp", IdentityTokenAttacks.Drop.DROP))));
    cases.add(new IdentityTokenAttacks.Case("exp as string", forge(real, SAME, put("exp", String.valueOf(now + 600)))));
    cases.add(new IdentityTokenAttacks.Case("nbf an hour ahead", forge(real, SAME, put("nbf", now + 3600))));
    cases.add(new IdentityTokenAttacks.Case("iat far future", forge(real, SAME, put("iat", 32_472_144_000L))));
    cases.add(new IdentityTokenAttacks.Case("JWT-SVID as grant", t.svid()));
    cases.add(new IdentityTokenAttacks.Case("JWT-SVID for the resource audience as grant", Jws.token(t.svidHeader(),
        IdentityTokenAttacks.claims(t, true, new Object[] {"aud", Target.RESOURCE}), Jws.es256(t.ec.getPrivate()))));
    cases.add(new IdentityTokenAttacks.Case("OIDC token as grant", t.oidc()));
    cases.add(new IdentityTokenAttacks.Case("OIDC token with typ at+jwt for the resource", Jws.token(
        Jws.json("alg", "ES256", "kid", Target.OIDC_KID, "typ", "at+jwt"),
        IdentityTokenAttacks.claims(t, false, new Object[] {"aud", Target.RESOURCE, "iss", Target.ISSUER}),
        Jws.es256(t.oidcEc.getPrivate()))));
    cases.add(new IdentityTokenAttacks.Case("empty string", ""));
    cases.add(new IdentityTokenAttacks.Case("two dots", ".."));
    cases.add(new IdentityTokenAttacks.Case("Bearer prefix", "Bearer " + real));
    return cases;
  }

  /** Attacks that a verifier with the store refuses because the broker never issued them. */
  static List<IdentityTokenAttacks.Case> storeCases(String real) {
    return List.of(
        new IdentityTokenAttacks.Case("unknown jti (broker-signed)", forge(real, SAME, put("jti", UUID.randomUUID().toString()))),
        // widened scope, extended exp and a dropped cnf are not caught: see FindingsTest
        new IdentityTokenAttacks.Case("changed task", forge(real, SAME, put("txn", "other-task"))),
        new IdentityTokenAttacks.Case("changed subject", forge(real, SAME, put("sub", "spiffe://example.org/admin"))));
  }

  static java.security.PublicKey publicKey() {
    try {
      return ((ECKey) JWKSet.parse(t.broker.publicJwks()).getKeys().get(0)).toECPublicKey();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> statelessAttacks() {
    Grant g = grant("deploy");
    assertThat(t.broker.verifier().verify(g.token(), Target.RESOURCE).isVerified()).as("control").isTrue();
    return verifiers().stream().flatMap(v -> cases(g.token()).stream().map(c -> DynamicTest.dynamicTest(
        v + ": " + c.name(), () -> {
          Target.Issued before = t.issued();
          Verification r = v.verifier().verify(c.token(), Target.RESOURCE);
          assertThat(r).isInstanceOf(Verification.Rejected.class);
          assertThat(((Verification.Rejected) r).reason()).isNotEqualTo(RejectionReason.ERROR);
          t.assertNothingIssuedSince(before);
          Attacks.tried("GrantVerifier");
        })));
  }

  @TestFactory
  Stream<DynamicTest> forgeriesTheStoreDoesNotKnow() {
    Grant g = grant("deploy");
    return verifiers().stream().filter(Named::hasStore).flatMap(v -> storeCases(g.token()).stream().map(c ->
        DynamicTest.dynamicTest(v + ": " + c.name(), () -> {
          Verification r = v.verifier().verify(c.token(), Target.RESOURCE);
          assertThat(r).isInstanceOf(Verification.Rejected.class);
          Attacks.tried("GrantVerifier");
        })));
  }

  @Test
  void hugeTokenRefusedAsTooLargeBeforeParsing() {
    String huge = "eyJ" + "A".repeat(10 << 20) + ".e30.AAAA";
    for (Named v : verifiers()) {
      Verification r = v.verifier().verify(huge, Target.RESOURCE);
      assertThat(((Verification.Rejected) r).reason()).isEqualTo(RejectionReason.TOO_LARGE);
      Attacks.tried("GrantVerifier");
    }
  }

  @Test
  void singleUseGrantIsNotReplayable() {
    for (Named v : verifiers()) {
      if (!v.hasStore()) {
        continue;
      }
      Grant g = grant("one-shot");
      assertThat(v.verifier().verify(g.token(), Target.RESOURCE).isVerified()).isTrue();
      for (Named other : verifiers()) {
        if (other.hasStore()) {
          Verification again = other.verifier().verify(g.token(), Target.RESOURCE);
          assertThat(again).isEqualTo(new Verification.Rejected(RejectionReason.REPLAYED, ((Verification.Rejected) again).detail()));
          Attacks.tried("GrantVerifier");
        }
      }
    }
  }

  @Test
  void revokedGrantsNeverVerifyAgain() {
    Grant byId = grant("deploy");
    Grant byTask = grant("deploy");
    Grant parent = grant("agent");
    Grant child = t.broker.delegate(DelegationRequest.builder(parent)
        .credential(Credential.jwtSvid(t.svid("spiffe://example.org/tools/lookup"))).actions("read")
        .ttl(Duration.ofMinutes(1)).build());
    Grant grandChild = t.broker.delegate(DelegationRequest.builder(child)
        .credential(Credential.jwtSvid(t.svid("spiffe://example.org/tools/sub"))).actions("read")
        .ttl(Duration.ofMinutes(1)).build());
    Grant byIdentity = t.broker.request(t.request(Credential.jwtSvid(t.svid("spiffe://example.org/ci/other")), "gv-ident").build());
    t.broker.revoke(byId.id());
    t.broker.revokeTask(byTask.info().taskId());
    t.broker.revokeIdentity("spiffe://example.org/ci/other");
    t.broker.revoke(parent.id());
    for (Grant g : List.of(byId, byTask, byIdentity, parent, child, grandChild)) {
      for (Named v : verifiers()) {
        if (!v.hasStore()) {
          continue;
        }
        String audience = g.info().resource();
        Verification r = v.verifier().verify(g.token(), audience);
        assertThat(r).as(v + " " + g.info().taskId()).isInstanceOf(Verification.Rejected.class);
        assertThat(((Verification.Rejected) r).reason()).isEqualTo(RejectionReason.REVOKED);
        Attacks.tried("GrantVerifier");
      }
    }
  }

  @Test
  void expiredGrantDoesNotVerifyWithinOrAfterSkew() {
    Target local = new Target();
    try {
      Grant g = local.broker.request(GrantRequest.builder().credential(Credential.jwtSvid(local.svid())).taskId("exp")
          .purpose("deploy").resource(Target.RESOURCE).actions("read").environment("prod").ttl(Duration.ofMinutes(1)).build());
      local.clock.advance(Duration.ofMinutes(1).plusSeconds(31));
      for (GrantVerifier v : List.of(local.broker.verifier(), local.standAlone(true), local.standAlone(false))) {
        Verification r = v.verify(g.token(), Target.RESOURCE);
        assertThat(((Verification.Rejected) r).reason()).isEqualTo(RejectionReason.EXPIRED);
        Attacks.tried("GrantVerifier");
      }
    } finally {
      local.close();
    }
  }

  @Test
  void taskScopeAndAudienceBindingHold() {
    Grant g = grant("deploy");
    for (Named v : verifiers()) {
      assertThat(reason(v.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE).taskId("other-task").build())))
          .isEqualTo(RejectionReason.WRONG_TASK);
      assertThat(reason(v.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE).requiredActions("admin").build())))
          .isEqualTo(RejectionReason.INSUFFICIENT_SCOPE);
      assertThat(reason(v.verifier().verify(g.token(), "db://prod/sub"))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
      assertThat(reason(v.verifier().verify(g.token(), "db://pro"))).isEqualTo(RejectionReason.WRONG_AUDIENCE);
      assertThat(reason(v.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE).requireProofOfPossession().build())))
          .isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
      for (int i = 0; i < 5; i++) {
        Attacks.tried("GrantVerifier");
      }
    }
  }

  // ------------------------------------------------------------------ DPoP-bound grants

  static String dpopProof(ECKey key, String method, String uri, String token, long iat, String jti, String alg) {
    String ath = token == null ? null : sha256(token);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("htm", method);
    claims.put("htu", uri);
    claims.put("iat", iat);
    claims.put("jti", jti);
    if (ath != null) {
      claims.put("ath", ath);
    }
    String header = Jws.json("typ", "dpop+jwt", "alg", alg, "jwk", new Jws.Raw(key.toPublicJWK().toJSONString()));
    try {
      Jws.Signer s = alg.equals("ES256") ? Jws.es256(key.toECPrivateKey()) : alg.startsWith("HS")
          ? Jws.hmac(256, key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)) : Jws.none();
      return Jws.token(header, Jws.value(claims), s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String token) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey newKey() {
    java.security.KeyPair k = Target.ec();
    return new ECKey.Builder(Curve.P_256, (ECPublicKey) k.getPublic()).privateKey(k.getPrivate()).build();
  }

  @Test
  void dpopBoundGrantRefusesMissingReplayedAndMisdirectedProofs() {
    ECKey holder = newKey();
    ECKey thief = newKey();
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), SUITE.task())
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String uri = "https://db.example.org/query";
    long now = t.now();
    GrantVerifier v = t.broker.verifier();
    String good = dpopProof(holder, "POST", uri, g.token(), now, "j-1", "ES256");
    assertThat(v.verify(g.token(), VerificationRequest.builder(Target.RESOURCE).dpop(good, "POST", uri).build()).isVerified())
        .as("control").isTrue();
    Map<String, String> attacks = new LinkedHashMap<>();
    attacks.put("replayed proof", good);
    attacks.put("proof by another key", dpopProof(thief, "POST", uri, g.token(), now, "j-2", "ES256"));
    attacks.put("proof for another method", dpopProof(holder, "GET", uri, g.token(), now, "j-3", "ES256"));
    attacks.put("proof for another URI", dpopProof(holder, "POST", "https://evil.example.org/query", g.token(), now, "j-4", "ES256"));
    attacks.put("proof for another token (ath)", dpopProof(holder, "POST", uri, "x.y.z", now, "j-5", "ES256"));
    attacks.put("proof without ath", dpopProof(holder, "POST", uri, null, now, "j-6", "ES256"));
    attacks.put("proof an hour old", dpopProof(holder, "POST", uri, g.token(), now - 3600, "j-7", "ES256"));
    attacks.put("proof an hour ahead", dpopProof(holder, "POST", uri, g.token(), now + 3600, "j-8", "ES256"));
    attacks.put("proof alg none", dpopProof(holder, "POST", uri, g.token(), now, "j-9", "none"));
    attacks.put("proof HS256 with the holder's public key", dpopProof(holder, "POST", uri, g.token(), now, "j-10", "HS256"));
    attacks.put("proof with the grant token itself", g.token());
    attacks.put("10 MB proof", "eyJ" + "A".repeat(10 << 20) + ".e30.AAAA");
    List<Named> sameInstances = verifiers();
    // the replay is tried on the instance that saw the proof: see FindingsTest for a replay across instances
    assertThat(v.verify(g.token(), VerificationRequest.builder(Target.RESOURCE).dpop(good, "POST", uri).build()))
        .isInstanceOf(Verification.Rejected.class);
    Attacks.tried("GrantVerifier");
    attacks.remove("replayed proof");
    for (Named nv : sameInstances) {
      String first = dpopProof(holder, "POST", uri, g.token(), now, "r-" + nv.name(), "ES256");
      assertThat(nv.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE).dpop(first, "POST", uri).build())
          .isVerified()).isTrue();
      assertThat(reason(nv.verifier().verify(g.token(), VerificationRequest.builder(Target.RESOURCE).dpop(first, "POST", uri).build())))
          .isEqualTo(RejectionReason.REPLAYED);
      Attacks.tried("GrantVerifier");
    }
    for (Map.Entry<String, String> a : attacks.entrySet()) {
      for (Named nv : sameInstances) {
        Verification r = nv.verifier().verify(g.token(),
            VerificationRequest.builder(Target.RESOURCE).dpop(a.getValue(), "POST", uri).build());
        assertThat(r).as(nv + ": " + a.getKey()).isInstanceOf(Verification.Rejected.class);
        assertThat(reason(r)).as(a.getKey()).isIn(RejectionReason.PROOF_OF_POSSESSION, RejectionReason.REPLAYED);
        Attacks.tried("GrantVerifier");
      }
    }
    for (Named nv : verifiers()) {
      assertThat(reason(nv.verifier().verify(g.token(), Target.RESOURCE))).as("bearer use of a DPoP-bound token")
          .isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
      Attacks.tried("GrantVerifier");
    }
  }

  static RejectionReason reason(Verification v) {
    assertThat(v).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) v).reason();
  }
}
