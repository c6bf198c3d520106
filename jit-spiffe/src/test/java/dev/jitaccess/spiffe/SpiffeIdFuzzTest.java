package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes {@link SpiffeId#parse} and {@link TrustDomain#parse} against a small reference
 * implementation of the SPIFFE-ID grammar (§2), written here apart from the main code as byte-wise
 * allow-lists over the UTF-8 encoding: both must accept exactly the same inputs, an accepted input
 * must split into the same trust domain and path, and a refused one must raise
 * {@link InvalidSpiffeIdException} with one of go-spiffe's messages and nothing else.
 *
 * <p>Each input is decoded twice, as UTF-8 (so look-alikes such as the Kelvin sign or the long s can
 * appear) and as ISO-8859-1. Without {@code JAZZER_FUZZ} only the corpus in
 * {@code SpiffeIdFuzzTestInputs/} is replayed; see FUZZING.md.
 */
class SpiffeIdFuzzTest {
  /** The messages go-spiffe uses; a refusal with any other message breaks the documented contract. */
  static final Set<String> MESSAGES = Set.of(
      "cannot be empty",
      "scheme is missing or invalid",
      "trust domain is missing",
      "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
      "path segment characters are limited to letters, numbers, dots, dashes, and underscores",
      "path must have a leading slash",
      "path cannot contain empty segments",
      "path cannot contain dot segments",
      "path cannot have a trailing slash",
      "SPIFFE ID is longer than 2048 bytes",
      "trust domain is longer than 255 bytes");

  @FuzzTest(maxDuration = "2m")
  void spiffeIdAndTrustDomainParsingMatchTheGrammar(byte[] input) {
    for (String s : List.of(new String(input, StandardCharsets.UTF_8), new String(input, StandardCharsets.ISO_8859_1))) {
      checkId(s);
      checkTrustDomain(s);
    }
  }

  static void checkId(String s) {
    Optional<Reference.Id> expected = Reference.parseId(s);
    SpiffeId parsed;
    try {
      parsed = SpiffeId.parse(s);
    } catch (InvalidSpiffeIdException e) {
      assertThat(expected).as("SpiffeId.parse refused an ID the grammar accepts: %s", e.getMessage()).isEmpty();
      assertThat(MESSAGES).as("refusal message").contains(e.getMessage());
      return;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("SpiffeId.parse threw " + e + " instead of InvalidSpiffeIdException", e);
    }
    if (expected.isEmpty()) {
      fail("SpiffeId.parse accepted an ID the grammar refuses: %s", printable(s));
    }
    assertThat(parsed.toString()).isEqualTo(s);
    assertThat(parsed.trustDomain().name()).isEqualTo(expected.get().trustDomain());
    assertThat(parsed.path()).isEqualTo(expected.get().path());
    assertThat(parsed.segments()).isEqualTo(expected.get().segments());
    assertThat(parsed.isTrustDomainId()).isEqualTo(expected.get().path().isEmpty());
    assertThat(SpiffeId.parse(parsed.toString())).isEqualTo(parsed);
    assertThat(SpiffeId.fromPath(parsed.trustDomain(), parsed.path())).isEqualTo(parsed);
    assertThat(SpiffeId.of(parsed.trustDomain(), parsed.segments().toArray(new String[0]))).isEqualTo(parsed);
  }

  static void checkTrustDomain(String s) {
    Optional<String> expected = Reference.parseTrustDomain(s);
    TrustDomain parsed;
    try {
      parsed = TrustDomain.parse(s);
    } catch (InvalidSpiffeIdException e) {
      assertThat(expected).as("TrustDomain.parse refused a name the grammar accepts: %s", e.getMessage()).isEmpty();
      assertThat(MESSAGES).as("refusal message").contains(e.getMessage());
      return;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("TrustDomain.parse threw " + e + " instead of InvalidSpiffeIdException", e);
    }
    if (expected.isEmpty()) {
      fail("TrustDomain.parse accepted a trust domain the grammar refuses: %s", printable(s));
    }
    assertThat(parsed.name()).isEqualTo(expected.get());
    assertThat(parsed.id().toString()).isEqualTo("spiffe://" + expected.get());
    assertThat(TrustDomain.parse(parsed.name())).isEqualTo(parsed);
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }

  /**
   * SPIFFE-ID §2 as byte-wise allow-lists over UTF-8, independent of the main code:
   * {@code spiffe://} + 1..255 bytes of {@code [a-z0-9.-_]} + zero or more {@code /segment}, each
   * segment 1+ bytes of {@code [a-zA-Z0-9.-_]} and neither {@code .} nor {@code ..}; at most 2048 bytes.
   */
  static final class Reference {
    private static final byte[] SCHEME = "spiffe://".getBytes(StandardCharsets.US_ASCII);

    record Id(String trustDomain, String path) {
      List<String> segments() {
        List<String> out = new ArrayList<>();
        if (!path.isEmpty()) {
          out.addAll(Arrays.asList(path.substring(1).split("/", -1)));
        }
        return out;
      }
    }

    private Reference() {}

    static boolean trustDomainByte(byte b) {
      return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '-' || b == '_';
    }

    static boolean pathByte(byte b) {
      return trustDomainByte(b) || (b >= 'A' && b <= 'Z');
    }

    static Optional<Id> parseId(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length == 0 || b.length > 2048 || b.length < SCHEME.length
          || !Arrays.equals(b, 0, SCHEME.length, SCHEME, 0, SCHEME.length)) {
        return Optional.empty();
      }
      int i = SCHEME.length;
      int tdStart = i;
      while (i < b.length && b[i] != '/') {
        if (!trustDomainByte(b[i])) {
          return Optional.empty();
        }
        i++;
      }
      int tdLength = i - tdStart;
      if (tdLength == 0 || tdLength > 255) {
        return Optional.empty();
      }
      int pathStart = i;
      while (i < b.length) { // b[i] == '/'
        int segmentStart = ++i;
        while (i < b.length && b[i] != '/') {
          if (!pathByte(b[i])) {
            return Optional.empty();
          }
          i++;
        }
        int n = i - segmentStart;
        if (n == 0 || (n == 1 && b[segmentStart] == '.')
            || (n == 2 && b[segmentStart] == '.' && b[segmentStart + 1] == '.')) {
          return Optional.empty();
        }
      }
      return Optional.of(new Id(new String(b, tdStart, tdLength, StandardCharsets.US_ASCII),
          new String(b, pathStart, b.length - pathStart, StandardCharsets.US_ASCII)));
    }

    /** A bare name, or (as go-spiffe does for input containing ":/") the trust domain of an ID. */
    static Optional<String> parseTrustDomain(String s) {
      if (s.contains(":/")) {
        return parseId(s).map(Id::trustDomain);
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (b.length == 0 || b.length > 255) {
        return Optional.empty();
      }
      for (byte x : b) {
        if (!trustDomainByte(x)) {
          return Optional.empty();
        }
      }
      return Optional.of(s);
    }
  }
}
