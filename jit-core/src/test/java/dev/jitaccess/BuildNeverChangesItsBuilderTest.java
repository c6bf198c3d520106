package dev.jitaccess;

import static dev.jitaccess.internal.BuilderCase.of;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.internal.BuilderCase;
import dev.jitaccess.internal.CompactJws;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.InMemoryApprovalHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of every public builder of jit-core: {@code build()} resolves its defaults into the built object,
 * never into the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {
  static final ManualClock CLOCK = ManualClock.at("2026-11-23T10:00:00Z");

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("GrantRequest", () -> Fixtures.request(Fixtures.DEPLOYER).taskId("deploy-42").ttl(Duration.ofMinutes(3)),
            GrantRequest.Builder::build, b -> b.justification("incident 7"), Object::toString),
        of("DelegationRequest", () -> DelegationRequest.fromParentToken("parent.token.value").actions("read").ttl(Duration.ofMinutes(1))
            .credential(Credential.jwtSvid("id:" + Fixtures.DEPLOYER)), DelegationRequest.Builder::build,
            b -> b.justification("incident 7"), Object::toString),
        of("GrantInfo", BuildNeverChangesItsBuilderTest::grantInfo, GrantInfo.Builder::build,
            b -> b.owner("team-payments"), Function.identity()),
        of("VerificationRequest", () -> VerificationRequest.builder("postgres://orders").taskId("deploy-42"),
            VerificationRequest.Builder::build, b -> b.requiredActions("read"), Object::toString),
        of("WorkloadIdentity", () -> WorkloadIdentity.builder(Fixtures.DEPLOYER, "spiffe://example.org"),
            WorkloadIdentity.Builder::build, b -> b.owner("team-payments"), Function.identity()),
        of("SigningKeys", () -> SigningKeys.builder().active(KEY_1.toJSONString()), SigningKeys.Builder::build,
            b -> b.verifyOnly(ecKey("k2").toPublicJWK().toJSONString()), Object::toString),
        of("GrantBroker", BuildNeverChangesItsBuilderTest::broker, GrantBroker.Builder::build,
            b -> b.breakGlassTtl(Duration.ofMinutes(2)), BuildNeverChangesItsBuilderTest::grantLifetime),
        of("GrantVerifier", () -> GrantVerifier.builder().issuer(Fixtures.ISSUER).jwks(PUBLIC_JWKS),
            GrantVerifier.Builder::build, b -> b.clock(CLOCK),
            v -> v.verify("not.a.token", VerificationRequest.builder("postgres://orders").build())),
        of("InMemoryApprovalHandler", () -> ApprovalHandler.inMemory(CLOCK).group("dba", "alice"),
            InMemoryApprovalHandler.Builder::build, b -> b.onRequest(t -> {}), Object::getClass),
        of("CompactJws", () -> CompactJws.builder().algorithms(Set.of("ES256")).maxBytes(1024),
            CompactJws.Builder::build, CompactJws.Builder::refuseThumbprintHints,
            j -> List.of(j.algorithms(), j.deniedHeaders(), j.maxBytes())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }


  static final ECKey KEY_1 = ecKey("k1");
  static final String PUBLIC_JWKS = new JWKSet(KEY_1.toPublicJWK()).toString();

  static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static GrantInfo.Builder grantInfo() {
    return GrantInfo.builder().grantId("g-1").subject(Fixtures.DEPLOYER).issuer(Fixtures.ISSUER)
        .resource("postgres://orders").actions(Set.of("read")).taskId("deploy-42").purpose("deploy")
        .environment("prod").issuedAt(Instant.parse("2026-11-23T10:00:00Z"))
        .expiresAt(Instant.parse("2026-11-23T10:05:00Z")).ruleIds(List.of("r1"));
  }

  static GrantBroker.Builder broker() {
    return Fixtures.minimalBroker(e -> {}).clock(CLOCK).scheduler(CLOCK).signingKey(KEY_1.toJSONString())
        .store(GrantStore.inMemory(CLOCK, CLOCK, Duration.ofSeconds(30))).maxTtl(Duration.ofMinutes(10));
  }

  /** The lifetime of a grant the broker issues, and the keys it publishes. */
  static Object grantLifetime(GrantBroker broker) {
    Grant g = broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId("t-" + System.identityHashCode(broker))
        .ttl(Duration.ofMinutes(5)).build());
    return List.of(Duration.between(g.info().issuedAt(), g.expiresAt()), broker.publicJwks());
  }
}
