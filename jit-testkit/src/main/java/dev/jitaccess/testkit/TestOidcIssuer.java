package dev.jitaccess.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A throwaway OpenID Connect issuer for tests: one signing key (EC P-256 / ES256 by default, RSA 2048 /
 * RS256 with {@link #createRsa}) published as a static JWK Set, minting ID tokens with any claims,
 * including GitHub-Actions-like and Kubernetes-like ones. {@link #verifier(String)} returns a real
 * {@link OidcIdentityVerifier.Builder} already pointing at this issuer, to add conditions to.
 *
 * <pre>{@code
 * TestOidcIssuer gh = TestOidcIssuer.create("https://token.actions.example", clock);
 * OidcIdentityVerifier v = gh.verifier("jit-broker").requireClaim("repository", "octo-org/app").build();
 * String token = gh.githubActionsToken("jit-broker", "octo-org/app", "refs/heads/main");
 * }</pre>
 *
 * <p>Thread-safe and immutable after creation. Test use only: the private key lives in memory.
 */
public final class TestOidcIssuer {
  /** How long a token lives unless a TTL is given: 5 minutes. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  private static final Set<String> REGISTERED = Set.of("iss", "sub", "aud", "exp", "iat");

  private final String issuer;
  private final Clock clock;
  private final JWK key;
  private final JWSAlgorithm algorithm;
  private final JWSSigner signer;
  private final String jwks;

  private TestOidcIssuer(String issuer, Clock clock, JWK key, JWSAlgorithm algorithm, JWSSigner signer) {
    this.issuer = issuer;
    this.clock = clock;
    this.key = key;
    this.algorithm = algorithm;
    this.signer = signer;
    this.jwks = new JWKSet(key.toPublicJWK()).toString();
  }

  /**
   * An issuer signing with a fresh EC P-256 key (ES256).
   *
   * @param issuer the {@code iss} of every token, for example {@code https://oidc.test}
   * @param clock the clock tokens are minted at and the verifier checks at
   */
  public static TestOidcIssuer create(String issuer, Clock clock) {
    check(issuer, clock);
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID("oidc-" + Pki.randomId()).generate();
      return new TestOidcIssuer(issuer, clock, key, JWSAlgorithm.ES256, new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the OIDC signing key", e);
    }
  }

  /**
   * An issuer signing with a fresh RSA 2048 key (RS256), as GitHub Actions does; use it with {@link
   * OidcIdentityVerifier#githubActions(String)}, which accepts RS256 only. Slower to create than {@link
   * #create}.
   */
  public static TestOidcIssuer createRsa(String issuer, Clock clock) {
    check(issuer, clock);
    try {
      RSAKey key = new RSAKeyGenerator(2048).keyID("oidc-" + Pki.randomId()).generate();
      return new TestOidcIssuer(issuer, clock, key, JWSAlgorithm.RS256, new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the OIDC signing key", e);
    }
  }

  private static void check(String issuer, Clock clock) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(clock, "clock");
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("issuer must not be blank");
    }
  }

  /** The issuer, the {@code iss} of every token. */
  public String issuer() {
    return issuer;
  }

  /** The public JWK Set (JSON) holding the signing key; never the private part. */
  public String jwks() {
    return jwks;
  }

  /** The {@code kid} of the signing key. */
  public String keyId() {
    return key.getKeyID();
  }

  /** The JWS algorithm tokens are signed with: {@code ES256} or {@code RS256}. */
  public String algorithm() {
    return algorithm.getName();
  }

  /**
   * A real {@link OidcIdentityVerifier.Builder} with issuer, static JWKS, audience and clock already set:
   * add claim conditions, an owner claim or an identity mapping, then build. Those four options may not
   * be set again.
   */
  public OidcIdentityVerifier.Builder verifier(String audience) {
    Objects.requireNonNull(audience, "audience");
    return OidcIdentityVerifier.builder().issuer(issuer).jwks(jwks).audience(audience).clock(clock);
  }

  /** A token for {@code subject} and {@code audience} with no other claims, valid for {@link #DEFAULT_TTL}. */
  public String token(String subject, String audience) {
    return token(subject, audience, DEFAULT_TTL, Map.of());
  }

  /** A token for {@code subject} and {@code audience} with extra claims, valid for {@link #DEFAULT_TTL}. */
  public String token(String subject, String audience, Map<String, ?> claims) {
    return token(subject, audience, DEFAULT_TTL, claims);
  }

  /**
   * A signed ID token: header {@code alg}, {@code typ} JWT and {@code kid}; claims {@code iss}, {@code
   * sub}, {@code aud} (one audience), {@code iat} = {@code nbf} = the clock's instant, {@code exp} =
   * {@code iat + ttl}, then {@code claims} (JSON-compatible values: String, Number, Boolean, List, Map),
   * which may replace {@code nbf} but none of the others.
   *
   * @throws IllegalArgumentException if the subject or audience is blank, the TTL is not positive, or a
   *     claim is one of {@code iss sub aud exp iat}
   */
  public String token(String subject, String audience, Duration ttl, Map<String, ?> claims) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(claims, "claims");
    if (subject.isBlank() || audience.isBlank()) {
      throw new IllegalArgumentException("subject and audience must not be blank");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    Instant now = clock.instant();
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(subject)
        .audience(audience)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)));
    for (Map.Entry<String, ?> e : claims.entrySet()) {
      Objects.requireNonNull(e.getKey(), "claim name");
      if (REGISTERED.contains(e.getKey())) {
        throw new IllegalArgumentException("claim '" + e.getKey() + "' is set by the issuer; pass it as a parameter");
      }
      b.claim(e.getKey(), e.getValue());
    }
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), b.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the token", e);
    }
    return jwt.serialize();
  }

  /** {@link #githubActionsToken(String, String, String, Map)} with no extra claims. */
  public String githubActionsToken(String audience, String repository, String ref) {
    return githubActionsToken(audience, repository, ref, Map.of());
  }

  /**
   * A token shaped like a GitHub Actions job's OIDC token for a push to {@code ref}: {@code sub} {@code
   * repo:<repository>:ref:<ref>} (or {@code repo:<repository>:environment:<env>} when {@code
   * extraClaims} has an {@code environment}), and the claims {@code repository}, {@code
   * repository_owner}, {@code ref}, {@code ref_type}, {@code sha}, {@code workflow}, {@code
   * job_workflow_ref}, {@code run_id}, {@code run_attempt}, {@code actor}, {@code event_name} and
   * {@code runner_environment}, each of which {@code extraClaims} may replace.
   *
   * @param repository {@code owner/name}
   * @param ref for example {@code refs/heads/main}
   */
  public String githubActionsToken(String audience, String repository, String ref, Map<String, ?> extraClaims) {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(extraClaims, "extraClaims");
    int slash = repository.indexOf('/');
    if (slash < 1 || slash == repository.length() - 1) {
      throw new IllegalArgumentException("repository must be owner/name, got '" + repository + "'");
    }
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("repository", repository);
    claims.put("repository_owner", repository.substring(0, slash));
    claims.put("ref", ref);
    claims.put("ref_type", ref.startsWith("refs/tags/") ? "tag" : "branch");
    claims.put("sha", "0123456789abcdef0123456789abcdef01234567");
    claims.put("workflow", "deploy");
    claims.put("job_workflow_ref", repository + "/.github/workflows/deploy.yml@" + ref);
    claims.put("run_id", "1001");
    claims.put("run_attempt", "1");
    claims.put("actor", "octocat");
    claims.put("event_name", "push");
    claims.put("runner_environment", "github-hosted");
    claims.putAll(extraClaims);
    Object environment = claims.get("environment");
    String subject = environment != null
        ? "repo:" + repository + ":environment:" + environment
        : "repo:" + repository + ":ref:" + ref;
    return token(subject, audience, DEFAULT_TTL, claims);
  }

  /** {@link #kubernetesToken(String, String, String, Map)} with no extra claims. */
  public String kubernetesToken(String audience, String namespace, String serviceAccount) {
    return kubernetesToken(audience, namespace, serviceAccount, Map.of());
  }

  /**
   * A token shaped like a Kubernetes projected service-account token: {@code sub} {@code
   * system:serviceaccount:<namespace>:<serviceAccount>} and a {@code kubernetes.io} object with {@code
   * namespace}, {@code serviceaccount {name, uid}} and {@code pod {name, uid}} (read with the JSON
   * Pointer {@code /kubernetes.io/namespace}); {@code extraClaims} are added and may replace it.
   */
  public String kubernetesToken(String audience, String namespace, String serviceAccount, Map<String, ?> extraClaims) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(extraClaims, "extraClaims");
    if (namespace.isBlank() || serviceAccount.isBlank()) {
      throw new IllegalArgumentException("namespace and serviceAccount must not be blank");
    }
    Map<String, Object> k8s = new LinkedHashMap<>();
    k8s.put("namespace", namespace);
    k8s.put("serviceaccount", Map.of("name", serviceAccount, "uid", "sa-" + namespace + "-" + serviceAccount));
    k8s.put("pod", Map.of("name", serviceAccount + "-7d9f8b6c5-x2x4q", "uid", "pod-" + namespace + "-" + serviceAccount));
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("kubernetes.io", k8s);
    claims.putAll(extraClaims);
    return token("system:serviceaccount:" + namespace + ":" + serviceAccount, audience, DEFAULT_TTL, claims);
  }

  @Override
  public String toString() {
    return "TestOidcIssuer[" + issuer + ", " + algorithm + ", kid=" + key.getKeyID() + "]";
  }
}
