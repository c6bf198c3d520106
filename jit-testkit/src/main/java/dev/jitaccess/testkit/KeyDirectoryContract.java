package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jitaccess.spi.KeyDirectory;
import dev.jitaccess.spi.KeyDirectory.PublishedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link KeyDirectory} contract as JUnit 5 tests: extend this class in your test sources and return a
 * fresh, empty directory from {@link #newDirectory()}; override {@link #announcesChanges()} to return true
 * if your {@code subscribe} reports changes.
 * <pre>{@code
 * class ConsulKeyDirectoryContractTest extends KeyDirectoryContract {
 *   protected KeyDirectory newDirectory() { return new ConsulKeyDirectory(client, randomPrefix()); }
 * }
 * }</pre>
 * What it checks: a key is listed from its publication until its {@code retireAfter} (exclusive),
 * including before its {@code notBefore}, ordered by kid, with its values exact to the nanosecond; the
 * same key published again changes nothing; a kid is never given other material or another window;
 * {@code retire} only moves a window's end earlier and never before its start; publications from several
 * threads all land; and, for directories that announce changes, a subscriber hears of a publication.
 */
public abstract class KeyDirectoryContract {
  /** When the contract's keys start unless a test says otherwise. */
  protected static final Instant AT = JitTestKit.DEFAULT_START;
  private static final String JWK = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"%s\","
      + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected KeyDirectoryContract() {}

  /** A fresh, empty directory; called once per test. */
  protected abstract KeyDirectory newDirectory();

  /**
   * Whether {@link KeyDirectory#subscribe} reports changes (the default implementation never does); when
   * true, a subscriber must hear of a publication within 10 seconds.
   */
  protected boolean announcesChanges() {
    return false;
  }

  /** A key with this kid valid from {@code from} until {@code until}. */
  protected static PublishedKey key(String kid, Instant from, Instant until) {
    return new PublishedKey(kid, String.format(JWK, kid), from, until);
  }

  /** A published key is listed until its retireAfter, exclusive. */
  @Test
  public void aKeyIsListedUntilItsRetireAfter() {
    KeyDirectory d = newDirectory();
    PublishedKey k = key("k1", AT, AT.plus(Duration.ofHours(1)));
    d.publish(k);
    assertEquals(List.of(k), d.keys(AT));
    assertEquals(List.of(k), d.keys(k.retireAfter().minusNanos(1)));
    assertEquals(List.of(), d.keys(k.retireAfter()));
  }

  /** Keys are ordered by kid, and a key whose notBefore is still ahead is listed (the reader checks it). */
  @Test
  public void keysAreOrderedByKidAndIncludeKeysNotYetValid() {
    KeyDirectory d = newDirectory();
    PublishedKey c = key("c", AT, AT.plus(Duration.ofHours(1)));
    PublishedKey a = key("a", AT.plus(Duration.ofMinutes(5)), AT.plus(Duration.ofHours(2)));
    PublishedKey b = key("b", AT.minus(Duration.ofHours(1)), AT.plus(Duration.ofMinutes(1)));
    d.publish(c);
    d.publish(a);
    d.publish(b);
    assertEquals(List.of(a, b, c), d.keys(AT));
    assertEquals(List.of(a, c), d.keys(AT.plus(Duration.ofMinutes(1))));
  }

  /** Values come back exactly: nanoseconds, far instants, the JWK text as given. */
  @Test
  public void valuesRoundTripExactly() {
    KeyDirectory d = newDirectory();
    PublishedKey k = new PublishedKey("exact", String.format(JWK, "exact") + "  ",
        AT.plusNanos(123_456_789), Instant.MAX);
    d.publish(k);
    assertEquals(List.of(k), d.keys(AT));
  }

  /** The same key published again changes nothing. */
  @Test
  public void publishingTheSameKeyAgainIsANoOp() {
    KeyDirectory d = newDirectory();
    PublishedKey k = key("k1", AT, AT.plus(Duration.ofHours(1)));
    d.publish(k);
    d.publish(k);
    assertEquals(List.of(k), d.keys(AT));
  }

  /** A kid is never given other material or another window: the first registration stays. */
  @Test
  public void aKidIsNeverReplaced() {
    KeyDirectory d = newDirectory();
    PublishedKey k = key("k1", AT, AT.plus(Duration.ofHours(1)));
    d.publish(k);
    PublishedKey otherMaterial = new PublishedKey("k1", String.format(JWK, "k1").replace("f83O", "AAAA"),
        k.notBefore(), k.retireAfter());
    assertThrows(IllegalStateException.class, () -> d.publish(otherMaterial));
    assertThrows(IllegalStateException.class, () -> d.publish(key("k1", AT, AT.plus(Duration.ofDays(365)))));
    assertEquals(List.of(k), d.keys(AT));
  }

  /** retire only ever moves the end earlier; an unknown kid changes nothing. */
  @Test
  public void retireOnlyMovesTheEndEarlier() {
    KeyDirectory d = newDirectory();
    PublishedKey k = key("k1", AT, AT.plus(Duration.ofHours(1)));
    d.publish(k);
    assertFalse(d.retire("k1", AT.plus(Duration.ofHours(2))));
    assertFalse(d.retire("k1", k.retireAfter()));
    assertFalse(d.retire("unknown", AT.plus(Duration.ofMinutes(1))));
    assertEquals(List.of(k), d.keys(AT));
    Instant earlier = AT.plus(Duration.ofMinutes(10)).plusNanos(7);
    assertTrue(d.retire("k1", earlier));
    assertEquals(List.of(new PublishedKey("k1", k.publicJwk(), AT, earlier)), d.keys(AT));
    assertEquals(List.of(), d.keys(earlier));
    assertFalse(d.retire("k1", AT.plus(Duration.ofMinutes(30))));
  }

  /** A key cannot be retired before it starts. */
  @Test
  public void retireBeforeNotBeforeIsRefused() {
    KeyDirectory d = newDirectory();
    PublishedKey k = key("k1", AT, AT.plus(Duration.ofHours(1)));
    d.publish(k);
    assertThrows(IllegalArgumentException.class, () -> d.retire("k1", AT));
    assertThrows(IllegalArgumentException.class, () -> d.retire("k1", AT.minusSeconds(1)));
    assertEquals(List.of(k), d.keys(AT));
  }

  /** Publications from several threads at once all land. */
  @Test
  public void concurrentPublicationsAllLand() throws Exception {
    KeyDirectory d = newDirectory();
    int threads = 4;
    int each = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            d.publish(key("t" + id + "-" + i, AT, AT.plus(Duration.ofHours(1))));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * each, d.keys(AT).size());
  }

  /** A subscriber hears of a publication (only for directories that announce changes). */
  @Test
  public void aSubscriberHearsOfAPublication() throws Exception {
    if (!announcesChanges()) {
      return;
    }
    KeyDirectory d = newDirectory();
    CountDownLatch heard = new CountDownLatch(1);
    KeyDirectory.Subscription s = d.subscribe(heard::countDown);
    try {
      d.publish(key("k1", AT, AT.plus(Duration.ofHours(1))));
      assertTrue(heard.await(10, TimeUnit.SECONDS), "no change was announced within 10 s");
    } finally {
      s.close();
    }
  }
}
