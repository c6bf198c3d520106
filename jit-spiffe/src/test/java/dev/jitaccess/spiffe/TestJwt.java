package dev.jitaccess.spiffe;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Mints JWTs at test time with Nimbus and fresh keys, including deliberately bad ones. */
final class TestJwt {
  private TestJwt() {}

  static ECKey ec(Curve curve) {
    try {
      return new ECKeyGenerator(curve).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static RSAKey rsa(int bits) {
    try {
      return new RSAKeyGenerator(bits, true).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static PublicKey pub(JWK k) {
    try {
      return k instanceof ECKey ? ((ECKey) k).toECPublicKey() : ((RSAKey) k).toRSAPublicKey();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token under construction: header and claims are plain maps, anything goes. */
  static final class Draft {
    final Map<String, Object> header = new LinkedHashMap<>();
    final Map<String, Object> claims = new LinkedHashMap<>();

    Draft(String alg, String kid) {
      header.put("alg", alg);
      if (kid != null) {
        header.put("kid", kid);
      }
      header.put("typ", "JWT");
    }

    Draft header(String name, Object value) {
      if (value == null) {
        header.remove(name);
      } else {
        header.put(name, value);
      }
      return this;
    }

    Draft claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Standard claims: sub, aud, exp = now + 1h, iat = now. */
    Draft std(String sub, Instant now, String... aud) {
      claim("sub", sub);
      claim("aud", aud.length == 1 ? aud[0] : List.of(aud));
      claim("exp", now.getEpochSecond() + 3600);
      claim("iat", now.getEpochSecond());
      return this;
    }

    String signingInput() {
      return b64(JSONObjectUtils.toJSONString(header)) + "." + b64(JSONObjectUtils.toJSONString(claims));
    }

    /** Signs with {@code key}, using the algorithm named in the header (or {@code signAlg}). */
    String sign(JWK key, String signAlg) {
      try {
        JWSSigner signer = key instanceof ECKey
            ? new ECDSASigner((ECKey) key)
            : new RSASSASigner(((RSAKey) key).toRSAPrivateKey(),
                java.util.Set.of(com.nimbusds.jose.crypto.opts.AllowWeakRSAKey.getInstance()));
        String input = signingInput();
        Base64URL sig = signer.sign(new JWSHeader(JWSAlgorithm.parse(signAlg)), input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + sig;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String sign(JWK key) {
      return sign(key, (String) header.get("alg"));
    }

    /** HMAC with arbitrary secret bytes (the public-key-as-secret attack). */
    String hmac(byte[] secret) {
      try {
        String input = signingInput();
        Base64URL sig = new MACSigner(secret).sign(new JWSHeader(JWSAlgorithm.HS256), input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + sig;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    String unsigned() {
      return signingInput() + ".";
    }
  }

  static String b64(String json) {
    return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
