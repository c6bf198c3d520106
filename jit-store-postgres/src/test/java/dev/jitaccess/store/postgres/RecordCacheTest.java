package dev.jitaccess.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replica-local cache's rules for announced bulk ends (schema V10) laid over its records. */
class RecordCacheTest {
  private final RecordCache cache = new RecordCache(100);

  private GrantRecord cached(String id) {
    GrantRecord live = PostgresGrantStoreTest.rich(id);
    cache.putIfUnchanged(live, cache.stamp(id));
    return live;
  }

  private static ChangeReads.Announced seenFirstTime(long id, String... grantIds) {
    return new ChangeReads.Announced(id, List.of(grantIds), GrantState.REVOKED, RevocationReason.TASK);
  }

  private static ChangeReads.Announced seenAgain(long id) {
    return new ChangeReads.Announced(id, null, GrantState.REVOKED, RevocationReason.TASK);
  }

  @Test
  void anOwnAnnouncementShowsTheLiveGrantsItNamesEndedUntilTheEndIsWritten() {
    GrantRecord named = cached("g1");
    GrantRecord other = cached("g2");
    GrantRecord expired = PostgresGrantStoreTest.rich("g3").withState(GrantState.EXPIRED, null);
    cache.putIfUnchanged(expired, cache.stamp("g3"));
    cache.announced(7, List.of("g1", "g3", "absent"), GrantState.REVOKED, RevocationReason.IDENTITY);
    assertThat(cache.get("g1")).isEqualTo(named.withState(GrantState.REVOKED, RevocationReason.IDENTITY));
    assertThat(cache.get("g2")).isEqualTo(other);
    assertThat(cache.get("g3")).as("an ended record keeps its own state").isEqualTo(expired);
    assertThat(cache.get("absent")).isNull();
    assertThat(cache.overlay(named)).as("a record read from the database is shown the same way")
        .extracting(GrantRecord::state).isEqualTo(GrantState.REVOKED);
    cache.endWritten(7);
    assertThat(cache.get("g1")).isEqualTo(named);
    assertThat(cache.announcementIds()).isEmpty();
  }

  @Test
  void theFeedDropsAnAnnouncementOnlyOnceItHasSeenItAndASnapshotNoLongerHoldsIt() {
    GrantRecord g = cached("g1");
    cache.announced(1, List.of("g1"), GrantState.REVOKED, RevocationReason.TASK);
    cache.announcementsAre(List.of()); // a snapshot taken before the announcement committed
    assertThat(cache.get("g1").state()).as("never seen by the feed: kept").isEqualTo(GrantState.REVOKED);
    cache.announcementsAre(List.of(seenAgain(1)));
    cache.announcementsAre(List.of());
    assertThat(cache.get("g1")).as("seen, then gone: its end was written").isEqualTo(g);
  }

  @Test
  void announcementsMadeElsewhereComeAndGoWithTheFeedsSnapshots() {
    GrantRecord g = cached("g1");
    cache.announcementsAre(List.of(seenFirstTime(3, "g1", "g9")));
    assertThat(cache.get("g1").state()).isEqualTo(GrantState.REVOKED);
    assertThat(cache.announcementIds()).containsExactly(3L);
    cache.announcementsAre(List.of(seenAgain(3)));
    assertThat(cache.get("g1").state()).as("known: its ids are not read again").isEqualTo(GrantState.REVOKED);
    cache.announcementsAre(List.of(seenAgain(99))); // an announcement it does not know and did not get ids of
    assertThat(cache.get("g1")).isEqualTo(g);
    assertThat(cache.announcementIds()).isEmpty();
  }
}
