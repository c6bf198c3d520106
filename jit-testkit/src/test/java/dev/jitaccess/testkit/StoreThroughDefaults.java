package dev.jitaccess.testkit;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A store that passes its abstract methods, the bulk {@code endLive} without an {@link GrantStore.Ending},
 * {@code markUsed} and {@code subscribe} to another store and leaves every other method to
 * {@link GrantStore}'s defaults (the in-memory store overrides them), so the contract covers the defaults too.
 */
class StoreThroughDefaults implements GrantStore {
  final GrantStore inner;

  StoreThroughDefaults(GrantStore inner) {
    this.inner = inner;
  }

  @Override
  public InsertResult insert(GrantRecord record, int maxPerIdentity, int maxPerTask, boolean sharedTask) {
    return inner.insert(record, maxPerIdentity, maxPerTask, sharedTask);
  }

  @Override
  public Optional<GrantRecord> find(String grantId) {
    return inner.find(grantId);
  }

  @Override
  public Optional<GrantRecord> update(String grantId, UnaryOperator<GrantRecord> change) {
    return inner.update(grantId, change);
  }

  @Override
  public List<GrantRecord> endLive(Collection<String> grantIds, GrantState state, @Nullable RevocationReason reason) {
    return inner.endLive(grantIds, state, reason);
  }

  @Override
  public void remove(String grantId) {
    inner.remove(grantId);
  }

  @Override
  public Collection<String> liveByTask(String taskId) {
    return inner.liveByTask(taskId);
  }

  @Override
  public Collection<String> liveByIdentity(String identityId) {
    return inner.liveByIdentity(identityId);
  }

  @Override
  public int liveCount() {
    return inner.liveCount();
  }

  @Override
  public boolean markUsed(String value, Instant until) {
    return inner.markUsed(value, until);
  }

  @Override
  public Subscription subscribe(ChangeListener listener) {
    return inner.subscribe(listener);
  }
}
