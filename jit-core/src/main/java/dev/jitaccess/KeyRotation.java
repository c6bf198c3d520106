package dev.jitaccess;

import dev.jitaccess.internal.BrokerKeys;
import dev.jitaccess.internal.DirectoryKeyRing;
import dev.jitaccess.internal.KeyRing;
import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.Scheduler;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's signing keys ({@link #keys}: a directory's, the user's set, or one key in memory) and their
 * rotation, by {@link #rotate()} or every {@code keyRotation} on the broker's scheduler until the broker
 * closes.
 */
final class KeyRotation {
  private static final Logger LOG = LoggerFactory.getLogger(GrantBroker.class);

  private final BrokerConfig config;
  private final BrokerKeys keys;
  private final RequestGate gate;
  private volatile Scheduler.@Nullable Cancellable task;

  KeyRotation(BrokerConfig config, BrokerKeys keys, RequestGate gate) {
    this.config = config;
    this.keys = keys;
    this.gate = gate;
    Duration interval = config.keyRotation();
    if (interval != null) {
      schedule(interval);
    }
  }

  /** The broker's keys: a directory's, the user's set, or one key in memory (shared or generated). */
  static BrokerKeys keys(BrokerConfig config) {
    Duration retention = config.maxTtl().plus(config.clockSkew());
    KeyDirectory directory = config.keyDirectory();
    if (directory != null) {
      return new DirectoryKeyRing(config.algorithm(), directory, config.clock(),
          Objects.requireNonNull(config.keyRotation(), "keyRotation"), retention, config.clockSkew());
    }
    SigningKeys set = config.signingKeys();
    if (set != null) {
      return new KeyRing(config.algorithm(), set.active(), set.verifyOnly(), config.clock(), retention);
    }
    return new KeyRing(config.algorithm(), config.signingKey(), config.clock(), retention);
  }

  /**
   * Rotates now.
   *
   * @throws IllegalStateException once the broker is closed
   */
  void rotate() {
    gate.ensureOpen();
    keys.rotate();
    LOG.info("signing key rotated; new kid {}", keys.signingKey().kid());
  }

  private void schedule(Duration interval) {
    task = config.scheduler().schedule(() -> {
      if (gate.isClosed()) {
        return;
      }
      try {
        rotate();
      } finally {
        schedule(interval);
      }
    }, config.clock().instant().plus(interval));
  }

  /** Cancels the timed rotation. */
  void stop() {
    Scheduler.Cancellable t = task;
    if (t != null) {
      t.cancel();
    }
  }
}
