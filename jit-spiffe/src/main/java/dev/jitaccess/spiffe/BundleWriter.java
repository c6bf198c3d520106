package dev.jitaccess.spiffe;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Writes a {@link SpiffeBundle} in the SPIFFE bundle format: public material only. */
final class BundleWriter {
  private BundleWriter() {}

  /** The document of {@link SpiffeBundle#toJson()}. */
  static byte[] toJson(List<X509Certificate> x509Authorities, Map<String, PublicKey> jwtAuthorities,
      @Nullable Long sequence, @Nullable Duration refreshHint) {
    List<Object> keys = new ArrayList<>();
    for (X509Certificate authority : x509Authorities) {
      Map<String, Object> jwk = publicJwk(authority.getPublicKey(), "an X.509 authority");
      jwk.put("use", "x509-svid");
      try {
        jwk.put("x5c", List.of(Base64.getEncoder().encodeToString(authority.getEncoded())));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("an X.509 authority could not be encoded", e);
      }
      keys.add(jwk);
    }
    for (Map.Entry<String, PublicKey> e : jwtAuthorities.entrySet()) {
      Map<String, Object> jwk = publicJwk(e.getValue(), "JWT authority " + e.getKey());
      jwk.put("use", "jwt-svid");
      jwk.put("kid", e.getKey());
      keys.add(jwk);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("keys", keys);
    if (sequence != null) {
      doc.put("spiffe_sequence", sequence);
    }
    if (refreshHint != null) {
      doc.put("spiffe_refresh_hint", refreshHint.toSeconds());
    }
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> publicJwk(PublicKey key, String what) {
    JWK jwk;
    if (key instanceof java.security.interfaces.RSAPublicKey rsa) {
      jwk = new RSAKey.Builder(rsa).build();
    } else if (key instanceof java.security.interfaces.ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new IllegalStateException(what + " holds an EC key on a curve without a JWK name");
      }
      jwk = new ECKey.Builder(curve, ec).build();
    } else {
      throw new IllegalStateException(what + " holds a " + key.getAlgorithm()
          + " key, which this library writes no JWK for (RSA and EC only)");
    }
    return new LinkedHashMap<>(jwk.toJSONObject());
  }
}
