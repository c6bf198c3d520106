package dev.jitaccess.examples;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.TrustDomain;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Deliberately malformed credentials for the end-to-end rejection table: certificates and JWTs the
 * testkit's {@code TestTrustDomain} (which mints only well-formed SVIDs) will not produce. Each crafted
 * trust domain has its own root CA and JWT key in its bundle, so a crafted credential is refused for
 * its one defect and nothing else; well-formed controls from the same domain prove that. Bouncy Castle
 * is passed as a provider instance, never registered globally.
 */
final class CraftedPki {
  private static final Provider BC = new BouncyCastleProvider();
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  private CraftedPki() {}

  /** A certificate authority: its certificate and keys. */
  record Ca(X509Certificate certificate, KeyPair keys, String name) {}

  /** A crafted trust domain: a root CA and a JWT-SVID key, both in its bundle. */
  record Domain(String name, Ca root, ECKey jwtKey, SpiffeBundle bundle) {
    static Domain create(String name, Instant now) {
      Ca root = ca(name + " root", null, now);
      try {
        ECKey jwtKey = new ECKeyGenerator(Curve.P_256).keyID(name + "-jwt").generate();
        SpiffeBundle bundle = SpiffeBundle.builder(TrustDomain.parse(name))
            .x509Authority(root.certificate())
            .jwtAuthority(jwtKey.getKeyID(), jwtKey.toECPublicKey())
            .build();
        return new Domain(name, root, jwtKey, bundle);
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    String id(String path) {
      return "spiffe://" + name + path;
    }

    /** A JWT signed with this domain's key under {@code kid}. */
    String jwt(String kid, JWTClaimsSet claims) {
      try {
        return CraftedPki.jwt(JWSAlgorithm.ES256, new ECDSASigner(jwtKey), kid, claims);
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CA certificate (cA=true, keyCertSign and cRLSign), self-signed when {@code issuer} is null. */
  static Ca ca(String name, Ca issuer, Instant now) {
    KeyPair keys = ecKeys();
    X509Certificate cert = certificate(issuer, keys, name, now, List.of(), true, KeyUsage.keyCertSign | KeyUsage.cRLSign);
    return new Ca(cert, keys, name);
  }

  /** A leaf certificate signed by {@code issuer} with the given URI SANs, cA flag and key usage bits. */
  static X509Certificate leaf(Ca issuer, Instant now, List<String> uris, boolean ca, int keyUsage) {
    return certificate(issuer, ecKeys(), "workload", now, uris, ca, keyUsage);
  }

  private static X509Certificate certificate(Ca issuer, KeyPair keys, String name, Instant now, List<String> uris,
      boolean ca, int keyUsage) {
    try {
      X500Name subject = new X500Name("CN=" + name);
      X500Name issuerName = issuer == null ? subject : new X500Name("CN=" + issuer.name());
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofHours(2))), subject, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
      if (!uris.isEmpty()) {
        GeneralName[] names = uris.stream()
            .map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u))
            .toArray(GeneralName[]::new);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC)
          .build(issuer == null ? keys.getPrivate() : issuer.keys().getPrivate());
      byte[] der = b.build(signer).getEncoded();
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (Exception e) {
      throw new IllegalStateException("cannot craft certificate " + name, e);
    }
  }

  /** A compact JWS with header {@code alg}, {@code typ} JWT and {@code kid}. */
  static String jwt(JWSAlgorithm alg, JWSSigner signer, String kid, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
