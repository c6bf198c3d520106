package dev.jitaccess.micrometer;

import dev.jitaccess.spi.BrokerObserver;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link BrokerObserver} on Micrometer's Observation API: one observation per broker operation, so a
 * registry with a {@code DefaultMeterObservationHandler} gets a timer per operation and a tracer a span,
 * from the one instrumentation point. Set it with {@code GrantBroker.Builder.observer}:
 *
 * <pre>{@code
 * ObservationRegistry observations = ObservationRegistry.create();
 * observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meterRegistry));
 * GrantBroker broker = GrantBroker.builder()
 *     ...
 *     .observer(JitObservations.create(observations))
 *     .build();
 * }</pre>
 *
 * <p>Observations (names lower-case and dot-separated; the registry's naming convention applies):
 * {@value #REQUEST}, {@value #EVALUATE}, {@value #VERIFY} and {@value #DELEGATE}, each with two
 * low-cardinality keys from closed sets: {@code outcome} ({@code allowed}, {@code denied},
 * {@code needs_approval}, {@code verified}, {@code rejected}, {@code failed}) and {@code reason} (a
 * {@code DenialCategory} or {@code Verification.RejectionReason} in lower case, {@code none} or
 * {@code error}). No identity, task, resource or grant id is ever a key. Thread-safe.
 */
public final class JitObservations implements BrokerObserver {
  /** Observation of {@code GrantBroker.request} and {@code requestAsync}. */
  public static final String REQUEST = "jit.grant.request";
  /** Observation of {@code GrantBroker.evaluate}. */
  public static final String EVALUATE = "jit.grant.evaluate";
  /** Observation of a token check by {@code GrantBroker.verifier()}. */
  public static final String VERIFY = "jit.token.verify";
  /** Observation of {@code GrantBroker.delegate}. */
  public static final String DELEGATE = "jit.grant.delegate";

  private static final Map<Operation, String> NAMES = new EnumMap<>(Map.of(
      Operation.REQUEST, REQUEST, Operation.EVALUATE, EVALUATE, Operation.VERIFY, VERIFY,
      Operation.DELEGATE, DELEGATE));
  private static final Map<Operation, String> CONTEXTUAL_NAMES = new EnumMap<>(Map.of(
      Operation.REQUEST, "jit request", Operation.EVALUATE, "jit evaluate", Operation.VERIFY, "jit verify",
      Operation.DELEGATE, "jit delegate"));

  private final ObservationRegistry registry;

  private JitObservations(ObservationRegistry registry) {
    this.registry = registry;
  }

  /**
   * An observer that reports to {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public static JitObservations create(ObservationRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    return new JitObservations(registry);
  }

  /** The observation name of an operation. */
  public static String name(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    return Objects.requireNonNull(NAMES.get(operation));
  }

  @Override
  public Scope start(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    Observation observation = Observation.createNotStarted(name(operation), registry)
        .contextualName(CONTEXTUAL_NAMES.get(operation))
        .start();
    return (outcome, reason) -> {
      observation.lowCardinalityKeyValues(KeyValues.of(
          "outcome", outcome.name().toLowerCase(Locale.ROOT), "reason", reason));
      observation.stop();
    };
  }

  @Override
  public String toString() {
    return "JitObservations";
  }
}
