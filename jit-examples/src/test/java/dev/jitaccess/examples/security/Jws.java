package dev.jitaccess.examples.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Raw compact JWS assembly: the header and payload are exactly the JSON text given (so duplicate keys,
 * odd types and forbidden headers survive), signed over exactly those bytes with plain JCA.
 */
final class Jws {
  private Jws() {}

  /** Signs a JWS signing input. */
  interface Signer {
    byte[] sign(byte[] input);
  }

  static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String decode(String part) {
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }

  static String token(String headerJson, String payloadJson, Signer signer) {
    String input = b64(headerJson) + "." + b64(payloadJson);
    return input + "." + b64(signer.sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  static Signer none() {
    return input -> new byte[0];
  }

  static Signer es(PrivateKey key, int bits) {
    return input -> {
      try {
        Signature s = Signature.getInstance("SHA" + bits + "withECDSA");
        s.initSign(key);
        s.update(input);
        int len = bits == 256 ? 64 : bits == 384 ? 96 : 132;
        return concat(s.sign(), len);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /** DER ECDSA signature (SEQUENCE of two INTEGERs) to the JOSE r || s form. */
  static byte[] concat(byte[] der, int len) {
    int i = 2;
    if ((der[1] & 0xff) == 0x81) {
      i = 3;
    }
    byte[] out = new byte[len];
    for (int k = 0; k < 2; k++) {
      int l = der[i + 1] & 0xff;
      int start = i + 2;
      int skip = Math.max(0, l - len / 2);
      int n = l - skip;
      System.arraycopy(der, start + skip, out, k * len / 2 + (len / 2 - n), n);
      i = start + l;
    }
    return out;
  }

  static Signer es256(PrivateKey key) {
    return es(key, 256);
  }

  static Signer rs256(PrivateKey key) {
    return input -> {
      try {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(input);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  static Signer hmac(int bits, byte[] secret) {
    return input -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA" + bits);
        mac.init(new SecretKeySpec(secret, "HmacSHA" + bits));
        return mac.doFinal(input);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /** A tiny JSON writer for String, Number, Boolean, null, List and Map values, keys in the given order. */
  static String json(Object... keyValues) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < keyValues.length; i += 2) {
      if (i > 0) {
        out.append(',');
      }
      out.append(value(keyValues[i])).append(':').append(value(keyValues[i + 1]));
    }
    return out.append('}').toString();
  }

  static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Raw) {
      return ((Raw) v).json();
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof List) {
      StringBuilder out = new StringBuilder("[");
      List<?> l = (List<?>) v;
      for (int i = 0; i < l.size(); i++) {
        out.append(i > 0 ? "," : "").append(value(l.get(i)));
      }
      return out.append(']').toString();
    }
    if (v instanceof Map) {
      StringBuilder out = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        out.append(first ? "" : ",").append(value(e.getKey())).append(':').append(value(e.getValue()));
        first = false;
      }
      return out.append('}').toString();
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : v.toString().toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** JSON text inserted as is. */
  record Raw(String json) {}

  static String repeat(String s, int n) {
    return s.repeat(n);
  }
}
