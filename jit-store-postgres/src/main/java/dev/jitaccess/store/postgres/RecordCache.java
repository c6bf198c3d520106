package dev.jitaccess.store.postgres;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The replica-local copy of grant records for the verifier's hot path, bounded in size. Entries leave
 * it when the change feed says their grant changed; a read that missed and went to the database puts
 * its result back only if no invalidation of that grant (or reset) happened since the read began, so a
 * slow read can never re-insert a record older than a change already announced. Bulk ends announced and
 * not yet written (schema V10) are laid over the records: a live grant one of them names reads ended.
 */
final class RecordCache {
  private static final int STRIPES = 64;

  private final Cache<String, GrantRecord> records;
  /** Per stripe of grant ids: how many invalidations happened; a read compares before and after. */
  private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);
  /** Announced bulk ends (V10) not yet written, by announcement id; guarded by itself. */
  private final Map<Long, Announcement> announcements = new HashMap<>();
  /** The values of {@link #announcements}, for the hot path; usually empty. */
  private volatile Announcement[] current = new Announcement[0];

  /** A bulk end announced and not yet written: the live grants it names read in its state. */
  private record Announcement(Set<String> grantIds, GrantState state, @Nullable RevocationReason reason,
      boolean seenByFeed) {
    Announcement seen() {
      return seenByFeed ? this : new Announcement(grantIds, state, reason, true);
    }
  }

  RecordCache(long maximumSize) {
    this.records = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  /** The cached record (a live one as an announced end shows it), or null. */
  @Nullable GrantRecord get(String grantId) {
    GrantRecord r = records.getIfPresent(grantId);
    return r == null ? null : overlay(r);
  }

  /**
   * {@code r} as this replica's announced bulk ends show it: a LIVE record named by one in its state and
   * reason, else {@code r} itself. One volatile read when none is pending (the usual case).
   */
  GrantRecord overlay(GrantRecord r) {
    Announcement[] pending = current;
    if (pending.length == 0 || r.state() != GrantState.LIVE) {
      return r;
    }
    for (Announcement a : pending) {
      if (a.grantIds.contains(r.grantId())) {
        return r.withState(a.state, a.reason);
      }
    }
    return r;
  }

  /**
   * Lays a bulk end this replica announced itself over the cache, at once after its announcement committed
   * (the feed, which may have taken its snapshot before that commit, does not drop it: {@link #endWritten}
   * does, once the end is written and its grants invalidated).
   */
  void announced(long id, List<String> grantIds, GrantState state, @Nullable RevocationReason reason) {
    synchronized (announcements) {
      announcements.putIfAbsent(id, new Announcement(Set.copyOf(grantIds), state, reason, false));
      publish();
    }
  }

  /** Drops an announcement of this replica whose end is written (its ended grants invalidated first). */
  void endWritten(long id) {
    synchronized (announcements) {
      if (announcements.remove(id) != null) {
        publish();
      }
    }
  }

  /** The ids of the announcements this cache knows (whose grant ids a catch-up need not read again). */
  Set<Long> announcementIds() {
    synchronized (announcements) {
      return Set.copyOf(announcements.keySet());
    }
  }

  /**
   * The feed's view after a catch-up: exactly the announcements of its snapshot, after that snapshot's
   * changed grants were invalidated. New ones are laid over the cache; one the feed saw before and the
   * snapshot no longer holds (its end was written, in a transaction the same snapshot sees) is dropped; one
   * this replica announced itself and the feed never saw stays until {@link #endWritten}.
   */
  void announcementsAre(List<ChangeReads.Announced> inSnapshot) {
    synchronized (announcements) {
      Set<Long> present = new HashSet<>();
      for (ChangeReads.Announced a : inSnapshot) {
        present.add(a.id());
        Announcement known = announcements.get(a.id());
        List<String> ids = a.grantIds();
        if (known != null) {
          announcements.put(a.id(), known.seen());
        } else if (ids != null) {
          announcements.put(a.id(), new Announcement(Set.copyOf(ids), a.state(), a.reason(), true));
        }
      }
      announcements.entrySet().removeIf(e -> e.getValue().seenByFeed && !present.contains(e.getKey()));
      publish();
    }
  }

  /** Under the announcements' lock. */
  private void publish() {
    current = announcements.values().toArray(new Announcement[0]);
  }

  /** The stamp to take before reading a grant from the database. */
  long stamp(String grantId) {
    return stamps.get(stripe(grantId));
  }

  /** Caches a record read from the database, unless its grant was invalidated since {@code stamp}. */
  void putIfUnchanged(GrantRecord record, long stamp) {
    String id = record.grantId();
    int stripe = stripe(id);
    records.asMap().compute(id, (k, old) -> stamps.get(stripe) == stamp ? record : old);
  }

  /** Forgets a grant that changed; a read in flight will not put it back. */
  void invalidate(String grantId) {
    stamps.incrementAndGet(stripe(grantId));
    records.invalidate(grantId);
  }

  /** Forgets everything (the feed may have missed changes). */
  void reset() {
    for (int i = 0; i < STRIPES; i++) {
      stamps.incrementAndGet(i);
    }
    records.invalidateAll();
  }

  /** How many records are cached (estimate); for tests. */
  long size() {
    return records.estimatedSize();
  }

  private static int stripe(String grantId) {
    int h = grantId.hashCode();
    return (h ^ (h >>> 16)) & (STRIPES - 1);
  }
}
