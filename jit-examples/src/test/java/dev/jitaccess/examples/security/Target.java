package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.Rule;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import dev.jitaccess.spiffe.BundleSet;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.TrustDomain;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The system under attack: a broker with real verifiers for a crafted SPIFFE trust domain and a crafted
 * OIDC issuer whose private keys the test holds (so it can sign exactly the malformed tokens it wants),
 * an in-memory store, a recording audit sink and a manual clock. The broker signs with a shared key the
 * test also holds, to forge grant tokens that differ from real ones in one claim only.
 */
final class Target implements AutoCloseable {
  static final String TD = "example.org";
  static final String FOREIGN_TD = "other.org";
  static final String AUDIENCE = "jit-broker";
  static final String ISSUER = "https://jit.test";
  static final String OIDC_ISSUER = "https://oidc.test";
  static final String WORKLOAD = "spiffe://example.org/ci/deploy";
  static final String EC_KID = "ec-1";
  static final String RSA_KID = "rsa-1";
  static final String FOREIGN_KID = "other-1";
  static final String OIDC_KID = "oidc-1";
  static final String OIDC_RSA_KID = "oidc-rsa-1";
  static final String RESOURCE = "db://prod";
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private static final KeyPair RSA_1 = rsa();
  private static final KeyPair RSA_2 = rsa();

  final ManualClock clock = ManualClock.at(START);
  final KeyPair ec = ec();
  final KeyPair rsa = RSA_1;
  final KeyPair foreign = ec();
  final KeyPair attacker = ec();
  final KeyPair oidcEc = ec();
  final KeyPair oidcRsa = RSA_2;
  final SpiffeBundle bundle;
  final SpiffeBundle foreignBundle;
  final String oidcJwks;
  final JwtSvidVerifier jwtSvidVerifier;
  final OidcIdentityVerifier oidcVerifier;
  final RecordingAuditSink audit = new RecordingAuditSink();
  final GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofMinutes(5));
  final InMemoryApprovalHandler approvals = ApprovalHandler.inMemory(clock).group("ops", "alice").build();
  final GrantBroker broker;

  Target() {
    this(b -> {});
  }

  Target(Consumer<GrantBroker.Builder> customizer) {
    this(customizer, java.util.function.UnaryOperator.identity());
  }

  /** A target whose broker reaches {@link #store} through {@code storeWrapper} (a latch-driven store, say). */
  Target(Consumer<GrantBroker.Builder> customizer, java.util.function.UnaryOperator<GrantStore> storeWrapper) {
    try {
      KeyPair bk = ec();
      ECKey k = new ECKey.Builder(Curve.P_256, (ECPublicKey) bk.getPublic()).privateKey(bk.getPrivate()).build();
      bundle = SpiffeBundle.builder(TrustDomain.parse(TD))
          .jwtAuthority(EC_KID, ec.getPublic())
          .jwtAuthority(RSA_KID, rsa.getPublic())
          .build();
      foreignBundle = SpiffeBundle.builder(TrustDomain.parse(FOREIGN_TD)).jwtAuthority(FOREIGN_KID, foreign.getPublic()).build();
      oidcJwks = new JWKSet(List.of(
          new ECKey.Builder(Curve.P_256, (ECPublicKey) oidcEc.getPublic()).keyID(OIDC_KID).build(),
          new RSAKey.Builder((RSAPublicKey) oidcRsa.getPublic()).keyID(OIDC_RSA_KID).build())).toString();
      jwtSvidVerifier = JwtSvidVerifier.builder().bundleSource(BundleSet.of(bundle, foreignBundle))
          .audiences(AUDIENCE).ownerClaim("owner").clock(clock).build();
      oidcVerifier = OidcIdentityVerifier.builder().issuer(OIDC_ISSUER).jwks(oidcJwks).audience(AUDIENCE)
          .algorithms("ES256", "RS256").clock(clock).build();
      GrantBroker.Builder b = GrantBroker.builder()
          .issuer(ISSUER)
          .identityVerifier(jwtSvidVerifier)
          .identityVerifier(oidcVerifier)
          .policy(RulePolicy.of(policy()))
          .approvalHandler(approvals)
          .auditSink(audit)
          .store(storeWrapper.apply(store))
          .clock(clock)
          .scheduler(clock)
          .callbackExecutor(Runnable::run)
          .signingKey(k.toJSONString());
      customizer.accept(b);
      broker = b.build();
      brokerSigningKey = k;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The broker's private signing key (shared-key mode), to forge grant tokens. */
  final ECKey brokerSigningKey;

  static Policy policy() {
    return Policy.builder()
        .name("attack-suite")
        .maxTtl(Duration.ofHours(1))
        .rule(Rule.builder("deploy").owner("security").description("direct grants").purposes("deploy").allow().build())
        .rule(Rule.builder("one-shot").owner("security").description("single use").purposes("one-shot")
            .singleUse(true).allow().build())
        .rule(Rule.builder("agent").owner("security").description("delegable").purposes("agent")
            .maxDelegationDepth(2).allow().build())
        .rule(Rule.builder("standing").owner("security").description("renewing grants").purposes("standing")
            .renewable(true).allow().build())
        .rule(Rule.builder("capped").owner("security").description("capped at the credential's expiry")
            .purposes("capped").capAtCredentialExpiry(Duration.ofMinutes(1)).allow().build())
        .rule(Rule.builder("shared").owner("security").description("may join another owner's task")
            .purposes("shared").sharedTask(true).allow().build())
        .rule(Rule.builder("deep-agent").owner("security").description("delegable three times").purposes("deep-agent")
            .maxDelegationDepth(3).allow().build())
        .rule(Rule.builder("one-shot-agent").owner("security").description("single use, delegable")
            .purposes("one-shot-agent").singleUse(true).maxDelegationDepth(2).allow().build())
        .rule(Rule.builder("approve").owner("security").description("needs ops").purposes("approve")
            .requireApproval("ops", 1, Duration.ofMinutes(10)).build())
        .build();
  }

  long now() {
    return clock.instant().getEpochSecond();
  }

  // ------------------------------------------------------------------ well-formed credentials (controls)

  String svidHeader() {
    return Jws.json("alg", "ES256", "kid", EC_KID, "typ", "JWT");
  }

  String svidClaims(String sub) {
    return Jws.json("sub", sub, "aud", AUDIENCE, "exp", now() + 300, "iat", now());
  }

  String svid() {
    return Jws.token(svidHeader(), svidClaims(WORKLOAD), Jws.es256(ec.getPrivate()));
  }

  String svid(String sub) {
    return Jws.token(svidHeader(), svidClaims(sub), Jws.es256(ec.getPrivate()));
  }

  /** A JWT-SVID of {@code sub} whose {@code owner} claim names its owner. */
  String svid(String sub, String owner) {
    return Jws.token(svidHeader(), Jws.json("sub", sub, "aud", AUDIENCE, "exp", now() + 300, "iat", now(),
        "owner", owner), Jws.es256(ec.getPrivate()));
  }

  String oidcHeader() {
    return Jws.json("alg", "ES256", "kid", OIDC_KID, "typ", "JWT");
  }

  String oidcClaims() {
    return Jws.json("iss", OIDC_ISSUER, "sub", "repo:octo/app", "aud", AUDIENCE, "exp", now() + 300, "iat", now());
  }

  String oidc() {
    return Jws.token(oidcHeader(), oidcClaims(), Jws.es256(oidcEc.getPrivate()));
  }

  GrantRequest.Builder request(Credential credential, String task) {
    return GrantRequest.builder().credential(credential).taskId(task).purpose("deploy").resource(RESOURCE)
        .actions("read", "write").environment("prod").ttl(Duration.ofMinutes(10));
  }

  GrantRequest.Builder request(Credential credential, String task, String purpose) {
    return GrantRequest.builder().credential(credential).taskId(task).purpose(purpose).resource(RESOURCE)
        .actions("read", "write").environment("prod").ttl(Duration.ofMinutes(10));
  }

  /** A stand-alone verifier from the broker's public JWKS, reading the broker's store. */
  GrantVerifier standAlone(boolean withStore) {
    GrantVerifier.Builder b = GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).clock(clock);
    if (withStore) {
      b.store(store);
    }
    return b.build();
  }

  // ------------------------------------------------------------------ assertions

  /** Snapshot of what was issued so far. */
  record Issued(int live, int issuedEvents, int delegatedEvents) {}

  Issued issued() {
    return new Issued(store.liveCount(), audit.events(AuditEventType.ISSUED).size(),
        audit.events(AuditEventType.DELEGATED).size());
  }

  /** Nothing was issued since {@code before}: no ISSUED/DELEGATED event, store live count unchanged. */
  void assertNothingIssuedSince(Issued before) {
    assertThat(issued()).as("nothing issued (live grants, ISSUED and DELEGATED audit events)").isEqualTo(before);
  }

  @Override
  public void close() {
    broker.close();
    oidcVerifier.close();
  }

  static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
