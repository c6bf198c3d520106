package dev.jitaccess.store.postgres;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jitaccess.spi.GrantRecord;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The replica-local copy of grant records for the verifier's hot path, bounded in size. Entries leave
 * it when the change feed says their grant changed; a read that missed and went to the database puts
 * its result back only if no invalidation of that grant (or reset) happened since the read began, so a
 * slow read can never re-insert a record older than a change already announced.
 */
final class RecordCache {
  private static final int STRIPES = 64;

  private final Cache<String, GrantRecord> records;
  /** Per stripe of grant ids: how many invalidations happened; a read compares before and after. */
  private final AtomicLongArray stamps = new AtomicLongArray(STRIPES);

  RecordCache(long maximumSize) {
    this.records = Caffeine.newBuilder().maximumSize(maximumSize).executor(Runnable::run).build();
  }

  /** The cached record, or null. */
  @Nullable GrantRecord get(String grantId) {
    return records.getIfPresent(grantId);
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
