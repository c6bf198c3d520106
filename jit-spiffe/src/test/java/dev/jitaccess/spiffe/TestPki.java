package dev.jitaccess.spiffe;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates X.509-SVID test chains with Bouncy Castle at test time. The provider is an instance passed
 * where needed, never registered globally. All validity periods are around {@link #T0}, a fixed instant:
 * tests pin their clocks to it.
 */
final class TestPki {
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final BouncyCastleProvider BC = new BouncyCastleProvider();
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  final KeyPair rootKey;
  final X509Certificate root;

  /** A root CA with URI SAN {@code spiffe://<td>}, cA=true, KU keyCertSign+cRLSign. */
  TestPki(String trustDomain) {
    this.rootKey = ecKey();
    this.root = Spec.ca("spiffe://" + trustDomain).issue(null, rootKey, rootKey).cert;
  }

  /** An issued certificate and its key. */
  static final class Issued {
    final X509Certificate cert;
    final KeyPair key;

    Issued(X509Certificate cert, KeyPair key) {
      this.cert = cert;
      this.key = key;
    }
  }

  /** What to put into a certificate. */
  static final class Spec {
    String cn = "test";
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    Boolean ca; // null: no BasicConstraints extension
    int keyUsage = -1; // -1: no KeyUsage extension
    List<KeyPurposeId> eku = new ArrayList<>();
    Instant notBefore = T0.minusSeconds(86400);
    Instant notAfter = T0.plusSeconds(30L * 86400);

    static Spec leaf(String... uris) {
      Spec s = new Spec();
      s.uris.addAll(List.of(uris));
      s.ca = false;
      s.keyUsage = KeyUsage.digitalSignature;
      s.eku.add(KeyPurposeId.id_kp_serverAuth);
      s.eku.add(KeyPurposeId.id_kp_clientAuth);
      return s;
    }

    static Spec ca(String... uris) {
      Spec s = new Spec();
      s.cn = "ca";
      s.uris.addAll(List.of(uris));
      s.ca = true;
      s.keyUsage = KeyUsage.keyCertSign | KeyUsage.cRLSign;
      return s;
    }

    Spec isCa(Boolean ca) {
      this.ca = ca;
      return this;
    }

    Spec keyUsage(int ku) {
      this.keyUsage = ku;
      return this;
    }

    Spec eku(KeyPurposeId... ids) {
      this.eku = new ArrayList<>(List.of(ids));
      return this;
    }

    Spec validity(Instant from, Instant to) {
      this.notBefore = from;
      this.notAfter = to;
      return this;
    }

    Spec dns(String name) {
      this.dns.add(name);
      return this;
    }

    Spec cn(String cn) {
      this.cn = cn;
      return this;
    }

    /** Issues the certificate; {@code issuer == null} means self-signed with {@code issuerKey}. */
    Issued issue(X509Certificate issuer, KeyPair issuerKey, KeyPair subjectKey) {
      try {
        X500Name subject = new X500Name("CN=" + cn + "-" + SERIAL.get() + ",O=SPIFFE");
        X500Name issuerName =
            issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
            BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
            subject, subjectKey.getPublic());
        if (ca != null) {
          b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        }
        if (keyUsage >= 0) {
          b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
        }
        if (!eku.isEmpty()) {
          b.addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(eku.toArray(new KeyPurposeId[0])));
        }
        List<GeneralName> names = new ArrayList<>();
        uris.forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        if (!names.isEmpty()) {
          b.addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(names.toArray(new GeneralName[0])));
        }
        String keyAlg = issuerKey.getPrivate().getAlgorithm();
        String alg = keyAlg.equals("RSA") ? "SHA256withRSA"
            : keyAlg.equals("Ed25519") || keyAlg.equals("EdDSA") ? "Ed25519" : "SHA256withECDSA";
        X509Certificate cert = new JcaX509CertificateConverter().setProvider(BC)
            .getCertificate(b.build(new JcaContentSignerBuilder(alg).setProvider(BC).build(issuerKey.getPrivate())));
        return new Issued(cert, subjectKey);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Issues a certificate signed by this PKI's root with a fresh key. */
  Issued issue(Spec spec) {
    return spec.issue(root, rootKey, ecKey());
  }

  /** Issues a certificate signed by {@code issuer} with a fresh key. */
  static Issued issue(Spec spec, Issued issuer) {
    return spec.issue(issuer.cert, issuer.key, ecKey());
  }

  static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A bundle holding this PKI's root for {@code td}. */
  SpiffeBundle bundle(String td) {
    return SpiffeBundle.builder(TrustDomain.parse(td)).x509Authority(root).build();
  }
}
