package dev.jitaccess.store.postgres;

import dev.jitaccess.spi.GrantStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of a {@link ChangeFeed} ({@link GrantStore#subscribe}) and how changes reach them: each
 * change to each open subscription, on the callback executor; a listener that throws, or an executor that
 * refuses, is logged with the grant id and stops nobody else.
 */
final class FeedSubscribers {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresGrantStore.class);

  /** A subscriber and whether it was closed. */
  private static final class Registration implements GrantStore.Subscription {
    final GrantStore.ChangeListener listener;
    final CopyOnWriteArrayList<Registration> all;
    volatile boolean closed;

    Registration(GrantStore.ChangeListener listener, CopyOnWriteArrayList<Registration> all) {
      this.listener = listener;
      this.all = all;
    }

    @Override
    public void close() {
      closed = true;
      all.remove(this);
    }
  }

  private final CopyOnWriteArrayList<Registration> listeners = new CopyOnWriteArrayList<>();
  private final Executor callbacks;

  FeedSubscribers(Executor callbacks) {
    this.callbacks = callbacks;
  }

  GrantStore.Subscription subscribe(GrantStore.ChangeListener listener) {
    Registration r = new Registration(listener, listeners);
    listeners.add(r);
    return r;
  }

  /** Whether no subscription is open (the feed then reads no states). */
  boolean isEmpty() {
    return listeners.isEmpty();
  }

  /** Hands every change to every open subscription. */
  void deliver(List<GrantStore.Change> changes) {
    if (listeners.isEmpty()) {
      return;
    }
    for (GrantStore.Change change : changes) {
      for (Registration reg : listeners) {
        dispatch(reg, change);
      }
    }
  }

  private void dispatch(Registration reg, GrantStore.Change change) {
    Runnable call = () -> {
      if (reg.closed) {
        return;
      }
      try {
        reg.listener.onChange(change);
      } catch (RuntimeException e) {
        LOG.warn("a change listener failed on grant {}: {}", change.grantId(), e.toString());
      }
    };
    try {
      callbacks.execute(call);
    } catch (RuntimeException e) {
      LOG.warn("the callback executor refused the change of grant {}: {}", change.grantId(), e.toString());
    }
  }
}
