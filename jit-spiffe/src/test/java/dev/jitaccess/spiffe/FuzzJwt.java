package dev.jitaccess.spiffe;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shared by the JWT fuzz targets (JWT-SVID and OIDC): fixed test-only keys, a signer, and an independent
 * oracle (the JDK's {@link Signature} and Nimbus's JSON parser, not the code under test) that says
 * whether a token's signature and claims are really valid.
 *
 * <p>An input that starts with <code>{</code> is a header JSON, a newline, and a payload JSON: the fuzz
 * target signs it with the trusted key, so the fuzzer reaches the claim checks behind the signature. Any
 * other input is used as the token itself.
 */
@SuppressWarnings("exports") // test-only helper shared with the oidc tests; exposes Nimbus's ECKey
public final class FuzzJwt {
  /** The JWT-SVID authority of {@code example.org} (P-256); test-only. */
  public static final ECKey SVID_KEY = key("{\"kty\":\"EC\",\"d\":\"T8XZDn5yq8-nVzGtccw9ROdQ49z3UGk-9nggRJMQb1U\","
      + "\"crv\":\"P-256\",\"kid\":\"fuzz-svid-1\",\"x\":\"xC1o0KHSI3ERiIjjSGPcadcCUFoLrGCpLdESjlqSAUs\","
      + "\"y\":\"GuvDujloDzAuxFXxmM7aK8bkd0dYh2V40XskQQJfaes\"}");
  /** A second authority of {@code example.org}, on P-384 (for curve/algorithm confusion); test-only. */
  public static final ECKey SVID_KEY_384 = key("{\"kty\":\"EC\",\"d\":\"5_gedj382Dooj-p2MgbHGXcDryip7ydIShCUrS7pn98rgQ"
      + "IqtpMkTxWoCtD0oMNk\",\"crv\":\"P-384\",\"kid\":\"fuzz-svid-384\",\"x\":\"GYBKdB4Hhtt1k9j6asmzfaiHU3ZU7FY3ITHBo6dB"
      + "gdDthPYbm58ksMQ956qKTTWM\",\"y\":\"A_N9YVW_m2BgzT8No_XK5k3m1KvcjkfzEskHLMeLUe_GJEJIx-qOvhoVUQd3l55-\"}");
  /** The OIDC issuer's key (P-256); in the JWT-SVID target the authority of {@code other.example}. */
  public static final ECKey OIDC_KEY = key("{\"kty\":\"EC\",\"d\":\"8kgs7TNjYeSFj7OcgSoAtmhphNC3Ndfm6miIQxiKdCA\","
      + "\"crv\":\"P-256\",\"kid\":\"fuzz-oidc-1\",\"x\":\"8dOt8tBQz7FRBeawAj76JeTlHFjNEjoS1CfhzUppwuY\","
      + "\"y\":\"rHWzoGlV0Bb41q6y0PqhRIx9_ifEHcKV_5h9OG6nd0s\"}");
  /** Every fuzz target's clock stands still here. */
  public static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  /** The audience the verifiers expect. */
  public static final String AUDIENCE = "https://jit.example.org";

  private FuzzJwt() {}

  private static ECKey key(String json) {
    try {
      return ECKey.parse(json);
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The token for a fuzz input: signed with {@code key} in sign mode, else the input itself. */
  public static String token(byte[] input, ECKey key) {
    String text = new String(input, StandardCharsets.UTF_8);
    if (!text.startsWith("{")) {
      return text;
    }
    int nl = text.indexOf('\n');
    String header = nl < 0 ? text : text.substring(0, nl);
    String payload = nl < 0 ? "{}" : text.substring(nl + 1);
    return sign(header, payload, key);
  }

  /** Signs base64url(header).base64url(payload) with ES256 (P-256) or ES384 (P-384), P1363 format. */
  public static String sign(String headerJson, String payloadJson, ECKey key) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
    try {
      PrivateKey priv = key.toECPrivateKey();
      Signature s = Signature.getInstance(
          key.getCurve().getName().equals("P-384") ? "SHA384withECDSAinP1363Format" : "SHA256withECDSAinP1363Format");
      s.initSign(priv);
      s.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64.encodeToString(s.sign());
    } catch (GeneralSecurityException | com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A decoded part of a compact token, parsed with Nimbus's JSON parser, if it is a JSON object. */
  public static Optional<Map<String, Object>> part(String token, int index) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      String json = new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8);
      return Optional.of(JSONObjectUtils.parse(json));
    } catch (IllegalArgumentException | java.text.ParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the JDK, given the header's {@code alg} and the key of its {@code kid} from {@code keys},
   * accepts the signature over the first two parts. Only ES256 and ES384 exist among the test keys.
   * Without a {@code kid}, any of {@code keys} will do if {@code anyKeyWithoutKid} (OIDC selects keys by
   * {@code alg} and key type then); otherwise a missing {@code kid} is never valid (JWT-SVID B4).
   */
  public static boolean signatureValid(String token, Map<String, PublicKey> keys, boolean anyKeyWithoutKid) {
    Optional<Map<String, Object>> header = part(token, 0);
    if (header.isEmpty()) {
      return false;
    }
    Object kid = header.get().get("kid");
    if (kid == null && anyKeyWithoutKid) {
      return keys.values().stream().anyMatch(k -> signatureValid(token, header.get().get("alg"), k));
    }
    return kid instanceof String && keys.containsKey(kid) && signatureValid(token, header.get().get("alg"), keys.get(kid));
  }

  private static boolean signatureValid(String token, Object alg, PublicKey key) {
    int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
    String jdk = "ES256".equals(alg) && bits == 256 ? "SHA256withECDSAinP1363Format"
        : "ES384".equals(alg) && bits == 384 ? "SHA384withECDSAinP1363Format" : null;
    if (jdk == null) {
      return false;
    }
    int dot = token.lastIndexOf('.');
    try {
      Signature s = Signature.getInstance(jdk);
      s.initVerify(key);
      s.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
      return s.verify(Base64.getUrlDecoder().decode(token.substring(dot + 1)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * A NumericDate claim as an instant, if it is a JSON number; values beyond the {@link Instant} range
   * are clamped to {@link Instant#MIN} / {@link Instant#MAX}, as the verifiers document.
   */
  public static Optional<Instant> numericDate(Object value) {
    if (!(value instanceof Number n)) {
      return Optional.empty();
    }
    java.math.BigDecimal seconds = new java.math.BigDecimal(n.toString());
    if (seconds.compareTo(java.math.BigDecimal.valueOf(Instant.MAX.getEpochSecond())) >= 0) {
      return Optional.of(Instant.MAX);
    }
    if (seconds.compareTo(java.math.BigDecimal.valueOf(Instant.MIN.getEpochSecond())) <= 0) {
      return Optional.of(Instant.MIN);
    }
    java.math.BigDecimal floor = seconds.setScale(0, java.math.RoundingMode.FLOOR);
    return Optional.of(Instant.ofEpochSecond(floor.longValueExact(),
        seconds.subtract(floor).movePointRight(9).setScale(0, java.math.RoundingMode.FLOOR).longValue()));
  }

  /** {@code t + d}, or {@link Instant#MAX} past the range. */
  public static Instant plus(Instant t, java.time.Duration d) {
    return t.compareTo(Instant.MAX.minus(d)) > 0 ? Instant.MAX : t.plus(d);
  }

  /** Whether {@code aud} (a string or an array of strings) names {@link #AUDIENCE}. */
  public static boolean audienceContains(Object aud, String audience) {
    if (aud instanceof String s) {
      return s.equals(audience);
    }
    return aud instanceof List<?> l && l.contains(audience);
  }

  /** The public half of a fuzz key. */
  public static PublicKey pub(ECKey key) {
    try {
      return key.toECPublicKey();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Verifies through {@code verify}, which must neither throw nor return null; a rejection must give a
   * reason without the token, and must not be of the canonical valid input.
   *
   * @return the verified identity, or null when the token was rejected
   */
  public static dev.jitaccess.@org.jspecify.annotations.Nullable WorkloadIdentity verified(
      java.util.function.Supplier<dev.jitaccess.spi.IdentityResult> verify, String token, boolean canonicalValid) {
    dev.jitaccess.spi.IdentityResult result;
    try {
      result = verify.get();
    } catch (RuntimeException | Error e) {
      throw new AssertionError("verify threw " + e, e);
    }
    org.assertj.core.api.Assertions.assertThat(result).as("verify returned null").isNotNull();
    if (result instanceof dev.jitaccess.spi.IdentityResult.Rejected r) {
      org.assertj.core.api.Assertions.assertThat(r.reason()).isNotBlank();
      if (token.length() > 40) {
        org.assertj.core.api.Assertions.assertThat(r.reason()).as("a reason quotes the token").doesNotContain(token);
      }
      org.assertj.core.api.Assertions.assertThat(canonicalValid)
          .as("the canonical valid token was refused: %s", r.reason()).isFalse();
      return null;
    }
    return ((dev.jitaccess.spi.IdentityResult.Verified) result).identity();
  }

  /** A verified token's header holds none of {@code forbidden}, and its time claims hold at {@link #NOW}. */
  public static void assertHeaderAndTimes(Map<String, Object> header, Map<String, Object> claims,
      List<String> forbidden, java.time.Duration leeway) {
    for (String h : forbidden) {
      org.assertj.core.api.Assertions.assertThat(header).as("forbidden header %s", h).doesNotContainKey(h);
    }
    Instant exp = numericDate(claims.get("exp")).orElseThrow(() -> new AssertionError("verified without a numeric exp"));
    org.assertj.core.api.Assertions.assertThat(NOW).as("expired").isBefore(plus(exp, leeway.plusSeconds(1)));
    for (String claim : List.of("nbf", "iat")) {
      if (claims.get(claim) != null) {
        Instant t = numericDate(claims.get(claim)).orElseThrow(() -> new AssertionError(claim + " is not numeric"));
        org.assertj.core.api.Assertions.assertThat(t).as(claim + " in the future")
            .isBeforeOrEqualTo(NOW.plus(leeway).plusSeconds(1));
      }
    }
  }
}
