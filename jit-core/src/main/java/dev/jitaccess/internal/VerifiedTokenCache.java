package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Grant tokens whose signature, issuer and claims a {@link TokenVerifier} has already checked, so that a
 * task presenting the same token on every call pays for the signature once (Envoy's {@code jwt_cache_config}
 * does the same). Keyed by the exact token, it holds what the token says, parsed, which key signed it and the
 * token's SHA-256 for the audit record (when the verifier has an audit sink). A digest as the key would cost
 * a SHA-256 of the whole token on every call, most of a hit's time; the tokens held here are ones the
 * verifier was just given, and none is used past its {@code exp}.
 *
 * <p>What a cache hit does not repeat is only what cannot change for the same characters: the parse, the
 * header checks, the signature and the issuer. The caller still checks, on every call, whether the signing
 * key is still trusted ({@link Entry#key()} against the current key lookup), the audience,
 * {@code exp}/{@code nbf}/{@code iat} against the clock, task, actions, proof of possession and the store's
 * record. An entry is never returned once the token's {@code exp} plus the skew has passed (on the injected
 * clock) and is dropped at that lookup; an entry whose key left the trusted set is dropped at its next lookup
 * ({@link #invalidate}). Only tokens whose signature verified are ever put, so an attacker cannot fill the
 * cache.
 *
 * <p>The table is a fixed array of {@code maxEntries} slots, two-way set-associative (a token lives in its
 * home slot or the next one): a look-up reads at most two slots and a fill writes one, without a lock, a
 * counter or a maintenance pass, so that a miss costs the check and not the bookkeeping (issue 17: with a
 * general-purpose cache the fill cost about 5 µs, a tenth of an RS256 verification) and threads share no
 * written state on a hit. When both slots hold live tokens, the one that expires first makes room. The
 * array's slots take 4 to 8 bytes each from the start; entries hold only verified tokens and at most
 * {@code maxEntries} of them. Thread-safe: slots hold immutable records, read and written atomically.
 */
final class VerifiedTokenCache {

  /**
   * A checked token: the key that verified it, its claims and its hash.
   *
   * @param kid the {@code kid} of the signing key
   * @param key the published key the signature verified with
   * @param claims the claims that the verifier checks on every call
   * @param tokenSha256 the token's SHA-256, base64url, as audit records carry it; null for a verifier
   *     without an audit sink
   */
  record Entry(String kid, KeyRing.PublicKeyEntry key, TokenVerifier.Claims claims, @Nullable String tokenSha256) {
    Entry {
      Objects.requireNonNull(kid, "kid");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(claims, "claims");
      Objects.requireNonNull(claims.info(), "claims.info");
    }

    GrantInfo info() {
      return Objects.requireNonNull(claims.info(), "info");
    }

    @Override
    public String toString() {
      return "Entry[kid=" + kid + ", grant=" + info().grantId() + "]";
    }
  }

  /**
   * A token as a key: equal when the tokens are equal; hashed over its last characters (the signature of a
   * JWS, random for every token; a lookup of a crafted token that shares them costs a string comparison per
   * cached token that does too, and only verified tokens are ever cached) instead of all of them, which a
   * fresh string from the network would compute on every call. {@code toString()} never shows the token.
   */
  static final class Key {
    private static final int HASHED_CHARS = 24;
    private final String token;
    private final int hash;

    Key(String token) {
      this.token = token;
      int h = token.length();
      for (int i = Math.max(0, token.length() - HASHED_CHARS); i < token.length(); i++) {
        h = 31 * h + token.charAt(i);
      }
      this.hash = h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
      return o instanceof Key other && hash == other.hash && token.equals(other.token);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Key[" + token.length() + " chars]";
    }
  }

  /** A cached token with its deadline ({@code exp + skew}, epoch milliseconds); immutable. */
  private record Slot(Key key, Entry entry, long deadlineMillis) {}

  private final Clock clock;
  private final Duration skew;
  private final AtomicReferenceArray<@Nullable Slot> slots;

  /**
   * Creates a cache of at most {@code maxEntries} tokens.
   *
   * @param skew the verifier's clock skew: an entry is dropped once {@code exp + skew} has passed
   */
  VerifiedTokenCache(Clock clock, Duration skew, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.slots = new AtomicReferenceArray<>(maxEntries);
  }

  /** The entry of exactly this token, if cached. The caller still checks every claim against the clock. */
  @Nullable Entry get(String token) {
    Key key = new Key(token);
    int i = home(key);
    Slot s = find(key, i);
    if (s == null) {
      return null;
    }
    if (clock.millis() >= s.deadlineMillis()) {
      drop(s, i);
      return null;
    }
    return s.entry();
  }

  /**
   * Remembers a token whose signature and claims checked, unless it is already past its deadline: in the
   * token's home slot or the next one, whichever is free, holds the same token or an expired one; when
   * both hold live tokens, the one that expires first makes room.
   */
  void put(String token, Entry entry, Instant now) {
    Instant deadline = deadline(entry);
    if (!now.isBefore(deadline)) {
      return;
    }
    long nowMillis = now.toEpochMilli();
    Key key = new Key(token);
    Slot fresh = new Slot(key, entry, millis(deadline));
    int i = home(key);
    int j = next(i);
    Slot a = slots.get(i);
    if (a == null || a.key().equals(key) || nowMillis >= a.deadlineMillis()) {
      slots.set(i, fresh);
      return;
    }
    Slot b = slots.get(j);
    if (b == null || b.key().equals(key) || nowMillis >= b.deadlineMillis()) {
      slots.set(j, fresh);
      return;
    }
    slots.set(a.deadlineMillis() <= b.deadlineMillis() ? i : j, fresh);
  }

  /** Drops a token, for example because its key is no longer trusted. */
  void invalidate(String token) {
    Key key = new Key(token);
    int i = home(key);
    Slot s = find(key, i);
    if (s != null) {
      drop(s, i);
    }
  }

  /** How many tokens are cached and not past their deadline. */
  long size() {
    long now = clock.millis();
    long n = 0;
    for (int i = 0; i < slots.length(); i++) {
      Slot s = slots.get(i);
      if (s != null && now < s.deadlineMillis()) {
        n++;
      }
    }
    return n;
  }

  /** The slot holding this key, in its home slot {@code i} or the next one, or null. */
  private @Nullable Slot find(Key key, int i) {
    Slot s = slots.get(i);
    if (s != null && s.key().equals(key)) {
      return s;
    }
    s = slots.get(next(i));
    return s != null && s.key().equals(key) ? s : null;
  }

  /** Empties the slot that holds {@code s} (home {@code i} or the next), unless another thread replaced it. */
  private void drop(Slot s, int i) {
    if (!slots.compareAndSet(i, s, null)) {
      slots.compareAndSet(next(i), s, null);
    }
  }

  /** The home slot of a key: its hash, mixed, mapped onto the table without a division. */
  private int home(Key key) {
    int h = key.hashCode() * 0x9E3779B9;
    return (int) ((((h ^ (h >>> 16)) & 0xFFFF_FFFFL) * slots.length()) >>> 32);
  }

  private int next(int i) {
    return i + 1 == slots.length() ? 0 : i + 1;
  }

  private static long millis(Instant t) {
    try {
      return t.toEpochMilli();
    } catch (ArithmeticException e) {
      return t.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
  }

  private Instant deadline(Entry e) {
    Instant exp = e.info().expiresAt();
    try {
      return exp.plus(skew);
    } catch (java.time.DateTimeException | ArithmeticException ex) {
      return Instant.MAX;
    }
  }
}
