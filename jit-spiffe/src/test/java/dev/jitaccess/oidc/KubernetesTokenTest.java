package dev.jitaccess.oidc;

import static dev.jitaccess.oidc.Results.assertRejected;
import static dev.jitaccess.oidc.Results.assertVerified;
import static dev.jitaccess.oidc.Tokens.K8S_ISSUER;
import static dev.jitaccess.oidc.Tokens.k8sClaims;
import static dev.jitaccess.oidc.Tokens.k8sHeader;
import static dev.jitaccess.oidc.Tokens.sign;
import static dev.jitaccess.oidc.Tokens.with;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.ManualClock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Kubernetes projected service-account tokens through the preset, keys served on loopback. */
class KubernetesTokenTest {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
  @RegisterExtension
  static final JwksServer.Served SERVER = JwksServer.served(Tokens.jwks(Tokens.RSA, Tokens.EC));

  final ManualClock clock = ManualClock.at(IAT.plusSeconds(120));

  OidcIdentityVerifier.Builder k8s() {
    return OidcIdentityVerifier.kubernetes(K8S_ISSUER, SERVER.url(), Tokens.AUDIENCE)
        .allowPlainHttpForLoopback()
        .refreshExecutor(Runnable::run)
        .clock(clock);
  }

  static String rs256(Map<String, Object> claims) {
    return sign(k8sHeader(Tokens.RSA, "RS256"), claims, Tokens.RSA);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> withPod(String namespace, String serviceAccount, String pod) {
    Map<String, Object> claims = k8sClaims(IAT);
    Map<String, Object> kubernetes = new LinkedHashMap<>((Map<String, Object>) claims.get("kubernetes.io"));
    kubernetes.put("namespace", namespace);
    kubernetes.put("serviceaccount", Map.of("name", serviceAccount, "uid", "u"));
    kubernetes.put("pod", Map.of("name", pod, "uid", "p"));
    claims.put("kubernetes.io", kubernetes);
    claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
    return claims;
  }

  OidcIdentityVerifier deployerInCi() {
    return k8s()
        .requireClaimMatches("sub", "system:serviceaccount:ci:*")
        .requireClaim("/kubernetes.io/namespace", "ci")
        .requireClaimIn("/kubernetes.io/serviceaccount/name", List.of("deployer", "releaser"))
        .requireClaimMatches("/kubernetes.io/pod/name", "deployer-*")
        .build();
  }

  @Test
  void serviceAccountTokenWithPodClaimsIsVerified() {
    try (OidcIdentityVerifier verifier = deployerInCi()) {
      WorkloadIdentity identity = assertVerified(verifier, rs256(k8sClaims(IAT)));
      assertThat(identity.id()).isEqualTo(K8S_ISSUER + "#system:serviceaccount:ci:deployer");
      assertThat(identity.issuer()).isEqualTo(K8S_ISSUER);
      assertThat(identity.owner()).contains("ci");
      assertThat(identity.expiresAt()).isEqualTo(IAT.plusSeconds(3600));
      @SuppressWarnings("unchecked")
      Map<String, Object> kubernetes = (Map<String, Object>) identity.attributes().get("kubernetes.io");
      assertThat(kubernetes).containsEntry("namespace", "ci").containsKey("pod");
      assertThat(identity.attributes().get("aud")).isEqualTo(List.of(Tokens.AUDIENCE, "vault"));
    }
  }

  @Test
  void es256TokensAreAcceptedByDefault() {
    try (OidcIdentityVerifier verifier = deployerInCi()) {
      assertVerified(verifier, sign(k8sHeader(Tokens.EC, "ES256"), k8sClaims(IAT), Tokens.EC));
    }
  }

  @Test
  void eachKubernetesConditionFailing() {
    try (OidcIdentityVerifier verifier = deployerInCi()) {
      assertRejected(verifier, rs256(withPod("prod", "deployer", "deployer-1")),
          "claim \"sub\" is \"system:serviceaccount:prod:deployer\", which does not match \"system:serviceaccount:ci:*\"");
      Map<String, Object> namespaceOnly = withPod("prod", "deployer", "deployer-1");
      namespaceOnly.put("sub", "system:serviceaccount:ci:deployer");
      assertRejected(verifier, rs256(namespaceOnly), "claim \"/kubernetes.io/namespace\" is \"prod\", expected \"ci\"");
      assertRejected(verifier, rs256(withPod("ci", "builder", "deployer-1")),
          "claim \"/kubernetes.io/serviceaccount/name\" is \"builder\", not one of [\"deployer\", \"releaser\"]");
      assertRejected(verifier, rs256(withPod("ci", "deployer", "debug-shell")),
          "claim \"/kubernetes.io/pod/name\" is \"debug-shell\", which does not match \"deployer-*\"");
      assertRejected(verifier, rs256(with(k8sClaims(IAT), "kubernetes.io", "ci")),
          "claim \"/kubernetes.io/namespace\" is required by a condition but missing");
    }
  }

  @Test
  void aDottedClaimNameIsNotAPath() {
    // "kubernetes.io" is one claim name; a top-level claim literally named "kubernetes.io/namespace"
    // does not satisfy a pointer condition on the nested object
    try (OidcIdentityVerifier verifier = k8s().requireClaim("/kubernetes.io/namespace", "ci").build()) {
      Map<String, Object> claims = with(k8sClaims(IAT), "kubernetes.io", null);
      claims.put("kubernetes.io/namespace", "ci");
      assertRejected(verifier, rs256(claims), "claim \"/kubernetes.io/namespace\" is required by a condition but missing");
    }
  }

  @Test
  void audienceListMustContainOurs() {
    try (OidcIdentityVerifier verifier = k8s().build()) {
      assertRejected(verifier, rs256(with(k8sClaims(IAT), "aud", List.of("vault", "https://kubernetes.default.svc"))),
          "aud \"[vault, https://kubernetes.default.svc]\" does not contain the expected audience");
      assertRejected(verifier, rs256(with(k8sClaims(IAT), "aud", List.of())), "does not contain the expected audience");
    }
  }

  @Test
  void anotherClustersIssuerIsRejected() {
    try (OidcIdentityVerifier verifier = k8s().build()) {
      assertRejected(verifier, rs256(with(k8sClaims(IAT), "iss", "https://oidc.eks.example.com/id/OTHER")),
          "iss \"https://oidc.eks.example.com/id/OTHER\" is not the expected issuer \"https://kubernetes.default.svc.cluster.local\"");
    }
  }

  @Test
  void presetKeysCanBeReplacedByAStaticJwkSet() {
    try (OidcIdentityVerifier verifier = OidcIdentityVerifier.kubernetes(K8S_ISSUER, "https://k8s.example/openid/v1/jwks",
        Tokens.AUDIENCE).jwks(Tokens.jwks(Tokens.RSA)).clock(clock).build()) {
      assertVerified(verifier, rs256(k8sClaims(IAT)));
    }
  }

  @Test
  void ownerCanComeFromAFunction() {
    try (OidcIdentityVerifier verifier = k8s().owner(a -> "team-" + ((Map<?, ?>) a.get("kubernetes.io")).get("namespace"))
        .build()) {
      assertThat(assertVerified(verifier, rs256(k8sClaims(IAT))).owner()).contains("team-ci");
    }
  }
}
