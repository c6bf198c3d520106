package dev.jitaccess.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The project's one front end for compact JWS tokens (RFC 7515 §7.1): every verifier of a signed JWT
 * (grant tokens, JWT-SVIDs, OIDC tokens, DPoP proofs) runs a token through {@link #parse} before it
 * looks up a key, so the structural rules are written once. In this order:
 *
 * <ol>
 *   <li>size: more than {@code maxBytes} characters is refused before anything else is read ({@link
 *       Problem#TOO_LARGE}); anything acceptable is ASCII, so characters are bytes;
 *   <li>the JWS JSON serialization is refused ({@link Problem#JSON_SERIALIZATION});
 *   <li>exactly three dot-separated parts; five parts are a JWE ({@link Problem#ENCRYPTED}), any other
 *       count is {@link Problem#PART_COUNT};
 *   <li>the header: canonical unpadded base64url (one token has one spelling), strict UTF-8, a strict
 *       JSON object without duplicate member names ({@link Problem#HEADER});
 *   <li>JWE header members ({@link #JWE_MEMBERS}) are refused: a parser that dispatches on them
 *       would not treat the token as this JWS ({@link Problem#ENCRYPTED});
 *   <li>{@code alg}: present and a string ({@link Problem#NO_ALGORITHM}), never {@code none} in any
 *       spelling ({@link Problem#UNSECURED}), and in the caller's allow-list ({@link
 *       Problem#ALGORITHM_NOT_ALLOWED}); allow-lists hold only asymmetric algorithms;
 *   <li>the one header deny-list, {@link #DENIED_HEADERS}: members that bring their own key ({@code jku,
 *       x5u, jwk, x5c}) or change processing ({@code crit, b64}) ({@link Problem#DENIED_HEADER}); a
 *       caller whose key is the embedded {@code jwk} (DPoP) says so with {@link
 *       Builder#trustEmbeddedJwk()}, and a profile that forbids thumbprint hints too (JWT-SVID) adds
 *       {@link #THUMBPRINT_HINTS} with {@link Builder#refuseThumbprintHints()};
 *   <li>the registered members {@code kid}, {@code typ} and {@code cty}, when present, are strings
 *       ({@link Problem#HEADER_MEMBER});
 *   <li>the payload: as the header ({@link Problem#PAYLOAD});
 *   <li>the signature: canonical unpadded base64url, not empty ({@link Problem#SIGNATURE}).
 * </ol>
 *
 * <p>The signature is not checked here: keys and their selection differ per token type. Nothing here
 * throws for bad input, and no {@link Refused#detail()} contains the token or any part of it.
 * Instances are immutable and thread-safe.
 */
public final class CompactJws {
  /**
   * The one header deny-list: members that bring their own key or URL ({@code jku, x5u, jwk, x5c}) or
   * change how the token is processed ({@code crit, b64}).
   */
  public static final List<String> DENIED_HEADERS = List.of("jku", "x5u", "jwk", "x5c", "crit", "b64");
  /** Thumbprint hints ({@code x5t, x5t#S256}): bring no key, refused only by profiles that ask. */
  public static final List<String> THUMBPRINT_HINTS = List.of("x5t", "x5t#S256");
  /** Members of a JWE header (RFC 7516, RFC 7518 §4.6-4.8): a header holding one is not a JWS header. */
  public static final List<String> JWE_MEMBERS = List.of("enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c");
  /** Every algorithm an allow-list may name: RSA PKCS#1 and PSS, ECDSA, EdDSA. */
  public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384",
      "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519");
  private static final List<String> STRING_MEMBERS = List.of("kid", "typ", "cty");

  /** Why a token was refused. */
  public enum Problem {
    /** Longer than the limit; nothing was parsed. */
    TOO_LARGE,
    /** The JWS JSON serialization (a JSON document), not the compact one. */
    JSON_SERIALIZATION,
    /** Not three dot-separated parts (and not five: see {@link #ENCRYPTED}). */
    PART_COUNT,
    /** A JWE: five parts, or a header with JWE members. */
    ENCRYPTED,
    /** The header is not canonical base64url of a strict UTF-8 JSON object. */
    HEADER,
    /** The header has no {@code alg}, or it is not a string. */
    NO_ALGORITHM,
    /** {@code alg} is {@code none}: an unsecured JWT. */
    UNSECURED,
    /** {@code alg} is not in the allow-list. */
    ALGORITHM_NOT_ALLOWED,
    /** The header holds a member of the deny-list. */
    DENIED_HEADER,
    /** {@code kid}, {@code typ} or {@code cty} is present but not a string. */
    HEADER_MEMBER,
    /** The payload is not canonical base64url of a strict UTF-8 JSON object. */
    PAYLOAD,
    /** The signature is empty or not canonical base64url. */
    SIGNATURE
  }

  /** The outcome of {@link #parse}: {@link Parsed} or {@link Refused}. */
  public sealed interface Result permits Parsed, Refused {}

  /**
   * A token refused by the front end.
   *
   * @param problem which rule failed
   * @param detail the rule in words, with the offending member or algorithm (quoted, shortened); never
   *     the token
   * @param member the header member at fault ({@code alg}, a denied member, {@code kid}...), or null
   * @param value the member's value when it is a string (the refused {@code alg}), or null; untrusted
   *     text: quote it before showing it
   */
  public record Refused(Problem problem, String detail, @Nullable String member, @Nullable String value)
      implements Result {
    /** Checks the values. */
    public Refused {
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(detail, "detail");
    }

    Refused(Problem problem, String detail, @Nullable String member) {
      this(problem, detail, member, null);
    }

    @Override
    public String toString() {
      return "CompactJws.Refused[" + problem + ": " + detail + "]";
    }
  }

  /**
   * A token that passed the front end; its signature is still unchecked. {@link #toString()} names only
   * the algorithm and the key id.
   */
  public static final class Parsed implements Result {
    private final String algorithm;
    private final Map<String, Object> header;
    private final Map<String, Object> claims;
    private final String signingInput;
    private final byte[] signature;
    private final String signaturePart;

    Parsed(String algorithm, Map<String, Object> header, Map<String, Object> claims, String signingInput,
        byte[] signature, String signaturePart) {
      this.algorithm = algorithm;
      this.header = header;
      this.claims = claims;
      this.signingInput = signingInput;
      this.signature = signature;
      this.signaturePart = signaturePart;
    }

    /** The header's {@code alg}, one of the allow-list. */
    public String algorithm() {
      return algorithm;
    }

    /** The header's {@code kid}, if present (a string, checked). */
    public @Nullable String keyId() {
      return (String) header.get("kid");
    }

    /** The header's {@code typ}, if present (a string, checked). */
    public @Nullable String type() {
      return (String) header.get("typ");
    }

    /** The header, unmodifiable, in token order. */
    public Map<String, Object> header() {
      return header;
    }

    /** The payload's JSON object (the claims), unmodifiable at every level, in token order. */
    public Map<String, Object> claims() {
      return claims;
    }

    /** The JWS signing input: the first two parts with the dot between them, as ASCII bytes. */
    public byte[] signingInput() {
      return signingInput.getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature bytes (a copy). */
    public byte[] signature() {
      return signature.clone();
    }

    /** The third part as the token carried it (canonical base64url, checked: the one spelling of {@link #signature()}). */
    public String signaturePart() {
      return signaturePart;
    }

    @Override
    public String toString() {
      return "CompactJws.Parsed[alg=" + algorithm + ", kid=" + quote(keyId()) + "]";
    }
  }

  private final int maxBytes;
  private final Set<String> algorithms;
  private final List<String> denied;

  private CompactJws(Builder b) {
    this.maxBytes = b.maxBytes;
    this.algorithms = Set.copyOf(Objects.requireNonNull(b.algorithms, "algorithms"));
    LinkedHashSet<String> list = new LinkedHashSet<>(DENIED_HEADERS);
    if (b.trustEmbeddedJwk) {
      list.remove("jwk");
    }
    if (b.refuseThumbprintHints) {
      list.addAll(THUMBPRINT_HINTS);
    }
    this.denied = List.copyOf(list);
  }

  /** Starts a builder; {@code maxBytes} and {@code algorithms} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The algorithms this front end accepts. */
  public Set<String> algorithms() {
    return algorithms;
  }

  /** The header members this front end refuses. */
  public List<String> deniedHeaders() {
    return denied;
  }

  /** The size limit in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /** Runs the front-end checks on a token; never throws for bad input and never returns null. */
  public Result parse(@Nullable String token) {
    if (token == null) {
      return new Refused(Problem.PART_COUNT, "no token", null);
    }
    if (token.length() > maxBytes) {
      return new Refused(Problem.TOO_LARGE, "the token is larger than the " + maxBytes + "-byte limit", null);
    }
    if (token.stripLeading().startsWith("{")) {
      return new Refused(Problem.JSON_SERIALIZATION, "the JWS JSON serialization is not accepted", null);
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length == 5) {
      return new Refused(Problem.ENCRYPTED, "encrypted tokens (JWE, five parts) are not accepted", null);
    }
    if (parts.length != 3) {
      return new Refused(Problem.PART_COUNT,
          "a compact JWS has three dot-separated parts, this has " + parts.length, null);
    }
    Map<String, Object> header = object(parts[0]);
    if (header == null) {
      return new Refused(Problem.HEADER, "the header is not a base64url-encoded JSON object", null);
    }
    for (String member : JWE_MEMBERS) {
      if (header.containsKey(member)) {
        return new Refused(Problem.ENCRYPTED,
            "the header member " + member + " belongs to an encrypted token (JWE)", member);
      }
    }
    if (!(header.get("alg") instanceof String alg)) {
      return new Refused(Problem.NO_ALGORITHM, "the header has no alg", "alg");
    }
    if (alg.strip().equalsIgnoreCase("none")) {
      return new Refused(Problem.UNSECURED, "alg " + quote(alg) + " (an unsecured JWT) is never accepted", "alg", alg);
    }
    if (!algorithms.contains(alg)) {
      return new Refused(Problem.ALGORITHM_NOT_ALLOWED,
          "alg " + quote(alg) + " is not one of the allowed algorithms " + sorted(algorithms), "alg", alg);
    }
    for (String member : denied) {
      if (header.containsKey(member)) {
        return new Refused(Problem.DENIED_HEADER, "the header member " + member + " is not accepted", member);
      }
    }
    for (String member : STRING_MEMBERS) {
      if (header.containsKey(member) && !(header.get(member) instanceof String)) {
        return new Refused(Problem.HEADER_MEMBER, "the header member " + member + " is not a string", member);
      }
    }
    Map<String, Object> claims = object(parts[1]);
    if (claims == null) {
      return new Refused(Problem.PAYLOAD, "the payload is not a base64url-encoded JSON object", null);
    }
    byte[] signature = canonical(parts[2]);
    if (signature == null) {
      return new Refused(Problem.SIGNATURE, "the signature is empty or not canonical base64url", null);
    }
    return new Parsed(alg, header, claims, parts[0] + '.' + parts[1], signature, parts[2]);
  }

  /**
   * The bytes of a non-empty, canonical, unpadded base64url part, or null. Canonical: a length that is not
   * 1 modulo 4 (no dangling character) and zero unused low bits in the last character, so that one byte
   * string has one spelling; checked on the characters, without encoding the bytes again.
   */
  static byte @Nullable [] canonical(String part) {
    int n = part.length();
    if (n == 0 || n % 4 == 1) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      if (sextet(part.charAt(i)) < 0) {
        return null;
      }
    }
    int unusedBits = n % 4 == 2 ? 0xF : n % 4 == 3 ? 0x3 : 0;
    if ((sextet(part.charAt(n - 1)) & unusedBits) != 0) {
      return null;
    }
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The value of a base64url character, or -1 for any other character. */
  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
  }

  /** The strict JSON object in a canonical base64url part of strict UTF-8, or null. */
  @SuppressWarnings("unchecked")
  private static @Nullable Map<String, Object> object(String part) {
    byte[] bytes = canonical(part);
    if (bytes == null) {
      return null;
    }
    try {
      // ASCII (every byte below 0x80, the usual JOSE header and claims) is valid UTF-8 as it stands
      String text = isAscii(bytes) ? new String(bytes, StandardCharsets.US_ASCII)
          : StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return StrictJson.parse(text) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    } catch (CharacterCodingException | StrictJson.JsonException e) {
      return null;
    }
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  /** A header value for a detail or a message: the project's one sanitiser ({@link UntrustedText#excerpt}). */
  static String quote(@Nullable String value) {
    return UntrustedText.excerpt(value);
  }

  /** Builds a {@link CompactJws}. Not thread-safe. */
  public static final class Builder {
    private int maxBytes;
    private @Nullable Set<String> algorithms;
    private boolean trustEmbeddedJwk;
    private boolean refuseThumbprintHints;

    private Builder() {}

    /** The largest token accepted, 64 bytes to 1 MiB (required). */
    public Builder maxBytes(int maxBytes) {
      if (this.maxBytes != 0) {
        throw new IllegalStateException("maxBytes was already set");
      }
      if (maxBytes < 64 || maxBytes > 1 << 20) {
        throw new IllegalArgumentException("maxBytes must be between 64 and 1048576, got " + maxBytes);
      }
      this.maxBytes = maxBytes;
      return this;
    }

    /**
     * The allowed algorithms (required, not empty), each one of {@link #SUPPORTED_ALGORITHMS}: never
     * {@code none} or a symmetric algorithm.
     */
    public Builder algorithms(Set<String> algorithms) {
      Objects.requireNonNull(algorithms, "algorithms");
      if (this.algorithms != null) {
        throw new IllegalStateException("algorithms were already set");
      }
      if (algorithms.isEmpty()) {
        throw new IllegalArgumentException("algorithms must not be empty");
      }
      for (String alg : algorithms) {
        Objects.requireNonNull(alg, "algorithms element");
        if (!SUPPORTED_ALGORITHMS.contains(alg)) {
          throw new IllegalArgumentException("algorithm " + quote(alg) + " is not supported; supported: "
              + sorted(SUPPORTED_ALGORITHMS));
        }
      }
      this.algorithms = Set.copyOf(algorithms);
      return this;
    }

    /** Accepts the {@code jwk} header member: for DPoP proofs, whose key is the embedded one. */
    public Builder trustEmbeddedJwk() {
      if (trustEmbeddedJwk) {
        throw new IllegalStateException("trustEmbeddedJwk was already set");
      }
      this.trustEmbeddedJwk = true;
      return this;
    }

    /** Refuses the thumbprint hints {@code x5t} and {@code x5t#S256} too (the JWT-SVID profile). */
    public Builder refuseThumbprintHints() {
      if (refuseThumbprintHints) {
        throw new IllegalStateException("refuseThumbprintHints was already set");
      }
      this.refuseThumbprintHints = true;
      return this;
    }

    /**
     * Builds the front end.
     *
     * @throws IllegalStateException if {@code maxBytes} or {@code algorithms} is missing
     */
    public CompactJws build() {
      if (maxBytes == 0) {
        throw new IllegalStateException("maxBytes is required");
      }
      if (algorithms == null) {
        throw new IllegalStateException("algorithms are required");
      }
      return new CompactJws(this);
    }
  }
}
