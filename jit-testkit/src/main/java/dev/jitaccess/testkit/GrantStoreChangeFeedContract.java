package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jitaccess.RevocationReason;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The change-feed part of the {@link GrantStore} contract: {@link GrantStore#subscribe} refuses null and its
 * subscription closes twice harmlessly. When {@link #peerOf} gives a second instance sharing the data (a
 * replica), also: a change made through the peer reaches every listener as the grant's id, state and
 * reason ({@link GrantStore.Change}), and from then on {@link GrantStore#find} on the listening instance
 * answers the changed record (no cached old record survives the change); a throwing listener stops nobody
 * else, and a closed subscription hears nothing more. Extend
 * {@link GrantStoreContract}, which runs this part and the others.
 */
public abstract class GrantStoreChangeFeedContract extends GrantStoreQuotaContract {
  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreChangeFeedContract() {}

  /** subscribe names a null listener. */
  @Test
  @SuppressWarnings("NullAway") // passes null on purpose: the store must name it
  public void subscribeRefusesANullListener() {
    GrantStore store = newStore();
    NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(
        NullPointerException.class, () -> store.subscribe(null));
    assertEquals("listener", e.getMessage());
  }

  /** A subscription may be closed twice. */
  @Test
  public void aSubscriptionMayBeClosedTwice() {
    GrantStore.Subscription s = newStore().subscribe(r -> {});
    s.close();
    s.close();
  }

  /**
   * A revocation made through another instance reaches the listener as the grant's id, REVOKED and its
   * reason; when the listener hears it, this instance's {@code find} already answers the revoked record
   * (even though it answered the live one, perhaps from a cache, just before).
   */
  @Test
  public void aChangeMadeThroughAPeerIsHeardWithItsStateAndFindAnswersIt() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantRecord> found = new LinkedBlockingQueue<>();
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    GrantStore.Subscription s = store.subscribe(c -> {
      store.find(c.grantId()).ifPresent(found::add);
      heard.add(c);
    });
    try {
      GrantRecord r = record("spiffe://example.org/a", "t");
      store.insert(r, 10, 10);
      assertEquals(GrantState.LIVE, store.find(r.grantId()).orElseThrow().state());
      peer.update(r.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.EXPLICIT));
      GrantStore.Change got = awaitState(heard, r.grantId(), GrantState.REVOKED);
      assertEquals(new GrantStore.Change(r.grantId(), GrantState.REVOKED, RevocationReason.EXPLICIT), got);
      GrantRecord current = found.stream().filter(x -> x.state() == GrantState.REVOKED).findFirst()
          .orElseThrow(() -> new AssertionError("find in the listener did not answer the revoked record"));
      assertEquals(RevocationReason.EXPLICIT, current.revocationReason());
      assertEquals(r.info(), current.info());
    } finally {
      s.close();
    }
  }

  /** A listener that throws stops neither the feed nor the other listeners. */
  @Test
  public void aThrowingListenerStopsNobodyElse() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantStore.Change> heard = new LinkedBlockingQueue<>();
    AtomicInteger thrown = new AtomicInteger();
    GrantStore.Subscription bad = store.subscribe(r -> {
      thrown.incrementAndGet();
      throw new IllegalStateException("listener bug");
    });
    GrantStore.Subscription good = store.subscribe(heard::add);
    try {
      GrantRecord a = record("spiffe://example.org/a", "t");
      GrantRecord b = record("spiffe://example.org/b", "t");
      store.insert(a, 10, 10);
      store.insert(b, 10, 10);
      peer.update(a.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.TASK));
      awaitState(heard, a.grantId(), GrantState.REVOKED);
      peer.update(b.grantId(), x -> x.withState(GrantState.EXPIRED, null));
      awaitState(heard, b.grantId(), GrantState.EXPIRED);
      assertTrue(thrown.get() >= 2, "the throwing listener was called for both changes");
    } finally {
      good.close();
      bad.close();
    }
  }

  /** After close, a listener hears nothing more, while a listener still subscribed does. */
  @Test
  public void aClosedSubscriptionHearsNothingMore() throws Exception {
    GrantStore store = newStore();
    GrantStore peer = peerOrSkip(store);
    BlockingQueue<GrantStore.Change> closed = new LinkedBlockingQueue<>();
    BlockingQueue<GrantStore.Change> open = new LinkedBlockingQueue<>();
    GrantRecord r = record("spiffe://example.org/a", "t");
    store.insert(r, 10, 10);
    GrantStore.Subscription stays = store.subscribe(open::add);
    try {
      store.subscribe(closed::add).close();
      peer.update(r.grantId(), x -> x.withState(GrantState.REVOKED, RevocationReason.EXPLICIT));
      awaitState(open, r.grantId(), GrantState.REVOKED);
      assertTrue(closed.stream().noneMatch(x -> x.state() == GrantState.REVOKED), "a closed subscription was called");
    } finally {
      stays.close();
    }
  }
}
