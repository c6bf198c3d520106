package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.internal.CompactJws.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The compact-JWS front end: one table row per rejection path, with the bad material. */
class CompactJwsTest {
  static final CompactJws FRONT = CompactJws.builder().maxBytes(1024).algorithms(Set.of("ES256", "RS256")).build();
  static final String HEADER = b64("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
  static final String PAYLOAD = b64("{\"sub\":\"spiffe://example.org/w\",\"exp\":1700000000}");
  static final String SIGNATURE = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
  static final String GOOD = HEADER + "." + PAYLOAD + "." + SIGNATURE;

  static String b64(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String withHeader(String json) {
    return b64(json) + "." + PAYLOAD + "." + SIGNATURE;
  }

  static CompactJws.Refused refused(CompactJws front, String token) {
    CompactJws.Result result = front.parse(token);
    assertThat(result).isInstanceOf(CompactJws.Refused.class);
    CompactJws.Refused refused = (CompactJws.Refused) result;
    for (String part : token == null ? new String[0] : token.split("\\.")) {
      if (part.length() >= 8) {
        assertThat(refused.detail()).doesNotContain(part);
      }
    }
    return refused;
  }

  @Test
  void aWellFormedTokenIsParsed() {
    CompactJws.Parsed parsed = (CompactJws.Parsed) FRONT.parse(GOOD);
    assertThat(parsed.algorithm()).isEqualTo("ES256");
    assertThat(parsed.keyId()).isEqualTo("k1");
    assertThat(parsed.type()).isEqualTo("JWT");
    assertThat(parsed.claims()).containsEntry("sub", "spiffe://example.org/w").containsEntry("exp", 1700000000L);
    assertThat(new String(parsed.signingInput(), StandardCharsets.US_ASCII)).isEqualTo(HEADER + "." + PAYLOAD);
    assertThat(parsed.signature()).hasSize(64);
    assertThat(parsed.signaturePart()).isEqualTo(SIGNATURE);
    assertThat(parsed.toString()).doesNotContain(PAYLOAD).doesNotContain(SIGNATURE).contains("ES256", "k1");
  }

  @Test
  void parsedClaimsCannotBeChanged() {
    CompactJws.Parsed parsed = (CompactJws.Parsed) FRONT.parse(
        b64("{\"alg\":\"ES256\"}") + "." + b64("{\"a\":{\"b\":[1]}}") + "." + SIGNATURE);
    assertThatThrownBy(() -> parsed.claims().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> nested = (Map<String, Object>) parsed.claims().get("a");
    assertThatThrownBy(() -> nested.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<?>) nested.get("b")).clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> parsed.header().remove("alg")).isInstanceOf(UnsupportedOperationException.class);
  }

  static Stream<Arguments> malformed() {
    String nonCanonicalSignature = SIGNATURE.substring(0, SIGNATURE.length() - 1)
        + (SIGNATURE.endsWith("A") ? "B" : "A"); // 64 bytes: the last character carries 4 unused bits
    return Stream.of(
        Arguments.of("null", null, Problem.PART_COUNT, null),
        Arguments.of("empty", "", Problem.PART_COUNT, null),
        Arguments.of("one part", HEADER, Problem.PART_COUNT, null),
        Arguments.of("two parts", HEADER + "." + PAYLOAD, Problem.PART_COUNT, null),
        Arguments.of("four parts", GOOD + ".x", Problem.PART_COUNT, null),
        Arguments.of("too large", HEADER + "." + b64("{\"p\":\"" + "x".repeat(2000) + "\"}") + "." + SIGNATURE,
            Problem.TOO_LARGE, null),
        Arguments.of("JSON serialization", "{\"payload\":\"" + PAYLOAD + "\",\"signatures\":[]}",
            Problem.JSON_SERIALIZATION, null),
        Arguments.of("JSON serialization after whitespace", "  {\"payload\":\"x\"}", Problem.JSON_SERIALIZATION, null),
        Arguments.of("five parts (JWE)", GOOD + ".a.b", Problem.ENCRYPTED, null),
        Arguments.of("enc in a three-part header", withHeader("{\"alg\":\"ES256\",\"enc\":\"A256GCM\"}"),
            Problem.ENCRYPTED, "enc"),
        Arguments.of("zip", withHeader("{\"alg\":\"ES256\",\"zip\":\"DEF\"}"), Problem.ENCRYPTED, "zip"),
        Arguments.of("epk", withHeader("{\"alg\":\"ES256\",\"epk\":{}}"), Problem.ENCRYPTED, "epk"),
        Arguments.of("p2c", withHeader("{\"alg\":\"ES256\",\"p2c\":1000}"), Problem.ENCRYPTED, "p2c"),
        Arguments.of("JWE alg with enc", withHeader("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}"),
            Problem.ENCRYPTED, "enc"),
        Arguments.of("empty header", "." + PAYLOAD + "." + SIGNATURE, Problem.HEADER, null),
        Arguments.of("padded header", HEADER + "==." + PAYLOAD + "." + SIGNATURE, Problem.HEADER, null),
        Arguments.of("standard base64 alphabet", "e+J." + PAYLOAD + "." + SIGNATURE, Problem.HEADER, null),
        Arguments.of("leading whitespace", " " + GOOD, Problem.HEADER, null),
        Arguments.of("header not JSON", withHeader("alg=ES256"), Problem.HEADER, null),
        Arguments.of("header an array", withHeader("[\"ES256\"]"), Problem.HEADER, null),
        Arguments.of("header null", withHeader("null"), Problem.HEADER, null),
        Arguments.of("header trailing content", withHeader("{\"alg\":\"ES256\"} x"), Problem.HEADER, null),
        Arguments.of("header duplicate alg", withHeader("{\"alg\":\"ES256\",\"alg\":\"none\"}"), Problem.HEADER, null),
        Arguments.of("header invalid UTF-8",
            b64(new byte[] {'{', '"', 'a', 'l', 'g', '"', ':', '"', (byte) 0xC3, '"', '}'}) + "." + PAYLOAD + "."
                + SIGNATURE, Problem.HEADER, null),
        Arguments.of("no alg", withHeader("{\"kid\":\"k1\"}"), Problem.NO_ALGORITHM, "alg"),
        Arguments.of("alg not a string", withHeader("{\"alg\":256}"), Problem.NO_ALGORITHM, "alg"),
        Arguments.of("alg null", withHeader("{\"alg\":null}"), Problem.NO_ALGORITHM, "alg"),
        Arguments.of("alg none", withHeader("{\"alg\":\"none\"}"), Problem.UNSECURED, "alg"),
        Arguments.of("alg NoNe", withHeader("{\"alg\":\"NoNe\"}"), Problem.UNSECURED, "alg"),
        Arguments.of("alg HS256", withHeader("{\"alg\":\"HS256\"}"), Problem.ALGORITHM_NOT_ALLOWED, "alg"),
        Arguments.of("alg supported but not allowed", withHeader("{\"alg\":\"PS256\"}"),
            Problem.ALGORITHM_NOT_ALLOWED, "alg"),
        Arguments.of("alg lower case", withHeader("{\"alg\":\"es256\"}"), Problem.ALGORITHM_NOT_ALLOWED, "alg"),
        Arguments.of("jku", withHeader("{\"alg\":\"ES256\",\"jku\":\"https://evil.example/jwks\"}"),
            Problem.DENIED_HEADER, "jku"),
        Arguments.of("x5u", withHeader("{\"alg\":\"ES256\",\"x5u\":\"https://evil.example/c.pem\"}"),
            Problem.DENIED_HEADER, "x5u"),
        Arguments.of("jwk", withHeader("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}"), Problem.DENIED_HEADER, "jwk"),
        Arguments.of("x5c", withHeader("{\"alg\":\"ES256\",\"x5c\":[\"MIIB\"]}"), Problem.DENIED_HEADER, "x5c"),
        Arguments.of("crit", withHeader("{\"alg\":\"ES256\",\"crit\":[\"exp\"]}"), Problem.DENIED_HEADER, "crit"),
        Arguments.of("b64 false", withHeader("{\"alg\":\"ES256\",\"b64\":false}"), Problem.DENIED_HEADER, "b64"),
        Arguments.of("b64 true", withHeader("{\"alg\":\"ES256\",\"b64\":true}"), Problem.DENIED_HEADER, "b64"),
        Arguments.of("jku null", withHeader("{\"alg\":\"ES256\",\"jku\":null}"), Problem.DENIED_HEADER, "jku"),
        Arguments.of("kid a number", withHeader("{\"alg\":\"ES256\",\"kid\":7}"), Problem.HEADER_MEMBER, "kid"),
        Arguments.of("typ an object", withHeader("{\"alg\":\"ES256\",\"typ\":{}}"), Problem.HEADER_MEMBER, "typ"),
        Arguments.of("cty a list", withHeader("{\"alg\":\"ES256\",\"cty\":[]}"), Problem.HEADER_MEMBER, "cty"),
        Arguments.of("empty payload", HEADER + ".." + SIGNATURE, Problem.PAYLOAD, null),
        Arguments.of("payload not JSON", HEADER + "." + b64("hello") + "." + SIGNATURE, Problem.PAYLOAD, null),
        Arguments.of("payload a string", HEADER + "." + b64("\"x\"") + "." + SIGNATURE, Problem.PAYLOAD, null),
        Arguments.of("payload duplicate sub", HEADER + "." + b64("{\"sub\":\"a\",\"sub\":\"b\"}") + "." + SIGNATURE,
            Problem.PAYLOAD, null),
        Arguments.of("payload nested duplicate",
            HEADER + "." + b64("{\"a\":{\"k\":1,\"k\":2}}") + "." + SIGNATURE, Problem.PAYLOAD, null),
        Arguments.of("payload nesting deeper than 64",
            HEADER + "." + b64("[".repeat(70) + "]".repeat(70)) + "." + SIGNATURE, Problem.PAYLOAD, null),
        Arguments.of("empty signature", HEADER + "." + PAYLOAD + ".", Problem.SIGNATURE, null),
        Arguments.of("signature with a space", HEADER + "." + PAYLOAD + ".ab cd", Problem.SIGNATURE, null),
        Arguments.of("non-canonical signature", HEADER + "." + PAYLOAD + "." + nonCanonicalSignature,
            Problem.SIGNATURE, null),
        Arguments.of("non-ASCII signature", HEADER + "." + PAYLOAD + "." + SIGNATURE.substring(1) + "\u00e9",
            Problem.SIGNATURE, null),
        Arguments.of("trailing newline", GOOD + "\n", Problem.SIGNATURE, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedTokensAreRefusedWithTheirProblem(String name, String token, Problem problem, String member) {
    CompactJws.Refused refused = refused(FRONT, token);
    assertThat(refused.problem()).isEqualTo(problem);
    assertThat(refused.member()).isEqualTo(member);
    assertThat(refused.detail()).isNotBlank();
  }

  @Test
  void nonCanonicalSignatureRowIsACaseThatExists() {
    // guards the table: the changed character decodes to the same bytes, only the spelling differs
    String changed = SIGNATURE.substring(0, SIGNATURE.length() - 1) + (SIGNATURE.endsWith("A") ? "B" : "A");
    assertThat(Base64.getUrlDecoder().decode(changed)).isEqualTo(Base64.getUrlDecoder().decode(SIGNATURE));
  }

  @Test
  void exactlyAtTheSizeLimitIsParsed() {
    CompactJws exact = CompactJws.builder().maxBytes(GOOD.length()).algorithms(Set.of("ES256")).build();
    assertThat(exact.parse(GOOD)).isInstanceOf(CompactJws.Parsed.class);
    CompactJws oneLess = CompactJws.builder().maxBytes(GOOD.length() - 1).algorithms(Set.of("ES256")).build();
    assertThat(refused(oneLess, GOOD).problem()).isEqualTo(Problem.TOO_LARGE);
  }

  @Test
  void thumbprintHintsAreToleratedUnlessTheProfileRefusesThem() {
    String token = withHeader("{\"alg\":\"ES256\",\"x5t\":\"AAAA\"}");
    assertThat(FRONT.parse(token)).isInstanceOf(CompactJws.Parsed.class);
    CompactJws svid = CompactJws.builder().maxBytes(1024).algorithms(Set.of("ES256")).refuseThumbprintHints().build();
    assertThat(refused(svid, token).member()).isEqualTo("x5t");
    assertThat(refused(svid, withHeader("{\"alg\":\"ES256\",\"x5t#S256\":\"AAAA\"}")).member()).isEqualTo("x5t#S256");
  }

  @Test
  void embeddedJwkIsAcceptedOnlyWhenTrusted() {
    String token = withHeader("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}");
    CompactJws dpop = CompactJws.builder().maxBytes(1024).algorithms(Set.of("ES256")).trustEmbeddedJwk().build();
    assertThat(dpop.parse(token)).isInstanceOf(CompactJws.Parsed.class);
    assertThat(dpop.deniedHeaders()).doesNotContain("jwk").contains("jku", "x5u", "x5c", "crit", "b64");
    // trusting the embedded key does not open the other key-bearing members
    assertThat(refused(dpop, withHeader("{\"alg\":\"ES256\",\"jku\":\"https://evil.example\"}")).member())
        .isEqualTo("jku");
  }

  @Test
  void detailsQuoteAttackerTextShortAndPrintable() {
    CompactJws.Refused refused = refused(FRONT, withHeader("{\"alg\":\"X\\r\\nFORGED " + "y".repeat(100) + "\"}"));
    // the one sanitiser (UntrustedText.excerpt): quoted, escaped, at most MAX_EXCERPT characters
    assertThat(refused.detail()).doesNotContain("\r").doesNotContain("\n")
        .doesNotContain("y".repeat(UntrustedText.MAX_EXCERPT)).contains("\"X\\r\\nFORGED y").contains("\"...");
  }

  @Test
  void builderRefusesBadOptions() {
    assertThatThrownBy(() -> CompactJws.builder().algorithms(Set.of("HS256")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"HS256\"");
    assertThatThrownBy(() -> CompactJws.builder().algorithms(Set.of("none")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"none\"");
    assertThatThrownBy(() -> CompactJws.builder().algorithms(Set.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> CompactJws.builder().algorithms(null))
        .isInstanceOf(NullPointerException.class).hasMessage("algorithms");
    assertThatThrownBy(() -> CompactJws.builder().maxBytes(63))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("63");
    assertThatThrownBy(() -> CompactJws.builder().maxBytes(100).maxBytes(100))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> CompactJws.builder().algorithms(Set.of("ES256")).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("maxBytes is required");
    assertThatThrownBy(() -> CompactJws.builder().maxBytes(100).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("algorithms are required");
    assertThatThrownBy(() -> CompactJws.builder().trustEmbeddedJwk().trustEmbeddedJwk())
        .isInstanceOf(IllegalStateException.class);
  }

  @Property(tries = 300)
  void arbitraryTextNeverThrowsAndNeverEchoes(@ForAll String text) {
    CompactJws.Result result = FRONT.parse(text);
    if (result instanceof CompactJws.Refused refused && text.length() >= 12) {
      assertThat(refused.detail()).doesNotContain(text);
    }
  }

  @Property(tries = 200)
  void anyFlippedCharacterIsRefusedOrStillParses(@ForAll("positions") int position, @ForAll char replacement) {
    String token = GOOD.substring(0, position) + replacement + GOOD.substring(position + 1);
    CompactJws.Result result = FRONT.parse(token);
    if (result instanceof CompactJws.Parsed parsed) {
      // a changed token that still parses must still satisfy every front-end rule
      assertThat(parsed.algorithm()).isIn("ES256", "RS256");
      assertThat(parsed.header()).doesNotContainKeys("jku", "x5u", "jwk", "x5c", "crit", "b64", "enc", "zip");
    }
  }

  @Property(tries = 500)
  void decodeOfEncodeIsTheBytesAndTheOnlySpelling(@ForAll byte[] bytes) {
    // one byte string has one accepted spelling: its unpadded base64url
    if (bytes.length == 0) {
      assertThat(CompactJws.canonical("")).isNull();
      return;
    }
    String spelling = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    assertThat(CompactJws.canonical(spelling)).isEqualTo(bytes);
    assertThat(CompactJws.canonical(spelling + "=")).isNull();
    assertThat(CompactJws.canonical(Base64.getEncoder().encodeToString(bytes))).as("padded or +/ alphabet")
        .satisfiesAnyOf(d -> assertThat(d).isNull(), d -> assertThat(d).isEqualTo(bytes));
  }

  @Property(tries = 1000)
  void whatDecodesIsCanonical(@ForAll("base64urlText") String text) {
    byte[] bytes = CompactJws.canonical(text);
    if (bytes != null) {
      assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)).isEqualTo(text);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> base64urlText() {
    return net.jqwik.api.Arbitraries.strings()
        .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .")
        .ofMinLength(0).ofMaxLength(12);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> positions() {
    return net.jqwik.api.Arbitraries.integers().between(0, GOOD.length() - 1);
  }
}
