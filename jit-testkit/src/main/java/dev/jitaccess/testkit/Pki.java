package dev.jitaccess.testkit;

import dev.jitaccess.spiffe.SpiffeId;
import dev.jitaccess.spiffe.TrustDomain;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Issues SPIFFE certificates with Bouncy Castle's certificate builder, signing and converting with the
 * JDK's own providers (no provider is registered or instantiated).
 */
final class Pki {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Pki() {}

  /** A certificate and the private key of its subject. */
  record Issued(X509Certificate certificate, PrivateKey privateKey) {
    @Override
    public String toString() {
      return "Issued[" + certificate.getSubjectX500Principal() + ", privateKey=<redacted>]";
    }
  }

  /** A CA: self-signed when {@code issuer} is null. SAN = the trust domain's path-less SPIFFE ID. */
  static Issued ca(TrustDomain td, String role, @Nullable Issued issuer, Instant from, Instant until) {
    KeyPair key = ecKey();
    X500Name subject = name(td.name() + " " + role + " CA");
    X509v3CertificateBuilder b = builder(issuer, subject, key, from, until);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectAlternativeName, false, uri(td.id().toString()));
      extensionIds(b, issuer, key);
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the " + role + " CA certificate", e);
    }
    return new Issued(sign(b, issuer == null ? key.getPrivate() : issuer.privateKey()), key.getPrivate());
  }

  /** A leaf X.509-SVID signed by {@code issuer}. */
  static Issued leaf(SpiffeId id, Issued issuer, Instant from, Instant until) {
    KeyPair key = ecKey();
    List<String> segments = id.segments();
    X500Name subject = name(segments.get(segments.size() - 1));
    X509v3CertificateBuilder b = builder(issuer, subject, key, from, until);
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.subjectAlternativeName, false, uri(id.toString()));
      extensionIds(b, issuer, key);
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the X.509-SVID", e);
    }
    return new Issued(sign(b, issuer.privateKey()), key.getPrivate());
  }

  /** A short random id, base64url. */
  static String randomId() {
    byte[] bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  private static X509v3CertificateBuilder builder(
      @Nullable Issued issuer, X500Name subject, KeyPair key, Instant from, Instant until) {
    X500Name issuerName =
        issuer == null ? subject : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    BigInteger serial = new BigInteger(63, RANDOM).add(BigInteger.ONE);
    return new JcaX509v3CertificateBuilder(
        issuerName, serial, Date.from(from), Date.from(until), subject, key.getPublic());
  }

  private static void extensionIds(X509v3CertificateBuilder b, @Nullable Issued issuer, KeyPair key)
      throws CertIOException, GeneralSecurityException {
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key.getPublic()));
    b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(
        issuer == null ? key.getPublic() : issuer.certificate().getPublicKey()));
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "jit-testkit")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static GeneralNames uri(String uri) {
    return new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException | java.security.cert.CertificateException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }
}
