package dev.jitaccess.internal;

import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Instant;

/** A {@link Scheduler} on one daemon thread. */
public final class ThreadScheduler implements Scheduler {
  /** Creates it. */
  public ThreadScheduler(Clock clock, String name) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public Cancellable schedule(Runnable task, Instant at) {
    throw new UnsupportedOperationException();
  }

  /** Stops the thread. */
  public void shutdown() {}
}
