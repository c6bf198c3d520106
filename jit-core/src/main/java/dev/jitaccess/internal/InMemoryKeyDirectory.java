package dev.jitaccess.internal;

import dev.jitaccess.spi.KeyDirectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KeyDirectory#inMemory()}: a map under this object's lock; subscribers are called on the
 * publishing thread after the change, outside the lock, and a throwing subscriber is logged and skipped.
 */
public final class InMemoryKeyDirectory implements KeyDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(InMemoryKeyDirectory.class);

  private final Map<String, PublishedKey> keys = new TreeMap<>();
  private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();

  /** An empty directory. */
  public InMemoryKeyDirectory() {}

  @Override
  public void publish(PublishedKey key) {
    Objects.requireNonNull(key, "key");
    synchronized (this) {
      PublishedKey existing = keys.get(key.kid());
      if (existing != null) {
        if (existing.equals(key)) {
          return;
        }
        throw new IllegalStateException("key " + key.kid() + " is already registered with other material or window");
      }
      keys.put(key.kid(), key);
    }
    changed();
  }

  @Override
  public boolean retire(String kid, Instant retireAfter) {
    Objects.requireNonNull(kid, "kid");
    Objects.requireNonNull(retireAfter, "retireAfter");
    synchronized (this) {
      PublishedKey existing = keys.get(kid);
      if (existing == null || !retireAfter.isBefore(existing.retireAfter())) {
        return false;
      }
      if (!retireAfter.isAfter(existing.notBefore())) {
        throw new IllegalArgumentException("retireAfter (" + retireAfter + ") of key " + kid
            + " must be after its notBefore (" + existing.notBefore() + ")");
      }
      keys.put(kid, new PublishedKey(kid, existing.publicJwk(), existing.notBefore(), retireAfter));
    }
    changed();
    return true;
  }

  @Override
  public synchronized List<PublishedKey> keys(Instant at) {
    Objects.requireNonNull(at, "at");
    List<PublishedKey> out = new ArrayList<>();
    for (PublishedKey k : keys.values()) {
      if (at.isBefore(k.retireAfter())) {
        out.add(k);
      }
    }
    return List.copyOf(out);
  }

  @Override
  public Subscription subscribe(Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    subscribers.add(onChange);
    return () -> subscribers.remove(onChange);
  }

  private void changed() {
    for (Runnable r : subscribers) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a key directory subscriber failed with {}; ignored", e.getClass().getName());
      }
    }
  }

  @Override
  public synchronized String toString() {
    return "InMemoryKeyDirectory[" + keys.size() + " keys]";
  }
}
