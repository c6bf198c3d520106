package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.IdentityResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the seven attacks that succeeded while the attack suite was written, each fixed
 * since: OIDC nested duplicate keys, a JWT-SVID without a path, a JWT-SVID with an out-of-range exp, a
 * store-backed verifier trusting claims its record contradicts, DPoP replay across verifiers on one store,
 * delegation resource traversal, and deeply nested policy YAML.
 */
class FindingsTest {
  private Target t;

  @BeforeEach
  void start() {
    t = new Target();
  }

  @AfterEach
  void stop() {
    t.close();
  }

  @Test
  void oidcNestedDuplicateKeys() {
    // A strict parser (the JWT-SVID verifier's StrictJson) refuses this token; the OIDC verifier's Nimbus/Gson
    // parser refuses duplicates only at the top level, so a nested claim such as kubernetes.io.namespace can
    // read differently here ("dev", last wins) and in a first-wins consumer ("prod").
    String claims = "{\"iss\":\"" + Target.OIDC_ISSUER + "\",\"sub\":\"system:serviceaccount:prod:deployer\",\"aud\":\""
        + Target.AUDIENCE + "\",\"exp\":" + (t.now() + 300) + ",\"iat\":" + t.now()
        + ",\"kubernetes.io\":{\"namespace\":\"prod\",\"namespace\":\"dev\"}}";
    String token = Jws.token(t.oidcHeader(), claims, Jws.es256(t.oidcEc.getPrivate()));
    assertThat(t.oidcVerifier.verify(Credential.oidcToken(token))).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void jwtSvidWithoutPath() {
    // The X.509-SVID verifier refuses a leaf without a path; the JWT-SVID verifier accepts sub=spiffe://example.org,
    // giving the identity of the trust domain itself, which policies matching spiffe://example.org/** must not see.
    String token = Jws.token(t.svidHeader(), IdentityTokenAttacks.claims(t, true, new Object[] {"sub", "spiffe://example.org"}),
        Jws.es256(t.ec.getPrivate()));
    assertThat(t.jwtSvidVerifier.verify(Credential.jwtSvid(token))).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void jwtSvidWithOutOfRangeExp() {
    String token = Jws.token(t.svidHeader(), IdentityTokenAttacks.claims(t, true, new Object[] {"exp", new Jws.Raw("1e400")}),
        Jws.es256(t.ec.getPrivate()));
    assertThat(t.jwtSvidVerifier.verify(Credential.jwtSvid(token))).isInstanceOf(IdentityResult.Rejected.class);
  }

  @Test
  void storeBackedVerifierTrustsClaimsTheRecordContradicts() {
    // Needs the broker's signing key (e.g. the shared signingKey of several replicas leaked). The store knows the
    // grant is read/write, 10 minutes, DPoP-bound; a re-signed token with scope "admin", exp +24 h and no cnf
    // verifies anyway because checkState compares only subject and task. Defence in depth: compare the token's
    // SHA-256 with the one recorded at issuance (or every security claim with the record).
    ECKey holder = GrantVerifierAttackTest.newKey();
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "forge")
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String forged = Jws.token(header(g.token()), payloadWith(g.token(), "\"scope\":\"admin read write\"",
        "\"exp\":" + (t.now() + 86_400)).replaceAll(",?\"cnf\":\\{[^}]*\\}", ""), signer());
    for (GrantVerifier v : new GrantVerifier[] {t.broker.verifier(), t.standAlone(true)}) {
      Verification r = v.verify(forged, VerificationRequest.builder(Target.RESOURCE).requiredActions("admin").build());
      assertThat(r).isInstanceOf(Verification.Rejected.class);
    }
  }

  @Test
  void dpopReplayAcrossVerifierInstances() {
    // The jti cache lives in each verifier instance, not in the GrantStore that the instances share: a captured
    // (token, proof) pair replays at a second replica within the proof window. Fix: record proof jtis in the store
    // (or document that the replay check is per instance and keep the window short).
    ECKey holder = GrantVerifierAttackTest.newKey();
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), "dpop")
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    String uri = "https://db.example.org/query";
    String proof = GrantVerifierAttackTest.dpopProof(holder, "POST", uri, g.token(), t.now(), "once", "ES256");
    VerificationRequest req = VerificationRequest.builder(Target.RESOURCE).dpop(proof, "POST", uri).build();
    assertThat(t.standAlone(true).verify(g.token(), req).isVerified()).isTrue();
    assertThat(t.standAlone(true).verify(g.token(), req)).isInstanceOf(Verification.Rejected.class);
  }

  @Test
  void delegationResourceTraversal() {
    // The parent holds https://crm.example.org/api/orders; the delegate asks for .../orders/../../admin, which
    // starts with the parent's resource + "/" and is issued, by broker.delegate and by the token exchange. A
    // resource server that takes the raw request path as its audience and lets its HTTP stack normalize the
    // path then serves /admin. Fix: refuse "." and ".." segments (also %2e-encoded) and empty segments in
    // resources of GrantRequest/DelegationRequest, or compare normalized URIs.
    Grant parent = t.broker.request(dev.jitaccess.GrantRequest.builder().credential(Credential.jwtSvid(t.svid()))
        .taskId("trav").purpose("agent").resource("https://crm.example.org/api/orders").actions("read")
        .environment("prod").ttl(java.time.Duration.ofMinutes(10)).build());
    Target.Issued before = t.issued();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.broker.delegate(dev.jitaccess.DelegationRequest
        .builder(parent).credential(Credential.jwtSvid(t.svid("spiffe://example.org/tools/lookup")))
        .resource("https://crm.example.org/api/orders/../../admin").actions("read")
        .ttl(java.time.Duration.ofMinutes(1)).build())).isInstanceOf(dev.jitaccess.AccessDeniedException.class);
    t.assertNothingIssuedSince(before);
  }

  @Test
  void policyDeepFlowNesting() {
    // "x: [[[[...]]]]" 100000 deep is 200 KB (and "x: {a: {a: ..." 1000 deep, 5 KB, overflowed too in a full
    // suite run); snakeyaml-engine's recursive parser/composer overflows the stack and the
    // Error escapes Policy.parse (documented: never throws for a bad document), and RulePolicy reloads with it.
    // Fix: refuse nesting deeper than a small limit before composing (count flow brackets and block indents
    // outside scalars, or a LoadSettings nesting limit if the engine offers one), and catch StackOverflowError in
    // YamlTree.compose as a last resort ("document refused: nested too deeply").
    String yaml = "version: 1\nname: deep\nmaxTtl: 1h\nx: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
    org.assertj.core.api.Assertions.assertThat(dev.jitaccess.policy.Policy.parse("deep.yaml", yaml))
        .isInstanceOf(dev.jitaccess.policy.LoadResult.Invalid.class);
    String mapping = "version: 1\nname: deep\nmaxTtl: 1h\nx: " + "{a: ".repeat(5000) + "1" + "}".repeat(5000) + "\n";
    org.assertj.core.api.Assertions.assertThat(dev.jitaccess.policy.Policy.parse("deep.yaml", mapping))
        .isInstanceOf(dev.jitaccess.policy.LoadResult.Invalid.class);
  }

  private static String header(String token) {
    return Jws.decode(token.split("\\.")[0]);
  }

  private static String payloadWith(String token, String... members) {
    String body = Jws.decode(token.split("\\.")[1]);
    return "{" + String.join(",", members) + "," + body.substring(1)
        .replaceFirst("\"scope\":\"[^\"]*\",?", "").replaceFirst("\"exp\":\\d+,?", "");
  }

  private Jws.Signer signer() {
    try {
      return Jws.es256(t.brokerSigningKey.toECPrivateKey());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
