package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spiffe.BundleSet;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.X509SvidVerifier;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import dev.jitaccess.testkit.TestOidcIssuer;
import dev.jitaccess.testkit.TestTrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 4's "done when", end to end: one broker with the real {@link JwtSvidVerifier}, {@link
 * X509SvidVerifier} and {@link OidcIdentityVerifier} issues a grant for a valid JWT-SVID, X.509-SVID and
 * OIDC token, and refuses every crafted bad credential of the table with nothing issued: the audit shows
 * DENIED with the failed rule, and no ISSUED.
 */
class EndToEndIdentityTest {
  static final String AUDIENCE = "jit-broker";
  static final String OIDC_ISSUER = "https://token.actions.example";
  static final String POLICY = """
      version: 1
      maxTtl: 1h
      rules:
        - id: workloads-read
          owner: platform-team
          effect: allow
          match:
            identity:
              id: ["spiffe://prod.example.org/**", "spiffe://crafted.example.org/**"]
            actions: [read]
          grant: {maxTtl: 10m}
        - id: github-read
          owner: platform-team
          effect: allow
          match:
            identity:
              issuer: https://token.actions.example
            actions: [read]
          grant: {maxTtl: 10m}
      """;

  ManualClock clock;
  Instant now;
  TestTrustDomain prod;
  TestOidcIssuer github;
  CraftedPki.Domain crafted;
  CraftedPki.Domain other;
  RecordingAuditSink audit;
  OidcIdentityVerifier oidc;
  GrantBroker broker;

  @BeforeEach
  void broker() {
    clock = ManualClock.at(Scene.START);
    now = clock.instant();
    prod = TestTrustDomain.create("prod.example.org", clock);
    github = TestOidcIssuer.create(OIDC_ISSUER, clock);
    crafted = CraftedPki.Domain.create("crafted.example.org", now);
    other = CraftedPki.Domain.create("other.example.org", now);
    BundleSet bundles = BundleSet.of(prod.bundle(), crafted.bundle(), other.bundle());
    audit = new RecordingAuditSink();
    oidc = github.verifier(AUDIENCE).build();
    broker = GrantBroker.builder()
        .issuer("https://jit.example.org")
        .identityVerifier(JwtSvidVerifier.builder().bundleSource(bundles).audiences(AUDIENCE).clock(clock).build())
        .identityVerifier(X509SvidVerifier.builder().bundleSource(bundles).clock(clock).build())
        .identityVerifier(oidc)
        .policy(RulePolicy.of(Policy.parse("e2e.yaml", POLICY).orElseThrow()))
        .clock(clock)
        .scheduler(clock)
        .auditSink(audit)
        .build();
  }

  @AfterEach
  void close() {
    broker.close();
    oidc.close();
  }

  @Test
  void aValidJwtSvidGetsAGrant() {
    Grant grant = request(Credential.jwtSvid(prod.jwtSvid("spiffe://prod.example.org/ci/build", AUDIENCE)));
    assertThat(grant.info().subject()).isEqualTo("spiffe://prod.example.org/ci/build");
    assertThat(grant.info().isSenderConstrained()).isFalse();
    assertThat(audit.types()).containsSubsequence(AuditEventType.REQUESTED, AuditEventType.ISSUED);
  }

  @Test
  void aValidX509SvidGetsAGrantBoundToItsCertificate() {
    TestTrustDomain.X509Svid svid = prod.x509Svid("spiffe://prod.example.org/services/billing");
    Grant grant = request(svid.credential());
    assertThat(grant.info().subject()).isEqualTo("spiffe://prod.example.org/services/billing");
    assertThat(grant.info().certificateThumbprint()).isPresent();
    assertThat(audit.types()).contains(AuditEventType.ISSUED);
  }

  @Test
  void aValidOidcTokenGetsAGrant() {
    Grant grant = request(Credential.oidcToken(github.githubActionsToken(AUDIENCE, "octo-org/app", "refs/heads/main")));
    assertThat(grant.info().subject()).startsWith(OIDC_ISSUER + "#");
    assertThat(grant.info().ruleIds()).containsExactly("github-read");
    assertThat(audit.types()).contains(AuditEventType.ISSUED);
  }

  @Test
  void wellFormedCraftedCredentialsAreAcceptedSoEachBadOneFailsForItsOneDefect() {
    request(Credential.jwtSvid(crafted.jwt(crafted.jwtKey().getKeyID(), claims(crafted.id("/w")).build())));
    request(Credential.x509Svid(List.of(validLeaf())));
    assertThat(audit.events(AuditEventType.ISSUED)).hasSize(2);
  }

  @TestFactory
  Stream<DynamicTest> everyCraftedBadCredentialIsRefusedWithNothingIssued() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : badCredentials()) {
      tests.add(dynamicTest(c.name(), () -> {
        audit.clear();
        Credential credential = c.credential().get();
        assertThatThrownBy(() -> request(credential))
            .isInstanceOf(AccessDeniedException.class)
            .hasMessageContaining(c.reason());
        assertThat(audit.types()).as("audit of " + c.name()).contains(AuditEventType.DENIED)
            .doesNotContain(AuditEventType.ISSUED, AuditEventType.BREAK_GLASS);
        assertThat(audit.last(AuditEventType.DENIED).field(AuditEvent.REASON))
            .hasValueSatisfying(r -> assertThat(r).contains(c.reason()));
        assertThat(audit.last(AuditEventType.DENIED).field(AuditEvent.IDENTITY)).contains("unverified");
      }));
    }
    return tests.stream();
  }

  /** One crafted credential and the reason the broker must give (the verifier's reason; its rule is a separate field). */
  record Case(String name, Supplier<Credential> credential, String reason) {}

  List<Case> badCredentials() {
    String cid = crafted.id("/w");
    String kid = crafted.jwtKey().getKeyID();
    return List.of(
        // JWT-SVIDs
        new Case("JWT-SVID with alg none", () -> Credential.jwtSvid(unsigned("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\""
            + kid + "\"}", claims(cid).build())), "algorithm \"none\" is not allowed"),
        new Case("JWT-SVID HS256-signed with the trust domain's public key bytes", () -> {
          byte[] publicKey = prod.bundle().jwtAuthority(prod.jwtKeyId()).orElseThrow().getEncoded();
          return Credential.jwtSvid(CraftedPki.jwt(JWSAlgorithm.HS256, macSigner(publicKey), prod.jwtKeyId(),
              claims("spiffe://prod.example.org/ci/build").build()));
        }, "algorithm \"HS256\" is not allowed"),
        new Case("JWT-SVID without aud", () -> Credential.jwtSvid(crafted.jwt(kid,
            claims(cid).audience((String) null).build())), "token has no aud claim"),
        new Case("JWT-SVID for another audience", () -> Credential.jwtSvid(crafted.jwt(kid,
            claims(cid).audience("some-other-service").build())), "aud does not contain the expected audience"),
        new Case("expired JWT-SVID", () -> Credential.jwtSvid(crafted.jwt(kid, claims(cid)
            .issueTime(Date.from(now.minus(Duration.ofMinutes(20))))
            .expirationTime(Date.from(now.minus(Duration.ofMinutes(10)))).build())), "JWT-SVID expired at "),
        new Case("JWT-SVID signed by another trust domain's key", () -> Credential.jwtSvid(other.jwt(
            other.jwtKey().getKeyID(), claims(cid).build())),
            "kid \"other.example.org-jwt\" is not a jwt-svid key of trust domain crafted.example.org"),
        new Case("JWT-SVID whose kid is not in the bundle", () -> Credential.jwtSvid(crafted.jwt("no-such-kid",
            claims(cid).build())), "kid \"no-such-kid\" is not a jwt-svid key"),
        new Case("JWT-SVID presenting another domain's kid with a forged signature", () -> Credential.jwtSvid(
            other.jwt(kid, claims(cid).build())), "signature does not verify"),
        // X.509-SVIDs
        new Case("X.509-SVID with two URI SANs", () -> x509(CraftedPki.leaf(crafted.root(), now,
            List.of(cid, crafted.id("/x")), false, KeyUsage.digitalSignature)), "leaf certificate has 2 URI SANs"),
        new Case("X.509-SVID whose leaf is a CA", () -> x509(CraftedPki.leaf(crafted.root(), now, List.of(cid), true,
            KeyUsage.digitalSignature)), "leaf certificate has cA=true"),
        new Case("X.509-SVID whose leaf has keyCertSign", () -> x509(CraftedPki.leaf(crafted.root(), now,
            List.of(cid), false, KeyUsage.digitalSignature | KeyUsage.keyCertSign)), "leaf certificate has keyCertSign"),
        new Case("X.509-SVID whose SPIFFE ID has no path", () -> x509(CraftedPki.leaf(crafted.root(), now,
            List.of("spiffe://crafted.example.org"), false, KeyUsage.digitalSignature)), "leaf SPIFFE ID has no path"),
        new Case("X.509-SVID under an untrusted root", () -> {
          CraftedPki.Ca rogue = CraftedPki.ca("rogue root", null, now);
          return x509(CraftedPki.leaf(rogue, now, List.of(cid), false, KeyUsage.digitalSignature));
        }, "chain does not validate to a root of trust domain crafted.example.org"),
        new Case("X.509-SVID with an over-long chain", () -> {
          List<X509Certificate> chain = new ArrayList<>();
          CraftedPki.Ca ca = crafted.root();
          List<X509Certificate> intermediates = new ArrayList<>();
          for (int i = 1; i <= 5; i++) {
            ca = CraftedPki.ca("intermediate " + i, ca, now);
            intermediates.add(0, ca.certificate());
          }
          chain.add(CraftedPki.leaf(ca, now, List.of(cid), false, KeyUsage.digitalSignature));
          chain.addAll(intermediates);
          return Credential.x509Svid(chain);
        }, "chain of 6 certificates exceeds the limit of 5"),
        // OIDC
        new Case("OIDC token from another issuer", () -> Credential.oidcToken(TestOidcIssuer
            .create("https://evil.example", clock).githubActionsToken(AUDIENCE, "octo-org/app", "refs/heads/main")),
            "is not the expected issuer"),
        new Case("OIDC token for another audience", () -> Credential.oidcToken(
            github.githubActionsToken("some-other-service", "octo-org/app", "refs/heads/main")), "aud"));
  }

  private X509Certificate validLeaf() {
    return CraftedPki.leaf(crafted.root(), now, List.of(crafted.id("/w")), false, KeyUsage.digitalSignature);
  }

  private JWTClaimsSet.Builder claims(String subject) {
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
  }

  private static Credential x509(X509Certificate leaf) {
    return Credential.x509Svid(List.of(leaf));
  }

  private static String unsigned(String header, JWTClaimsSet claims) {
    return Base64URL.encode(header.getBytes(StandardCharsets.UTF_8)) + "."
        + Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  private static MACSigner macSigner(byte[] secret) {
    try {
      return new MACSigner(secret);
    } catch (com.nimbusds.jose.KeyLengthException e) {
      throw new IllegalStateException(e);
    }
  }

  private Grant request(Credential credential) {
    return broker.request(GrantRequest.builder()
        .credential(credential)
        .taskId("e2e-1")
        .purpose("test")
        .resource("https://reports.prod.example.org")
        .actions("read")
        .environment("prod")
        .ttl(Duration.ofMinutes(5))
        .build());
  }
}
