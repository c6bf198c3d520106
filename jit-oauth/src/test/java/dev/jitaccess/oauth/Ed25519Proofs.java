package dev.jitaccess.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.internal.KeyMaterial;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Date;
import java.util.Set;
import java.util.UUID;

/**
 * DPoP proofs by an Ed25519 key (RFC 8037 EdDSA). The key pair and its signer are the broker's own
 * ({@link KeyMaterial}, Bouncy Castle underneath), so no second Ed25519 signer is written for the tests.
 */
final class Ed25519Proofs {
  final OctetKeyPair key;
  private final JWSSigner signer;

  Ed25519Proofs() {
    OctetKeyPair pair = (OctetKeyPair) KeyMaterial.generate(SigningAlgorithm.EDDSA);
    signer = KeyMaterial.activate(pair, SigningAlgorithm.EDDSA).signer();
    key = pair.toPublicJWK();
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
      jwt.sign(signer);
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
}
