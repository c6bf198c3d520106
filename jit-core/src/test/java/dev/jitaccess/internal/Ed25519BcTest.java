package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The Bouncy Castle Ed25519 signer and verifier, cross-checked against the JDK's independent Ed25519. */
class Ed25519BcTest {
  private static final byte[] INPUT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0".getBytes(StandardCharsets.US_ASCII);
  private static final JWSHeader EDDSA = new JWSHeader(JWSAlgorithm.EdDSA);
  private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
  /** The order of the Ed25519 base point, RFC 8032 section 5.1. */
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

  @Test
  void signaturesVerifyWithTheJdksEd25519AndBack() throws Exception {
    OctetKeyPair jwk = Ed25519Bc.generate();
    assertThat(jwk.getKeyID()).isEqualTo(jwk.computeThumbprint().toString());
    Base64URL sig = new Ed25519Bc.Signer(Ed25519Bc.privateKey(jwk)).sign(EDDSA, INPUT);

    Signature jdk = Signature.getInstance("Ed25519");
    jdk.initVerify(jdkPublicKey(jwk.getX().decode()));
    jdk.update(INPUT);
    assertThat(jdk.verify(sig.decode())).isTrue();

    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(INPUT);
    byte[] jdkSig = signer.sign();
    byte[] x = Arrays.copyOfRange(pair.getPublic().getEncoded(), 12, 44);
    Ed25519Bc.Verifier v = new Ed25519Bc.Verifier(Ed25519Bc.publicKey(publicJwk(x)));
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(jdkSig))).isTrue();
  }

  @Test
  void theVerifierRefusesTamperedInputSignaturesAndOtherAlgorithms() throws Exception {
    OctetKeyPair jwk = Ed25519Bc.generate();
    byte[] sig = new Ed25519Bc.Signer(Ed25519Bc.privateKey(jwk)).sign(EDDSA, INPUT).decode();
    Ed25519Bc.Verifier v = new Ed25519Bc.Verifier(Ed25519Bc.publicKey(jwk.toPublicJWK()));
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(sig))).isTrue();

    byte[] other = INPUT.clone();
    other[other.length - 1] ^= 1;
    assertThat(v.verify(EDDSA, other, Base64URL.encode(sig))).isFalse();
    byte[] flipped = sig.clone();
    flipped[5] ^= 1;
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(flipped))).isFalse();
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(Arrays.copyOf(sig, 63)))).isFalse();
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(Arrays.copyOf(sig, 65)))).isFalse();
    assertThat(v.verify(new JWSHeader(JWSAlgorithm.ES256), INPUT, Base64URL.encode(sig))).isFalse();
    // S + L is the same scalar modulo L but not canonical: RFC 8032 5.1.7 requires rejecting it
    assertThat(v.verify(EDDSA, INPUT, Base64URL.encode(withNonCanonicalS(sig)))).isFalse();
  }

  @Test
  void theSignerRefusesOtherAlgorithmsAndHidesItsKey() throws Exception {
    Ed25519Bc.Signer signer = new Ed25519Bc.Signer(Ed25519Bc.privateKey(Ed25519Bc.generate()));
    assertThatThrownBy(() -> signer.sign(new JWSHeader(JWSAlgorithm.ES256), INPUT))
        .isInstanceOf(JOSEException.class)
        .hasMessageContaining("ES256");
    assertThat(signer.toString()).isEqualTo("Ed25519Signer[key=<redacted>]");
  }

  @Test
  void publicKeysOfSmallOrderOrBadEncodingAreRefused() {
    byte[] identity = new byte[32];
    identity[0] = 1; // y = 1, x = 0: the neutral element, order 1
    byte[] orderTwo = HexFormat.of().parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // y = -1
    byte[] nonCanonical = HexFormat.of().parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // y = p + 1
    for (byte[] bad : new byte[][] {identity, orderTwo, nonCanonical, new byte[32]}) {
      assertThatThrownBy(() -> Ed25519Bc.publicKey(publicJwk(bad)))
          .as(HexFormat.of().formatHex(bad))
          .isInstanceOf(GeneralSecurityException.class)
          .hasMessageContaining("prime order");
    }
    assertThatThrownBy(() -> Ed25519Bc.publicKey(publicJwk(new byte[31])))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> Ed25519Bc.publicKey(new OctetKeyPair.Builder(Curve.X25519, Base64URL.encode(new byte[32])).build()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("X25519");
  }

  @Test
  void privateKeysMustBe32BytesAndPresent() throws Exception {
    OctetKeyPair good = Ed25519Bc.generate();
    assertThatThrownBy(() -> Ed25519Bc.privateKey(good.toPublicJWK()))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("no private part");
    OctetKeyPair shortD = new OctetKeyPair.Builder(good).d(Base64URL.encode(new byte[31])).build();
    assertThatThrownBy(() -> Ed25519Bc.privateKey(shortD))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("Ed25519 private key must be 32 bytes");
  }

  private static OctetKeyPair publicJwk(byte[] x) {
    return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).build();
  }

  private static PublicKey jdkPublicKey(byte[] x) throws GeneralSecurityException {
    byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + x.length);
    System.arraycopy(x, 0, spki, SPKI_PREFIX.length, x.length);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** The signature with S replaced by S + L (little-endian, still 32 bytes). */
  private static byte[] withNonCanonicalS(byte[] sig) {
    byte[] le = Arrays.copyOfRange(sig, 32, 64);
    BigInteger s = new BigInteger(1, reverse(le)).add(L);
    byte[] be = s.toByteArray();
    byte[] fixed = new byte[32];
    System.arraycopy(be, Math.max(0, be.length - 32), fixed, Math.max(0, 32 - be.length), Math.min(32, be.length));
    byte[] out = sig.clone();
    System.arraycopy(reverse(fixed), 0, out, 32, 32);
    return out;
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }
}
