package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.Fixtures.RecordingListener;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.internal.GrantTokens;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DelegationAndBindingTest {
  static final String AGENT = "spiffe://example.org/agent/planner";
  static final String TOOL = "spiffe://example.org/tool/sql";
  static final String SUBTOOL = "spiffe://example.org/tool/sql-reader";
  static final String AUD = "postgres://orders";

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final RecordingListener listener = new RecordingListener();
  final CertIdentities certs = new CertIdentities();
  GrantBroker broker = GrantBroker.builder().issuer(ISSUER)
      .identityVerifier(certs)
      .identityVerifier(new Fixtures.FakeIdentities())
      .policy(ctx -> new Decision.Allow(
          GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)).withMaxDelegationDepth(2),
          List.of(ctx.request().attributes().containsKey(DelegationRequest.PARENT_ATTRIBUTE) ? "delegate" : "root"),
          List.of(), ""))
      .clock(clock).scheduler(clock).auditSink(audit).listener(listener).build();

  @AfterEach
  void close() {
    broker.close();
  }

  /** Verifies a presented certificate chain as the SPIFFE ID in its CN, with its thumbprint. */
  static final class CertIdentities implements IdentityVerifier {
    @Override
    public boolean supports(Credential credential) {
      return credential instanceof Credential.CertificateChain;
    }

    @Override
    public IdentityResult verify(Credential credential) {
      X509Certificate leaf = ((Credential.CertificateChain) credential).leaf();
      try {
        return IdentityResult.verified(WorkloadIdentity.builder("spiffe://example.org/mtls/" + leaf.getSerialNumber(),
            "spiffe://example.org").kind("x509-svid").certificateThumbprint(
                dev.jitaccess.internal.Thumbprints.x5tS256(leaf)).build());
      } catch (java.security.cert.CertificateEncodingException e) {
        return IdentityResult.rejected("bad certificate");
      }
    }
  }

  Grant root(String actions) {
    return broker.request(GrantRequest.builder().credential(Credential.jwtSvid("id:" + AGENT)).taskId("task-1")
        .purpose("answer-ticket").resource(AUD).environment("prod").ttl(Duration.ofMinutes(10))
        .actions(List.of(actions.split(" "))).build());
  }

  DelegationRequest.Builder delegation(Grant parent, String to, String... actions) {
    return DelegationRequest.builder(parent).credential(Credential.jwtSvid("id:" + to)).actions(actions)
        .ttl(Duration.ofMinutes(30));
  }

  Verification verify(String token) {
    return broker.verifier().verify(token, AUD);
  }

  @Test
  void subGrantIsNarrowerShorterAndCarriesTheActChain() throws Exception {
    Grant parent = root("read write");
    clock.advance(Duration.ofMinutes(4));
    Grant child = broker.delegate(delegation(parent, TOOL, "read").build());
    assertThat(child.info().actions()).containsExactly("read");
    assertThat(child.info().subject()).isEqualTo(TOOL);
    assertThat(child.info().taskId()).isEqualTo("task-1");
    assertThat(child.expiresAt()).isEqualTo(parent.expiresAt()); // asked 30 minutes, parent had 6 left
    assertThat(child.info().delegators()).containsExactly(AGENT);
    assertThat(child.info().parentGrantId()).contains(parent.id());
    assertThat(child.info().ruleIds()).containsExactly("delegate");
    JWTClaimsSet claims = SignedJWT.parse(child.token()).getJWTClaimsSet();
    // RFC 8693 section 4.1: sub stays the agent (on whose behalf), act names the current actor
    assertThat(claims.getSubject()).isEqualTo(AGENT);
    assertThat(claims.getJSONObjectClaim("act")).isEqualTo(Map.of("sub", TOOL));
    Grant grandchild = broker.delegate(delegation(child, SUBTOOL, "read").build());
    JWTClaimsSet grandClaims = SignedJWT.parse(grandchild.token()).getJWTClaimsSet();
    assertThat(grandClaims.getSubject()).isEqualTo(AGENT);
    Map<String, Object> act = grandClaims.getJSONObjectClaim("act");
    assertThat(act).containsEntry("sub", SUBTOOL);
    assertThat(act.get("act")).isEqualTo(Map.of("sub", TOOL));
    assertThat(((Verification.Verified) verify(grandchild.token())).grant().delegators()).containsExactly(TOOL, AGENT);
    assertThat(audit.of(AuditEventType.DELEGATED)).hasSize(2);
  }

  @Test
  void subGrantCannotWidenActionsOrResource() {
    Grant parent = root("read");
    assertThatThrownBy(() -> broker.delegate(delegation(parent, TOOL, "read", "write").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("[write] are not granted by the parent");
    assertThatThrownBy(() -> broker.delegate(delegation(parent, TOOL, "read").resource("postgres://billing").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("not within the parent's");
    assertThatThrownBy(() -> broker.delegate(delegation(parent, TOOL, "read").resource("postgres://orders-evil").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("not within the parent's");
    Grant narrower = broker.delegate(delegation(parent, TOOL, "read").resource("postgres://orders/customers").build());
    assertThat(narrower.info().resource()).isEqualTo("postgres://orders/customers");
  }

  @Test
  void delegationDepthIsLimited() {
    Grant parent = root("read");
    Grant child = broker.delegate(delegation(parent, TOOL, "read").build());
    Grant grandchild = broker.delegate(delegation(child, SUBTOOL, "read").build());
    assertThat(grandchild.info().delegationsLeft()).isZero();
    assertThatThrownBy(() -> broker.delegate(delegation(grandchild, "spiffe://example.org/x", "read").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("may not be delegated");
  }

  @Test
  void aGrantWhosePolicyForbidsDelegationCannotBeDelegated() {
    broker.close();
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).auditSink(audit).build();
    Grant parent = root("read");
    assertThatThrownBy(() -> broker.delegate(delegation(parent, TOOL, "read").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("may not be delegated");
  }

  @Test
  void policyDecidesWhoMayReceiveADelegation() {
    broker.close();
    broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(ctx -> ctx.identity().id().startsWith("spiffe://example.org/tool/")
                || !ctx.request().attributes().containsKey(DelegationRequest.PARENT_ATTRIBUTE)
            ? new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)).withMaxDelegationDepth(3),
                List.of("r"), List.of(), "")
            : Decision.deny("only tools may receive delegated grants"))
        .clock(clock).scheduler(clock).auditSink(audit).build();
    Grant parent = root("read");
    assertThat(broker.delegate(delegation(parent, TOOL, "read").build()).info().subject()).isEqualTo(TOOL);
    assertThatThrownBy(() -> broker.delegate(delegation(parent, "spiffe://example.org/stranger", "read").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("only tools");
  }

  @Test
  void closingTheParentRevokesEveryDescendant() {
    Grant parent = root("read write");
    Grant child = broker.delegate(delegation(parent, TOOL, "read").build());
    Grant grandchild = broker.delegate(delegation(child, SUBTOOL, "read").build());
    parent.close();
    assertThat(((Verification.Rejected) verify(child.token())).reason()).isEqualTo(RejectionReason.REVOKED);
    assertThat(((Verification.Rejected) verify(grandchild.token())).reason()).isEqualTo(RejectionReason.REVOKED);
    assertThat(listener.count("revoked-PARENT")).isEqualTo(2);
    assertThatThrownBy(() -> broker.delegate(delegation(parent, TOOL, "read").build()))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("not live");
  }

  @Test
  void theVerifierChecksAncestorsEvenWithoutTheCascade() {
    Grant parent = root("read");
    Grant child = broker.delegate(delegation(parent, TOOL, "read").build());
    // a second verifier on the same store sees the parent's end through the store alone
    GrantInfo info = ((Verification.Verified) verify(child.token())).grant();
    assertThat(info.parentGrantId()).contains(parent.id());
    broker.revoke(parent.id());
    assertThat(verify(child.token()).isVerified()).isFalse();
  }

  @Test
  void aTokenPresentedForAnotherTaskIsRejectedAndAuditedAsReuse() {
    Grant grant = root("read");
    Verification ok = broker.verifier().verify(grant.token(), VerificationRequest.builder(AUD).taskId("task-1").build());
    assertThat(ok.isVerified()).isTrue();
    Verification v = broker.verifier().verify(grant.token(), VerificationRequest.builder(AUD).taskId("task-2").build());
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(RejectionReason.WRONG_TASK);
    assertThat(audit.of(AuditEventType.REUSE_BLOCKED)).hasSize(1);
    Verification scope = broker.verifier().verify(grant.token(),
        VerificationRequest.builder(AUD).requiredActions("write").build());
    assertThat(((Verification.Rejected) scope).reason()).isEqualTo(RejectionReason.INSUFFICIENT_SCOPE);
  }

  // ------------------------------------------------------------------ sender-constrained: mTLS

  static X509Certificate selfSigned(long serial) throws Exception {
    return selfSigned(serial, null);
  }

  /** A self-signed EC certificate, CN=workload, with {@code uriSan} as its URI SAN when given. */
  static X509Certificate selfSigned(long serial, @org.jspecify.annotations.Nullable String uriSan) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=workload");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial),
        Date.from(java.time.Instant.parse("2026-01-01T00:00:00Z")), Date.from(java.time.Instant.parse("2027-01-01T00:00:00Z")),
        name, kp.getPublic());
    if (uriSan != null) {
      b.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
          new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
              org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, uriSan)));
    }
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
  }

  @Test
  void anX509IdentityGetsACertificateBoundTokenUselessWithoutTheCertificate() throws Exception {
    X509Certificate cert = selfSigned(7);
    Grant grant = broker.request(GrantRequest.builder().credential(Credential.x509Svid(List.of(cert))).taskId("t")
        .purpose("deploy").resource(AUD).actions("read").environment("prod").ttl(Duration.ofMinutes(5)).build());
    Map<String, Object> cnf = SignedJWT.parse(grant.token()).getJWTClaimsSet().getJSONObjectClaim("cnf");
    assertThat(cnf).containsEntry("x5t#S256", dev.jitaccess.internal.Thumbprints.x5tS256(cert));
    // stolen token alone
    assertThat(((Verification.Rejected) verify(grant.token())).reason()).isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    // with another certificate
    Verification other = broker.verifier().verify(grant.token(),
        VerificationRequest.builder(AUD).peerCertificate(selfSigned(8)).build());
    assertThat(((Verification.Rejected) other).reason()).isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    // with the holder's certificate
    assertThat(broker.verifier().verify(grant.token(), VerificationRequest.builder(AUD).peerCertificate(cert).build())
        .isVerified()).isTrue();
  }

  @Test
  void proofOfPossessionCanBeRequired() {
    Grant bearer = root("read");
    Verification v = broker.verifier().verify(bearer.token(), VerificationRequest.builder(AUD).requireProofOfPossession().build());
    assertThat(((Verification.Rejected) v).reason()).isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
  }

  // ------------------------------------------------------------------ sender-constrained: DPoP

  static String proof(ECKey key, String method, String uri, String token, java.time.Instant iat, String jti) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt")).jwk(key.toPublicJWK()).build(),
        new JWTClaimsSet.Builder().jwtID(jti).claim("htm", method).claim("htu", uri)
            .issueTime(Date.from(iat)).claim("ath", GrantTokens.sha256(token)).build());
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  VerificationRequest dpop(String proof) {
    return VerificationRequest.builder(AUD).dpop(proof, "GET", "https://api.example.org/orders?id=1").build();
  }

  @Test
  void aDpopBoundTokenNeedsAFreshProofFromItsKey() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    Grant grant = broker.request(Fixtures.request(AGENT).taskId("t").ttl(Duration.ofMinutes(5))
        .dpopKey(holder.toPublicJWK().toJSONString()).build());
    assertThat(SignedJWT.parse(grant.token()).getJWTClaimsSet().getJSONObjectClaim("cnf"))
        .containsEntry("jkt", holder.computeThumbprint().toString());
    String t = grant.token();
    String good = proof(holder, "GET", "https://api.example.org/orders", t, clock.instant(), UUID.randomUUID().toString());
    assertThat(broker.verifier().verify(t, dpop(good)).isVerified()).isTrue();
    // replayed proof
    assertThat(((Verification.Rejected) broker.verifier().verify(t, dpop(good))).reason()).isEqualTo(RejectionReason.REPLAYED);
    assertThat(audit.of(AuditEventType.REPLAY_BLOCKED)).hasSize(1);
    // stolen token, no proof
    assertThat(((Verification.Rejected) verify(t)).reason()).isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    // the thief's own key
    ECKey thief = new ECKeyGenerator(Curve.P_256).generate();
    String forged = proof(thief, "GET", "https://api.example.org/orders", t, clock.instant(), "j2");
    assertThat(((Verification.Rejected) broker.verifier().verify(t, dpop(forged))).reason())
        .isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    // wrong method, wrong URI, stale, wrong token hash
    for (String bad : List.of(
        proof(holder, "POST", "https://api.example.org/orders", t, clock.instant(), "j3"),
        proof(holder, "GET", "https://api.example.org/admin", t, clock.instant(), "j4"),
        proof(holder, "GET", "https://api.example.org/orders", t, clock.instant().minus(Duration.ofMinutes(5)), "j5"),
        proof(holder, "GET", "https://api.example.org/orders", "another-token", clock.instant(), "j6"),
        "not-a-jwt")) {
      assertThat(((Verification.Rejected) broker.verifier().verify(t, dpop(bad))).reason())
          .isEqualTo(RejectionReason.PROOF_OF_POSSESSION);
    }
  }

  @Test
  void aPrivateOrSymmetricDpopKeyIsRefused() throws Exception {
    ECKey holder = new ECKeyGenerator(Curve.P_256).generate();
    assertThatThrownBy(() -> GrantRequest.builder().dpopKey(holder.toJSONString()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public");
    assertThatThrownBy(() -> GrantRequest.builder().dpopKey("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrantRequest.builder().dpopKey("nope")).isInstanceOf(IllegalArgumentException.class);
  }
}
