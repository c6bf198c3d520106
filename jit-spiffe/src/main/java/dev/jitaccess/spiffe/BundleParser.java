package dev.jitaccess.spiffe;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.jitaccess.internal.StrictJson;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the JSON bundle documents of {@link SpiffeBundle#parse(TrustDomain, byte[])} and {@link
 * SpiffeBundle#parseJwks}: the SPIFFE bundle format's rules (D1 to D8, see the class javadoc of {@link
 * SpiffeBundle}) and which keys may be authorities.
 */
final class BundleParser {
  private static final Set<String> X509_KTYS = Set.of("RSA", "EC", "OKP");
  private static final Set<Curve> JWT_CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);

  private BundleParser() {}

  /**
   * Reads a document as one JSON object, strictly (duplicate keys refused).
   *
   * @throws InvalidBundleException if it is too large, not JSON, or not an object
   */
  static Map<String, Object> toJsonObject(byte[] json) {
    SpiffeBundle.checkSize(json);
    Object parsed;
    try {
      parsed = StrictJson.parse(new String(json, StandardCharsets.UTF_8));
    } catch (StrictJson.JsonException e) {
      throw new InvalidBundleException("bundle is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new InvalidBundleException("bundle is not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed;
    return map;
  }

  /**
   * Reads a bundle from its JSON object: the SPIFFE bundle format ({@code spiffeFormat}, keys chosen by
   * {@code use}, D1 to D8) or a plain JWK Set (every usable key a JWT authority).
   *
   * @throws InvalidBundleException if the document breaks a rule that invalidates the whole bundle
   */
  static SpiffeBundle read(TrustDomain td, Map<String, Object> doc, boolean spiffeFormat) {
    SpiffeBundle.Builder b = SpiffeBundle.builder(td);
    if (!doc.containsKey("keys")) {
      throw new InvalidBundleException("D1: bundle has no 'keys' member");
    }
    if (!(doc.get("keys") instanceof List)) {
      throw new InvalidBundleException("D1: 'keys' is not an array");
    }
    if (spiffeFormat) {
      if (doc.containsKey("spiffe_sequence")) {
        Object seq = doc.get("spiffe_sequence");
        if (!(seq instanceof Long l) || l < 0) {
          throw new InvalidBundleException("D2: spiffe_sequence is not a non-negative 64-bit integer");
        }
        b.sequence(l);
      }
      if (doc.containsKey("spiffe_refresh_hint")) {
        Object hint = doc.get("spiffe_refresh_hint");
        if (!(hint instanceof Long l) || l < 0) {
          throw new InvalidBundleException("D3: spiffe_refresh_hint is not a non-negative integer");
        }
        b.refreshHint(Duration.ofSeconds(l));
      }
    }
    List<?> keys = (List<?>) doc.get("keys");
    for (int i = 0; i < keys.size(); i++) {
      if (!(keys.get(i) instanceof Map)) {
        throw new InvalidBundleException("D1: key entry " + i + " is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> key = (Map<String, Object>) keys.get(i);
      if (spiffeFormat) {
        Object use = key.get("use");
        if ("x509-svid".equals(use)) {
          addX509Entry(b, key, i);
        } else if ("jwt-svid".equals(use)) {
          addJwtEntry(b, key, i);
        }
        // D6: missing or unknown use (wit-svid included): ignore this JWK
      } else {
        addJwtEntry(b, key, i);
      }
    }
    return b.build();
  }

  private static void addX509Entry(SpiffeBundle.Builder b, Map<String, Object> key, int i) {
    Object kty = key.get("kty");
    if (!(kty instanceof String) || !X509_KTYS.contains(kty)) {
      return; // D5: unknown kty
    }
    Object x5c = key.get("x5c");
    if (x5c == null || (x5c instanceof List && ((List<?>) x5c).isEmpty())) {
      return; // D7: no certificate: ignore the entry
    }
    if (!(x5c instanceof List) || !(((List<?>) x5c).get(0) instanceof String)) {
      throw new InvalidBundleException("D7: x509-svid entry " + i + " has a malformed x5c");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode((String) ((List<?>) x5c).get(0));
    } catch (IllegalArgumentException e) {
      throw new InvalidBundleException("D7: x509-svid entry " + i + " x5c is not base64");
    }
    b.x509Authority(BundleCertificates.certificate(der, "x509-svid entry " + i));
  }

  private static void addJwtEntry(SpiffeBundle.Builder b, Map<String, Object> key, int i) {
    Object kty = key.get("kty");
    if (!"RSA".equals(kty) && !"EC".equals(kty)) {
      return; // D5: unknown kty, or one no JWT-SVID algorithm uses (OKP, oct)
    }
    Object kid = key.get("kid");
    if (!(kid instanceof String string) || string.isBlank()) {
      throw new InvalidBundleException("D8: jwt-svid entry " + i + " has no kid");
    }
    JWK jwk;
    try {
      jwk = JWK.parse(key);
    } catch (java.text.ParseException | RuntimeException e) {
      throw new InvalidBundleException("D5: jwt-svid entry " + i + " is not a valid " + kty + " key");
    }
    PublicKey publicKey;
    try {
      if (jwk instanceof RSAKey rsaKey) {
        publicKey = rsaKey.toRSAPublicKey();
      } else {
        ECKey ec = (ECKey) jwk;
        if (!JWT_CURVES.contains(ec.getCurve())) {
          return; // a curve no JWT-SVID algorithm uses: ignore
        }
        publicKey = ec.toECPublicKey();
      }
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new InvalidBundleException("D5: jwt-svid entry " + i + " has an unusable " + kty + " key");
    }
    if (b.hasJwtAuthority(string)) {
      throw new InvalidBundleException("D8: jwt-svid entry " + i + " repeats a kid");
    }
    b.jwtAuthority(string, publicKey);
  }
}
