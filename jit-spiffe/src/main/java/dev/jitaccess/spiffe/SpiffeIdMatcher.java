package dev.jitaccess.spiffe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Matches SPIFFE IDs for policies: an exact ID, any ID of a trust domain, a path prefix (by whole
 * segments), or a glob where {@code *} is exactly one segment and {@code **} any number of segments
 * (zero included). Matching is case-sensitive and never folds case. Immutable and thread-safe.
 */
public final class SpiffeIdMatcher implements Predicate<SpiffeId> {
  private final String description;
  private final Predicate<SpiffeId> predicate;

  private SpiffeIdMatcher(String description, Predicate<SpiffeId> predicate) {
    this.description = description;
    this.predicate = predicate;
  }

  /** Matches exactly {@code id}. */
  public static SpiffeIdMatcher exact(SpiffeId id) {
    Objects.requireNonNull(id, "id");
    return new SpiffeIdMatcher("exact " + id, id::equals);
  }

  /** Matches every ID of {@code trustDomain}, including the trust-domain ID itself. */
  public static SpiffeIdMatcher trustDomain(TrustDomain trustDomain) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return new SpiffeIdMatcher("trust domain " + trustDomain, id -> id.isMemberOf(trustDomain));
  }

  /**
   * Matches IDs whose path starts with the segments of {@code prefix}: {@code spiffe://td/ns/prod}
   * matches {@code spiffe://td/ns/prod} and {@code spiffe://td/ns/prod/api}, not {@code
   * spiffe://td/ns/production}.
   */
  public static SpiffeIdMatcher pathPrefix(SpiffeId prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<String> want = prefix.segments();
    return new SpiffeIdMatcher("path prefix " + prefix, id -> {
      if (!id.isMemberOf(prefix.trustDomain())) {
        return false;
      }
      List<String> have = id.segments();
      return have.size() >= want.size() && have.subList(0, want.size()).equals(want);
    });
  }

  /**
   * Matches a glob such as {@code spiffe://example.org/ns/*}{@code /sa/**}. The trust domain is literal.
   * In the path, {@code *} matches exactly one segment and {@code **} any number of segments; other
   * segments are literal and must be valid segments. {@code *} inside a segment is not supported.
   *
   * @throws InvalidSpiffeIdException if the pattern is not a SPIFFE ID with such wildcards
   */
  public static SpiffeIdMatcher glob(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    if (!pattern.startsWith(SpiffeIdSyntax.SCHEME_PREFIX)) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.WRONG_SCHEME);
    }
    int slash = pattern.indexOf('/', SpiffeIdSyntax.SCHEME_PREFIX.length());
    String tdPart = slash < 0 ? pattern : pattern.substring(0, slash);
    TrustDomain td = SpiffeId.parse(tdPart).trustDomain();
    List<String> segments = new ArrayList<>();
    if (slash >= 0) {
      String path = pattern.substring(slash);
      if (path.endsWith("/")) {
        throw new InvalidSpiffeIdException(SpiffeIdSyntax.TRAILING_SLASH);
      }
      for (String seg : path.substring(1).split("/", -1)) {
        if (!seg.equals("*") && !seg.equals("**")) {
          SpiffeIdSyntax.checkSegment(seg);
        }
        segments.add(seg);
      }
    }
    List<String> globs = List.copyOf(segments);
    return new SpiffeIdMatcher("glob " + pattern,
        id -> id.isMemberOf(td) && matches(globs, 0, id.segments(), 0));
  }

  private static boolean matches(List<String> glob, int g, List<String> segs, int s) {
    while (g < glob.size()) {
      String p = glob.get(g);
      if (p.equals("**")) {
        // collapse consecutive **, then try every split
        while (g + 1 < glob.size() && glob.get(g + 1).equals("**")) {
          g++;
        }
        for (int k = s; k <= segs.size(); k++) {
          if (matches(glob, g + 1, segs, k)) {
            return true;
          }
        }
        return false;
      }
      if (s >= segs.size() || !(p.equals("*") || p.equals(segs.get(s)))) {
        return false;
      }
      g++;
      s++;
    }
    return s == segs.size();
  }

  /** Matches if any of {@code matchers} does. */
  public static SpiffeIdMatcher anyOf(SpiffeIdMatcher... matchers) {
    Objects.requireNonNull(matchers, "matchers");
    List<SpiffeIdMatcher> list = List.of(matchers);
    return new SpiffeIdMatcher("any of " + list, id -> list.stream().anyMatch(m -> m.test(id)));
  }

  /** Whether {@code id} matches. */
  @Override
  public boolean test(SpiffeId id) {
    Objects.requireNonNull(id, "id");
    return predicate.test(id);
  }

  /** Parses {@code id} and tests it; an invalid ID never matches. */
  public boolean matches(String id) {
    Objects.requireNonNull(id, "id");
    try {
      return test(SpiffeId.parse(id));
    } catch (InvalidSpiffeIdException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "SpiffeIdMatcher[" + description + "]";
  }
}
