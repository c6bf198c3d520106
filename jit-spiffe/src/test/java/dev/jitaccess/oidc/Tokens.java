package dev.jitaccess.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys and token minting for tests: tokens shaped like real GitHub Actions and Kubernetes tokens. */
final class Tokens {
  static final String AUDIENCE = "https://jit.example.org";
  static final String K8S_ISSUER = "https://kubernetes.default.svc.cluster.local";

  // Generating RSA keys is slow; share a few across tests.
  static final RSAKey RSA = rsa("gh-key-1");
  static final RSAKey RSA_2 = rsa("gh-key-2");
  static final RSAKey ATTACKER_RSA = rsa("gh-key-1"); // same kid as RSA, different key
  static final ECKey EC = ec("ec-key-1", Curve.P_256);
  static final ECKey EC_384 = ec("ec-key-384", Curve.P_384);

  private Tokens() {}

  static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid, Curve curve) {
    try {
      return new ECKeyGenerator(curve).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWK Set JSON of the keys. */
  static String jwks(JWK... keys) {
    return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
  }

  /** A GitHub Actions header: typ, alg, x5t and kid, as GitHub sends them. */
  static Map<String, Object> githubHeader(JWK key) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "JWT");
    header.put("alg", "RS256");
    header.put("x5t", "cgMc_eH2JnGPk7vQdYR3jrp6lmo");
    header.put("kid", key.getKeyID());
    return header;
  }

  /** Claims of a GitHub Actions job token issued at {@code iat}, valid for ten minutes. */
  static Map<String, Object> githubClaims(Instant iat) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("jti", "5d3c8f0e-4f7a-4b0e-9a4e-2c1b0f0e6a11");
    c.put("sub", "repo:octo-org/deployer:environment:production");
    c.put("environment", "production");
    c.put("aud", AUDIENCE);
    c.put("ref", "refs/heads/main");
    c.put("sha", "d6e3b0a2c4f7d1e9b8a7c6d5e4f3a2b1c0d9e8f7");
    c.put("repository", "octo-org/deployer");
    c.put("repository_owner", "octo-org");
    c.put("actor_id", "1234");
    c.put("repository_visibility", "private");
    c.put("repository_id", "740123");
    c.put("repository_owner_id", "650123");
    c.put("run_id", "9876543210");
    c.put("run_number", "42");
    c.put("run_attempt", "1");
    c.put("runner_environment", "github-hosted");
    c.put("actor", "octocat");
    c.put("workflow", "deploy");
    c.put("head_ref", "");
    c.put("base_ref", "");
    c.put("event_name", "push");
    c.put("ref_type", "branch");
    c.put("workflow_ref", "octo-org/deployer/.github/workflows/deploy.yml@refs/heads/main");
    c.put("job_workflow_ref", "octo-org/shared/.github/workflows/deploy.yml@refs/heads/main");
    c.put("iss", OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER);
    c.put("nbf", iat.getEpochSecond() - 5);
    c.put("exp", iat.getEpochSecond() + 600);
    c.put("iat", iat.getEpochSecond());
    return c;
  }

  /** A Kubernetes header: alg and kid only. */
  static Map<String, Object> k8sHeader(JWK key, String alg) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", alg);
    header.put("kid", key.getKeyID());
    return header;
  }

  /** Claims of a projected service-account token of pod deployer-7d9f in namespace ci, valid one hour. */
  static Map<String, Object> k8sClaims(Instant iat) {
    Map<String, Object> kubernetes = new LinkedHashMap<>();
    kubernetes.put("namespace", "ci");
    kubernetes.put("node", Map.of("name", "node-1", "uid", "0b2c5f3e-1111-4a4a-9b9b-222233334444"));
    kubernetes.put("pod", Map.of("name", "deployer-7d9f", "uid", "5f0e4c1a-2222-4b4b-8c8c-555566667777"));
    kubernetes.put("serviceaccount", Map.of("name", "deployer", "uid", "7a1b2c3d-3333-4c4c-9d9d-888899990000"));
    kubernetes.put("warnafter", iat.getEpochSecond() + 3000);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("aud", List.of(AUDIENCE, "vault"));
    c.put("exp", iat.getEpochSecond() + 3600);
    c.put("iat", iat.getEpochSecond());
    c.put("iss", K8S_ISSUER);
    c.put("jti", "3b1f6c2e-7d8a-4e5f-9a0b-1c2d3e4f5a6b");
    c.put("kubernetes.io", kubernetes);
    c.put("nbf", iat.getEpochSecond());
    c.put("sub", "system:serviceaccount:ci:deployer");
    return c;
  }

  static String b64(String text) {
    return Base64URL.encode(text.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String b64(Map<String, ?> json) {
    return b64(JSONObjectUtils.toJSONString(json));
  }

  /** Signs the header and claims with the key, as the header's alg says; the header is sent as given. */
  static String sign(Map<String, Object> header, Map<String, Object> claims, JWK key) {
    String signingInput = b64(header) + "." + b64(claims);
    try {
      JWSHeader parsed = JWSHeader.parse(header);
      JWSSigner signer = key instanceof RSAKey ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key);
      return signingInput + "." + signer.sign(parsed, signingInput.getBytes(StandardCharsets.US_ASCII));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HS256 token whose HMAC secret is the public key's encoded bytes (the alg-confusion attack). */
  static String hmacWithPublicKey(Map<String, Object> claims, RSAKey key) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("alg", "HS256");
    header.put("typ", "JWT");
    header.put("kid", key.getKeyID());
    String signingInput = b64(header) + "." + b64(claims);
    try {
      byte[] secret = key.toRSAPublicKey().getEncoded();
      Base64URL mac = new MACSigner(secret)
          .sign(new JWSHeader(JWSAlgorithm.HS256), signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + mac;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(map);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return copy;
  }
}
