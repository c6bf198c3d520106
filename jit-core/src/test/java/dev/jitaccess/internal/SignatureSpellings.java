package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;

/**
 * Other spellings of a valid ES256 compact JWS, for attack tests: the same header and payload with the
 * signature's {@code s} replaced by {@code n - s} (ECDSA malleability: verifies with the same key), or with
 * the signature DER-encoded instead of the raw {@code R || S} that RFC 7518 section 3.4 requires.
 */
public final class SignatureSpellings {
  private static final BigInteger P256_ORDER = Curve.P_256.toECParameterSpec().getOrder();

  private SignatureSpellings() {}

  /** The token with its ES256 signature's {@code s} replaced by {@code n - s}. */
  public static String highLowSFlipped(String token) {
    int dot = token.lastIndexOf('.');
    byte[] sig = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    if (sig.length != 64) {
      throw new IllegalArgumentException("not a raw ES256 signature: " + sig.length + " bytes");
    }
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] flipped = P256_ORDER.subtract(s).toByteArray();
    byte[] out = sig.clone();
    Arrays.fill(out, 32, 64, (byte) 0);
    int len = Math.min(32, flipped.length);
    System.arraycopy(flipped, flipped.length - len, out, 64 - len, len);
    return token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  /** The token with its raw ES256 signature DER-encoded. */
  public static String derEncoded(String token) throws JOSEException {
    int dot = token.lastIndexOf('.');
    byte[] der = ECDSA.transcodeSignatureToDER(Base64.getUrlDecoder().decode(token.substring(dot + 1)));
    return token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(der);
  }
}
