package dev.jitaccess.testkit;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Clock} for tests that moves only when told, and is also the broker's {@link Scheduler}:
 * {@link #advance(Duration)} moves time forward and runs every task that came due, in time order (ties
 * in scheduling order), on the calling thread, with the clock reading each task's due instant while it
 * runs. No sleeping, no background thread, no flakiness.
 *
 * <p>Thread-safe: reading and scheduling may happen from any thread; advances are serialised, so due
 * tasks never run concurrently with each other. A task scheduled at or before the current instant runs
 * at the next advance (even {@code advance(Duration.ZERO)}, or {@link #runDueTasks()}). If tasks throw,
 * the remaining due tasks still run and the first exception is rethrown at the end of the advance, with
 * the others suppressed.
 *
 * <p>Always in UTC; {@link #withZone(ZoneId)} returns a view in another zone that reads this clock.
 *
 * <p>The project's own modules test with the same clock: this class is a thin front for jit-core's
 * internal one, so there is exactly one implementation.
 */
public final class ManualClock extends Clock implements Scheduler {
  private final dev.jitaccess.internal.ManualClock clock;

  private ManualClock(dev.jitaccess.internal.ManualClock clock) {
    this.clock = clock;
  }

  /** A clock standing at {@code start}. */
  public static ManualClock at(Instant start) {
    return new ManualClock(dev.jitaccess.internal.ManualClock.at(Objects.requireNonNull(start, "start")));
  }

  /**
   * A clock standing at an ISO-8601 instant such as {@code 2030-01-01T00:00:00Z}.
   *
   * @throws java.time.format.DateTimeParseException if the text is not an instant
   */
  public static ManualClock at(String isoInstant) {
    return new ManualClock(dev.jitaccess.internal.ManualClock.at(Objects.requireNonNull(isoInstant, "isoInstant")));
  }

  @Override
  public Instant instant() {
    return clock.instant();
  }

  /** Always {@link ZoneOffset#UTC}. */
  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** A view of this clock in another zone; it reads the same instant and cannot be advanced itself. */
  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(ZoneOffset.UTC) ? this : clock.zonedView(zone, this);
  }

  /**
   * Moves time forward by {@code duration} and runs every task due at or before the new instant.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public void advance(Duration duration) {
    clock.advance(duration);
  }

  /**
   * Moves time to {@code target} and runs every task due at or before it.
   *
   * @throws IllegalArgumentException if {@code target} is before the current instant
   */
  public void advanceTo(Instant target) {
    clock.advanceTo(target);
  }

  /** Runs the tasks already due without moving time; the same as {@code advance(Duration.ZERO)}. */
  public void runDueTasks() {
    clock.runDueTasks();
  }

  /** How many scheduled tasks have neither run nor been cancelled. */
  public int pendingTasks() {
    return clock.pendingTasks();
  }

  /** When the next pending task is due, if there is one. */
  public Optional<Instant> nextDue() {
    return clock.nextDue();
  }

  /** Schedules {@code task} to run when the clock is advanced to or past {@code at}. */
  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    return clock.schedule(task, at);
  }

  @Override
  public String toString() {
    return clock.toString();
  }
}
