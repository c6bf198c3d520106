package dev.jitaccess.internal;

import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** In-memory {@link GrantStore} on Caffeine. */
public final class InMemoryGrantStore implements GrantStore {
  /** Creates the store. */
  public InMemoryGrantStore(Clock clock, Scheduler scheduler, Duration retention) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<GrantRecord> find(String grantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void remove(String grantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Collection<String> liveByTask(String taskId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Collection<String> liveByIdentity(String identityId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int liveCount() {
    throw new UnsupportedOperationException();
  }
}
