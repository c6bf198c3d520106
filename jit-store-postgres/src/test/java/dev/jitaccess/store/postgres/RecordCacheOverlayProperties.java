package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever announcements a replica holds and however the feed's snapshots come and go, the overlay only
 * ever ends: a record reads LIVE only if it is LIVE and no announcement the cache holds names it, an ended
 * record reads exactly as stored, and a grant no announcement ever named reads exactly as stored.
 */
class RecordCacheOverlayProperties {
  private static final int GRANTS = 6;

  @Property(tries = 300)
  void theOverlayOnlyEverEndsGrantsAnAnnouncementNames(
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 4) Integer> steps,
      @ForAll @Size(max = 12) List<@IntRange(min = 0, max = (1 << GRANTS) - 1) Integer> masks) {
    RecordCache cache = new RecordCache(100);
    List<GrantRecord> stored = new ArrayList<>();
    for (int i = 0; i < GRANTS; i++) {
      GrantRecord r = PostgresGrantStoreTest.rich("g" + i);
      if (i % 3 == 2) {
        r = r.withState(GrantState.EXPIRED, null);
      }
      stored.add(r);
      cache.putIfUnchanged(r, cache.stamp(r.grantId()));
    }
    List<ChangeReads.Announced> snapshot = new ArrayList<>();
    java.util.Set<String> everNamed = new java.util.HashSet<>();
    long next = 1;
    for (int k = 0; k < steps.size(); k++) {
      int mask = masks.isEmpty() ? 1 : masks.get(k % masks.size());
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < GRANTS; i++) {
        if ((mask & (1 << i)) != 0) {
          ids.add("g" + i);
        }
      }
      if (steps.get(k) <= 1) {
        everNamed.addAll(ids);
      }
      switch (steps.get(k)) {
        case 0 -> cache.announced(next++, ids, GrantState.REVOKED, RevocationReason.TASK);
        case 1 -> snapshot.add(new ChangeReads.Announced(next++, ids, GrantState.REVOKED, RevocationReason.IDENTITY));
        case 2 -> cache.announcementsAre(List.copyOf(snapshot));
        case 3 -> {
          if (!snapshot.isEmpty()) {
            snapshot.remove(0);
          }
        }
        default -> cache.announcementIds().stream().findFirst().ifPresent(cache::endWritten);
      }
      for (GrantRecord r : stored) {
        GrantRecord shown = cache.get(r.grantId());
        assertThat(shown).isNotNull();
        if (r.state() != GrantState.LIVE || !everNamed.contains(r.grantId())) {
          assertThat(shown).isEqualTo(r);
        } else if (shown.state() == GrantState.LIVE) {
          assertThat(shown).isEqualTo(r);
        } else {
          assertThat(shown).isEqualTo(r.withState(shown.state(), shown.revocationReason()));
          assertThat(cache.announcementIds()).as("something the cache holds names " + r.grantId()).isNotEmpty();
        }
      }
    }
  }
}
