package dev.jitaccess.spi;

import java.util.Objects;

/** {@link BrokerObserver#noop()}: records nothing; its one scope does nothing. */
enum NoopBrokerObserver implements BrokerObserver, BrokerObserver.Scope {
  /** The one instance. */
  INSTANCE;

  @Override
  public Scope start(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    return this;
  }

  @Override
  public void stop(Outcome outcome, String reason) {
    // nothing to record
  }

  @Override
  public String toString() {
    return "BrokerObserver.noop()";
  }
}
