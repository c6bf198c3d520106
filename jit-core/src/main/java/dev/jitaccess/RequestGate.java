package dev.jitaccess;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's door for requests: a request enters only while the broker is open, and {@link #close()}
 * waits (at most {@link #CLOSE_WAIT}) for those in flight. A request still in flight after that sees
 * {@link #isClosed()} and is refused where it checks it.
 */
final class RequestGate {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  /** How long {@link #close()} waits for requests in flight to finish. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final AtomicBoolean closed = new AtomicBoolean();
  /** Guards {@link #inFlight}; {@link #close()} waits on {@link #landed}. */
  private final ReentrantLock flight = new ReentrantLock();
  private final Condition landed = flight.newCondition();
  /** Requests and issuances under way. */
  private int inFlight;

  /**
   * Enters a request.
   *
   * @throws IllegalStateException once the broker is closed
   */
  void enter() {
    if (!tryEnter()) {
      throw new IllegalStateException("the broker is closed");
    }
  }

  /** Enters a request unless the broker is closed; true if it entered (then {@link #leave()} must follow). */
  boolean tryEnter() {
    flight.lock();
    try {
      if (closed.get()) {
        return false;
      }
      inFlight++;
      return true;
    } finally {
      flight.unlock();
    }
  }

  /** Leaves after {@link #enter()} or a successful {@link #tryEnter()}. */
  void leave() {
    flight.lock();
    try {
      if (--inFlight == 0) {
        landed.signalAll();
      }
    } finally {
      flight.unlock();
    }
  }

  /** Whether {@link #close()} has begun. */
  boolean isClosed() {
    return closed.get();
  }

  /**
   * Throws unless the broker is open.
   *
   * @throws IllegalStateException once the broker is closed
   */
  void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the broker is closed");
    }
  }

  /** Closes the door; true for the one call that closed it. */
  boolean close() {
    flight.lock();
    try {
      return closed.compareAndSet(false, true);
    } finally {
      flight.unlock();
    }
  }

  /**
   * Waits, at most {@link #CLOSE_WAIT}, for the requests in flight when close() began: each either
   * finished issuing before close, or sees the broker closed and is refused (its grant aborted, a DENIED
   * record written). One still running after the wait is refused the same way when it reaches that point.
   */
  void awaitInFlight() {
    flight.lock();
    try {
      long left = CLOSE_WAIT.toNanos();
      while (inFlight > 0 && left > 0) {
        left = landed.awaitNanos(left);
      }
      if (inFlight > 0) {
        LOG.warn("closed with {} request(s) still in flight after {}; they will be refused", inFlight, CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      flight.unlock();
    }
  }
}
