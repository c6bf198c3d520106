package dev.jitaccess.micrometer;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.spi.BrokerObserver;
import dev.jitaccess.testkit.TestTrustDomain;
import dev.jitaccess.spi.AuditSink;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The broker's operations as Micrometer observations: names, outcome tags, nothing of high cardinality. */
class JitObservationsTest {
  private static final String RESOURCE = ReportsBroker.RESOURCE;

  private final ReportsBroker world = new ReportsBroker();
  private final TestTrustDomain spire = world.spire;
  private GrantBroker broker;

  @AfterEach
  void close() {
    if (broker != null) {
      broker.close();
    }
  }

  private GrantBroker broker(BrokerObserver observer) {
    return world.broker()
        .observer(observer)
        .auditSink(AuditSink.discardEveryRecord()) // no SLF4J provider here; these tests read observations
        .build();
  }

  private GrantRequest request(String task, String resource) {
    return world.request(task, resource, "jit-broker").build();
  }

  @Test
  void eachOperationIsOneObservationWithItsOutcomeAndReason() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    broker = broker(JitObservations.create(observations));

    Grant grant = broker.request(request("build-1", RESOURCE));
    assertThatThrownBy(() -> broker.request(request("build-2", "https://payroll.example.org")))
        .isInstanceOf(AccessDeniedException.class);
    broker.evaluate(request("build-3", RESOURCE));
    broker.verifier().verify(grant.token(), RESOURCE);
    broker.verifier().verify(grant.token(), "https://elsewhere.example.org");
    broker.delegate(DelegationRequest.builder(grant)
        .credential(Credential.jwtSvid(spire.jwtSvid("spiffe://prod.example.org/ci/tool", "jit-broker")))
        .actions("read").ttl(Duration.ofMinutes(1)).build());

    assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo(JitObservations.REQUEST, 2)
        .hasNumberOfObservationsWithNameEqualTo(JitObservations.EVALUATE, 1)
        .hasNumberOfObservationsWithNameEqualTo(JitObservations.VERIFY, 2)
        .hasNumberOfObservationsWithNameEqualTo(JitObservations.DELEGATE, 1)
        .hasAnObservation(o -> o.hasNameEqualTo(JitObservations.REQUEST)
            .hasLowCardinalityKeyValue("outcome", "allowed").hasLowCardinalityKeyValue("reason", "none")
            .hasContextualNameEqualTo("jit request").hasOnlyKeys("outcome", "reason"))
        .hasAnObservation(o -> o.hasNameEqualTo(JitObservations.REQUEST)
            .hasLowCardinalityKeyValue("outcome", "denied").hasLowCardinalityKeyValue("reason", "policy"))
        .hasAnObservation(o -> o.hasNameEqualTo(JitObservations.VERIFY)
            .hasLowCardinalityKeyValue("outcome", "rejected").hasLowCardinalityKeyValue("reason", "wrong_audience"))
        .hasAnObservation(o -> o.hasNameEqualTo(JitObservations.DELEGATE)
            .hasLowCardinalityKeyValue("outcome", "allowed").hasOnlyKeys("outcome", "reason"));
  }

  @Test
  void withTheMeterHandlerEachOperationIsATimerTaggedOnlyWithOutcomeAndReason() {
    MeterRegistry meters = new SimpleMeterRegistry();
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
    broker = broker(JitObservations.create(observations));

    Grant grant = broker.request(request("build-1", RESOURCE));
    broker.verifier().verify(grant.token(), RESOURCE);
    broker.revoke(grant.id());
    broker.verifier().verify(grant.token(), RESOURCE);

    assertThat(meters.get(JitObservations.REQUEST).tags("outcome", "allowed", "reason", "none").timer().count())
        .isEqualTo(1);
    assertThat(meters.get(JitObservations.VERIFY).tags("outcome", "verified", "reason", "none").timer().count())
        .isEqualTo(1);
    assertThat(meters.get(JitObservations.VERIFY).tags("outcome", "rejected", "reason", "revoked").timer().count())
        .isEqualTo(1);
    Set<String> tagKeys = meters.getMeters().stream().map(Meter::getId)
        .filter(id -> id.getName().startsWith("jit."))
        .flatMap(id -> id.getTags().stream()).map(Tag::getKey).collect(Collectors.toSet());
    assertThat(tagKeys).isSubsetOf("outcome", "reason", "error");
  }

  @Test
  void aRegistryWithoutHandlersCostsNothingAndStillIssues() {
    broker = broker(JitObservations.create(ObservationRegistry.NOOP));
    assertThat(broker.request(request("build-1", RESOURCE)).isLive()).isTrue();
  }

  @Test
  void namesAndArgumentsAreChecked() {
    assertThat(JitObservations.name(BrokerObserver.Operation.REQUEST)).isEqualTo("jit.grant.request");
    assertThat(JitObservations.name(BrokerObserver.Operation.EVALUATE)).isEqualTo("jit.grant.evaluate");
    assertThat(JitObservations.name(BrokerObserver.Operation.VERIFY)).isEqualTo("jit.token.verify");
    assertThat(JitObservations.name(BrokerObserver.Operation.DELEGATE)).isEqualTo("jit.grant.delegate");
    assertThatNullPointerException().isThrownBy(() -> JitObservations.create(null)).withMessage("registry");
    assertThatNullPointerException().isThrownBy(() -> JitObservations.name(null)).withMessage("operation");
    assertThatNullPointerException().isThrownBy(() -> JitObservations.create(ObservationRegistry.NOOP).start(null))
        .withMessage("operation");
  }
}
