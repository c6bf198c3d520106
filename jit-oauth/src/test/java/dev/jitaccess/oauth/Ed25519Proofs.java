package dev.jitaccess.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** DPoP proofs by an Ed25519 key (RFC 8037 EdDSA), signed with Bouncy Castle as a client library would. */
final class Ed25519Proofs {
  final OctetKeyPair key;
  private final Ed25519PrivateKeyParameters privateKey;

  Ed25519Proofs() {
    privateKey = new Ed25519PrivateKeyParameters(new SecureRandom());
    key = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(privateKey.generatePublicKey().getEncoded())).build();
  }

  String thumbprint() {
    try {
      return key.computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A proof for {@code method} and {@code uri}, with {@code ath} when a token is given, and a crit header if asked. */
  String proof(String method, URI uri, String accessToken, Date iat, boolean crit) {
    JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.EdDSA).type(new JOSEObjectType("dpop+jwt")).jwk(key);
    if (crit) {
      h.criticalParams(Set.of("exp")).customParam("exp", iat.getTime() / 1000 + 60);
    }
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString()).claim("htm", method)
        .claim("htu", uri.toString()).issueTime(iat);
    if (accessToken != null) {
      c.claim("ath", sha256(accessToken));
    }
    SignedJWT jwt = new SignedJWT(h.build(), c.build());
    try {
      jwt.sign(new Signer());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  static String sha256(String token) {
    try {
      return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)))
          .toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class Signer implements JWSSigner {
    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) {
      Ed25519Signer s = new Ed25519Signer();
      s.init(true, privateKey);
      s.update(signingInput, 0, signingInput.length);
      return Base64URL.encode(s.generateSignature());
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
      return Set.of(JWSAlgorithm.EdDSA);
    }

    @Override
    public JCAContext getJCAContext() {
      return new JCAContext();
    }
  }
}
