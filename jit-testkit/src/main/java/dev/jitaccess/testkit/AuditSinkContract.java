package dev.jitaccess.testkit;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link AuditSink} contract as JUnit 5 tests: extend this class in your test sources, return a
 * fresh sink from {@link #newSink()}, and, if your sink can be read back, check what it kept in {@link
 * #verifyRecorded}.
 * <pre>{@code
 * class KafkaAuditSinkContractTest extends AuditSinkContract {
 *   protected AuditSink newSink() { return new KafkaAuditSink(producer); }
 *   protected void verifyRecorded(AuditSink sink, List<AuditEvent> events, boolean inOrder) {
 *     assertThat(readTopic()).hasSize(events.size());
 *   }
 * }
 * }</pre>
 * What it checks: every event type is recorded without an exception; awkward field values (quotes,
 * backslashes, line breaks, control characters, non-ASCII, long values, empty values, no fields) and
 * extreme instants are accepted; recording from several threads at once works. A sink signals a
 * failure by throwing, so any exception here fails the contract.
 */
public abstract class AuditSinkContract {
  /** When the contract's events happen unless a test says otherwise. */
  protected static final Instant AT = JitTestKit.DEFAULT_START;

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected AuditSinkContract() {}

  /** A fresh sink; called once per test. */
  protected abstract AuditSink newSink();

  /**
   * Called after a test recorded {@code events} with {@code sink}, to check what the sink kept; the
   * default checks nothing (for sinks that cannot be read back).
   *
   * @param inOrder whether the events were recorded from one thread in this order; false for the
   *     concurrency test, whose events arrive in any order
   */
  protected void verifyRecorded(AuditSink sink, List<AuditEvent> events, boolean inOrder) {}

  /** One event of every type, with the usual fields, is recorded without an exception. */
  @Test
  public void recordsEveryEventType() {
    AuditSink sink = newSink();
    List<AuditEvent> events = new ArrayList<>();
    int i = 0;
    for (AuditEventType type : AuditEventType.values()) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put(AuditEvent.GRANT_ID, "grant-" + i);
      f.put(AuditEvent.TASK_ID, "task-" + i);
      f.put(AuditEvent.IDENTITY, "spiffe://example.org/ci/deploy");
      f.put(AuditEvent.OWNER, "team-ci");
      f.put(AuditEvent.RESOURCE, "db://prod");
      f.put(AuditEvent.ACTIONS, "read write");
      f.put(AuditEvent.TOKEN_SHA256, "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg");
      f.put(AuditEvent.REASON, "contract " + type);
      events.add(new AuditEvent(type, AT.plusSeconds(i++), f));
    }
    events.forEach(sink::record);
    verifyRecorded(sink, events, true);
  }

  /** Awkward values are recorded without an exception: the sink escapes, never trusts, its input. */
  @Test
  public void acceptsAwkwardFieldValues() {
    AuditSink sink = newSink();
    List<AuditEvent> events = List.of(
        new AuditEvent(AuditEventType.REQUESTED, AT, Map.of()),
        new AuditEvent(AuditEventType.DENIED, AT, Map.of(AuditEvent.REASON, "")),
        new AuditEvent(AuditEventType.DENIED, AT, Map.of(
            AuditEvent.REASON, "quote \" backslash \\ newline \n carriage \r tab \t nul \u0000 end",
            AuditEvent.JUSTIFICATION, "Grüße, 日本語, emoji \uD83D\uDE80, key=value; a,b",
            AuditEvent.IDENTITY, "{\"json\": [\"inside\"]}",
            "custom_field", "x")),
        new AuditEvent(AuditEventType.ISSUED, AT, Map.of(
            AuditEvent.REASON, String.join("", Collections.nCopies(10_000, "long ")))),
        new AuditEvent(AuditEventType.EXPIRED, Instant.EPOCH, Map.of(AuditEvent.GRANT_ID, "g")),
        new AuditEvent(AuditEventType.EXPIRED, Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Map.of(AuditEvent.GRANT_ID, "g")));
    events.forEach(sink::record);
    verifyRecorded(sink, events, true);
  }

  /** Events recorded from several threads at once are all recorded without an exception. */
  @Test
  public void isThreadSafe() throws Exception {
    AuditSink sink = newSink();
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      events.add(new AuditEvent(AuditEventType.VERIFIED, AT.plus(Duration.ofMillis(i)),
          Map.of(AuditEvent.GRANT_ID, "grant-" + i, AuditEvent.REASON, "concurrent")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (AuditEvent e : events) {
        futures.add(pool.submit(() -> {
          start.await();
          sink.record(e);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    verifyRecorded(sink, events, false);
  }
}
