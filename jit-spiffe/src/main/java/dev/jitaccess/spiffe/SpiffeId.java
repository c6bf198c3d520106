package dev.jitaccess.spiffe;

import static dev.jitaccess.spiffe.SpiffeIdSyntax.MAX_ID_BYTES;
import static dev.jitaccess.spiffe.SpiffeIdSyntax.SCHEME_PREFIX;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE ID: {@code spiffe://<trust domain><path>}, checked exactly per the SPIFFE-ID specification
 * with byte-wise allow-lists, as go-spiffe does.
 *
 * <ul>
 *   <li>The scheme must be exactly {@code spiffe} and the trust domain lowercase {@code [a-z0-9.\-_]}:
 *       uppercase is rejected, never folded, so parsing never depends on the default locale.
 *   <li>Path segments are {@code [a-zA-Z0-9.\-_]}, case-sensitive, not empty, not {@code .} or
 *       {@code ..}; no trailing slash, no percent-encoding, query or fragment.
 *   <li>IDs longer than 2048 bytes and trust domains longer than 255 bytes are refused. The spec
 *       (§2.3) only says implementations MUST support up to those sizes; refusing longer input fails
 *       closed against oversized, attacker-supplied values.
 * </ul>
 *
 * <p>Immutable; equal when the strings are equal.
 */
public final class SpiffeId {
  private final TrustDomain trustDomain;
  private final String path;
  private final String string;

  private SpiffeId(TrustDomain trustDomain, String path) {
    this.trustDomain = trustDomain;
    this.path = path;
    this.string = SCHEME_PREFIX + trustDomain.name() + path;
  }

  /**
   * Parses a SPIFFE ID.
   *
   * @throws NullPointerException if {@code id} is null
   * @throws InvalidSpiffeIdException if it is not a valid SPIFFE ID, with go-spiffe's message
   */
  public static SpiffeId parse(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.EMPTY);
    }
    if (SpiffeIdSyntax.utf8Length(id, MAX_ID_BYTES) > MAX_ID_BYTES) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.ID_TOO_LONG);
    }
    if (!id.startsWith(SCHEME_PREFIX)) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.WRONG_SCHEME);
    }
    int start = SCHEME_PREFIX.length();
    int i = start;
    for (; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/') {
        break;
      }
      if (!SpiffeIdSyntax.isTrustDomainChar(c)) {
        throw new InvalidSpiffeIdException(SpiffeIdSyntax.BAD_TRUST_DOMAIN_CHAR);
      }
    }
    if (i == start) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.MISSING_TRUST_DOMAIN);
    }
    TrustDomain td = TrustDomain.ofCheckedName(SpiffeIdSyntax.checkTrustDomainName(id.substring(start, i)));
    String path = id.substring(i);
    SpiffeIdSyntax.checkPath(path);
    return new SpiffeId(td, path);
  }

  /**
   * Builds an ID from a trust domain and path segments, each checked as one segment (no slashes).
   * With no segments the result is the trust domain's own ID.
   *
   * @throws InvalidSpiffeIdException if a segment is invalid or the ID would exceed 2048 bytes
   */
  public static SpiffeId of(TrustDomain trustDomain, String... segments) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(segments, "segments");
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      Objects.requireNonNull(segment, "segment");
      SpiffeIdSyntax.checkSegment(segment);
      path.append('/').append(segment);
    }
    return checkedLength(new SpiffeId(trustDomain, path.toString()));
  }

  /**
   * Builds an ID from a trust domain and a path such as {@code /ns/prod/sa/api}; the empty path gives
   * the trust domain's own ID (go-spiffe's {@code FromPath}).
   *
   * @throws InvalidSpiffeIdException if the path is invalid or the ID would exceed 2048 bytes
   */
  public static SpiffeId fromPath(TrustDomain trustDomain, String path) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    SpiffeIdSyntax.checkPath(path);
    return checkedLength(new SpiffeId(trustDomain, path));
  }

  private static SpiffeId checkedLength(SpiffeId id) {
    if (id.string.length() > MAX_ID_BYTES) { // every allowed char is one byte
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.ID_TOO_LONG);
    }
    return id;
  }

  /** The trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The path, {@code ""} for a trust-domain ID, otherwise starting with {@code /}. */
  public String path() {
    return path;
  }

  /** The path segments, empty for a trust-domain ID. */
  public List<String> segments() {
    if (path.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    int start = 1;
    for (int i = 1; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        out.add(path.substring(start, i));
        start = i + 1;
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Whether the ID has no path, that is, it names the trust domain itself. */
  public boolean isTrustDomainId() {
    return path.isEmpty();
  }

  /** Whether the ID belongs to {@code trustDomain}. */
  public boolean isMemberOf(TrustDomain trustDomain) {
    return this.trustDomain.equals(trustDomain);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SpiffeId spiffeId && spiffeId.string.equals(string);
  }

  @Override
  public int hashCode() {
    return string.hashCode();
  }

  /** The ID as a string, {@code spiffe://td/path}; {@link #parse} of it gives an equal ID. */
  @Override
  public String toString() {
    return string;
  }
}
