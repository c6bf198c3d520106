package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import dev.jitaccess.spiffe.BundleFormat;
import dev.jitaccess.spiffe.BundleSet;
import dev.jitaccess.spiffe.InvalidBundleException;
import dev.jitaccess.spiffe.InvalidSpiffeIdException;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.SpiffeId;
import dev.jitaccess.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks on SPIFFE trust bundle parsing (JWKS bundles, bundle maps, PEM) and on SPIFFE ID parsing:
 * symmetric and private keys smuggled into a bundle, invalid curve points, weak RSA, key URLs, duplicate
 * keys, huge and deeply nested documents, look-alike trust domains.
 */
class SpiffeBundleAttackTest {
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final Loopback LOOPBACK = new Loopback();

  @AfterAll
  static void stop() {
    LOOPBACK.assertNoConnection();
    LOOPBACK.close();
    Attacks.report();
  }

  static String ecJwk(String use, String kid, boolean withPrivate) {
    KeyPair k = Target.ec();
    ECKey.Builder b = new ECKey.Builder(Curve.P_256, (ECPublicKey) k.getPublic()).keyID(kid);
    if (withPrivate) {
      b.privateKey(k.getPrivate());
    }
    String json = b.build().toJSONString();
    return json.substring(0, json.length() - 1) + ",\"use\":\"" + use + "\"}";
  }

  static String bundle(String... keys) {
    return "{\"keys\":[" + String.join(",", keys) + "],\"spiffe_sequence\":1}";
  }

  static Map<String, String> documents() throws Exception {
    Map<String, String> d = new LinkedHashMap<>();
    String good = ecJwk("jwt-svid", "k1", false);
    d.put("symmetric oct key", bundle("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"kid\":\"k1\",\"use\":\"jwt-svid\"}"));
    d.put("oct key with alg HS256", bundle("{\"kty\":\"oct\",\"k\":\"c2VjcmV0\",\"alg\":\"HS256\",\"kid\":\"k1\",\"use\":\"jwt-svid\"}"));
    d.put("kty none", bundle("{\"kty\":\"none\",\"kid\":\"k1\",\"use\":\"jwt-svid\"}"));
    d.put("kty missing", bundle("{\"kid\":\"k1\",\"use\":\"jwt-svid\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}"));
    d.put("EC point not on the curve", bundle(good.replaceFirst("\"y\":\"[^\"]+\"", "\"y\":\"" + Jws.b64(new byte[32]) + "\"")));
    d.put("EC unknown curve", bundle(good.replace("P-256", "secp256k1")));
    d.put("jwt-svid key without kid", bundle(good.replace("\"kid\":\"k1\",", "").replace(",\"kid\":\"k1\"", "")));
    d.put("duplicate member keys", "{\"keys\":[" + good + "],\"keys\":[" + ecJwk("jwt-svid", "evil", false) + "]}");
    d.put("duplicate kty in a key", bundle(good.replace("{", "{\"kty\":\"oct\",")));
    d.put("unknown use", bundle(ecJwk("sig", "k1", false)));
    d.put("x509-svid key without x5c", bundle(ecJwk("x509-svid", "k1", false)));
    d.put("x509-svid with garbage x5c", bundle(ecJwk("x509-svid", "k1", false).replace("}", ",\"x5c\":[\"AAAA\"]}")));
    d.put("x5u to the attacker", bundle(ecJwk("x509-svid", "k1", false).replace("}", ",\"x5u\":\"" + LOOPBACK.url() + "\"}")));
    d.put("jku to the attacker", bundle(good.replace("}", ",\"jku\":\"" + LOOPBACK.url() + "\"}")));
    d.put("keys not an array", "{\"keys\":{}}");
    d.put("keys missing", "{\"spiffe_sequence\":1}");
    d.put("top level array", "[" + good + "]");
    d.put("not JSON", "-----BEGIN CERTIFICATE-----");
    d.put("trailing garbage", bundle(good) + "{}");
    d.put("nested 100000 arrays", "{\"keys\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
    d.put("nested 50000 objects", "{\"x\":" + "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000) + ",\"keys\":[]}");
    d.put("10 MB document", "{\"keys\":[],\"pad\":\"" + "x".repeat(10 << 20) + "\"}");
    d.put("1 MiB + 1 document", "{\"keys\":[],\"pad\":\"" + "x".repeat((1 << 20) - 19) + "\"}");
    d.put("invalid UTF-8", new String(new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}, StandardCharsets.ISO_8859_1));
    d.put("NUL in member name", "{\"keys\\u0000\":[]}");
    d.put("sequence as string", "{\"keys\":[" + good + "],\"spiffe_sequence\":\"1\"}");
    d.put("negative refresh hint", "{\"keys\":[" + good + "],\"spiffe_refresh_hint\":-1}");
    d.put("huge refresh hint", "{\"keys\":[" + good + "],\"spiffe_refresh_hint\":1e400}");
    return d;
  }

  @TestFactory
  Stream<DynamicTest> maliciousBundles() throws Exception {
    return documents().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      byte[] bytes = e.getValue().getBytes(e.getKey().equals("invalid UTF-8") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
      // refused outright, or the bad key is skipped (the SPIFFE bundle spec lets consumers ignore entries they
      // cannot use): either way no key of the attack becomes an authority
      try {
        SpiffeBundle b = SpiffeBundle.parse(TD, bytes);
        if (e.getKey().endsWith("to the attacker")) {
          return; // the publisher's own key with a URL member: kept, and the URL is never fetched (see stop())
        }
        assertThat(b.jwtAuthorities()).as("usable keys").doesNotContainKeys("k1", "evil");
        assertThat(b.x509Authorities()).isEmpty();
      } catch (InvalidBundleException refused) {
        assertThat(refused.getMessage()).isNotBlank();
      }
      Attacks.tried("SpiffeBundle.parse");
    }));
  }

  @Test
  void weakRsaKeyInBundleNeverVerifiesAToken() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    KeyPair weak = g.generateKeyPair();
    SpiffeBundle b = SpiffeBundle.builder(TD).jwtAuthority("weak", weak.getPublic()).build();
    dev.jitaccess.testkit.ManualClock clock = dev.jitaccess.testkit.ManualClock.at(Target.START);
    dev.jitaccess.spiffe.JwtSvidVerifier v = dev.jitaccess.spiffe.JwtSvidVerifier.builder().bundleSource(BundleSet.of(b))
        .audiences(Target.AUDIENCE).clock(clock).build();
    long now = Target.START.getEpochSecond();
    String token = Jws.token(Jws.json("alg", "RS256", "kid", "weak", "typ", "JWT"),
        Jws.json("sub", Target.WORKLOAD, "aud", Target.AUDIENCE, "exp", now + 300), Jws.rs256(weak.getPrivate()));
    assertThat(v.verify(dev.jitaccess.Credential.jwtSvid(token))).isInstanceOf(dev.jitaccess.spi.IdentityResult.Rejected.class);
    Attacks.tried("SpiffeBundle.parse");
  }

  @Test
  void privateKeyInBundleIsRefusedOrDropped() {
    // a bundle is public material: a private key in it means the publisher leaked it, never a reason to sign
    String json = bundle(ecJwk("jwt-svid", "k1", true));
    try {
      SpiffeBundle b = SpiffeBundle.parse(TD, json.getBytes(StandardCharsets.UTF_8));
      assertThat(b.jwtAuthorities().values()).allSatisfy(k -> assertThat(k).isInstanceOf(java.security.PublicKey.class));
      assertThat(b.toString()).doesNotContain("\"d\"");
    } catch (InvalidBundleException expected) {
      assertThat(expected.getMessage()).doesNotContain("\"d\"");
    }
    Attacks.tried("SpiffeBundle.parse");
  }

  @Test
  void pemAndBundleMapAttacks() {
    Map<String, String> pems = new LinkedHashMap<>();
    pems.put("private key PEM", "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(Target.ec().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    pems.put("garbage certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    pems.put("empty", "");
    pems.put("10 MB of PEM", "-----BEGIN CERTIFICATE-----\n" + "A".repeat(10 << 20) + "\n-----END CERTIFICATE-----\n");
    pems.put("public key PEM (not a certificate)", "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(Target.ec().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
    for (Map.Entry<String, String> p : pems.entrySet()) {
      try {
        SpiffeBundle b = SpiffeBundle.parse(TD, p.getValue().getBytes(StandardCharsets.US_ASCII), BundleFormat.PEM);
        assertThat(b.x509Authorities()).as(p.getKey()).isEmpty();
        assertThat(b.jwtAuthorities()).as(p.getKey()).isEmpty();
      } catch (InvalidBundleException refused) {
        assertThat(refused.getMessage()).doesNotContain("PRIVATE KEY-----\n");
      }
      Attacks.tried("SpiffeBundle.parse");
    }
    String good = bundle(ecJwk("jwt-svid", "k1", false));
    for (String domain : List.of("ex\u0430mple.org", "Example.org", "spiffe://example.org/path", "example.org.", "exa mple.org", "")) {
      String map = "{\"" + domain + "\":" + good + "}";
      try {
        BundleSet set = BundleSet.parseBundleMap(map.getBytes(StandardCharsets.UTF_8));
        assertThat(set.bundleFor(TD)).as(domain).isEmpty();
      } catch (RuntimeException refused) {
        assertThat(refused).isInstanceOfAny(InvalidBundleException.class, InvalidSpiffeIdException.class);
      }
      Attacks.tried("BundleSet.parseBundleMap");
    }
    String dup = "{\"example.org\":" + good + ",\"example.org\":" + bundle(ecJwk("jwt-svid", "evil", false)) + "}";
    assertThatThrownBy(() -> BundleSet.parseBundleMap(dup.getBytes(StandardCharsets.UTF_8))).isInstanceOf(RuntimeException.class);
    Attacks.tried("BundleSet.parseBundleMap");
  }

  @TestFactory
  Stream<DynamicTest> lookAlikeSpiffeIds() {
    return IdentityTokenAttacks.lookAlikeIds().stream()
        .filter(id -> !id.startsWith("spiffe://xn--") && !id.startsWith("spiffe://example.org./")) // distinct domains, see below
        .map(id -> DynamicTest.dynamicTest(IdentityTokenAttacks.printable(id), () -> {
          assertThatThrownBy(() -> SpiffeId.parse(id)).isInstanceOf(InvalidSpiffeIdException.class);
          Attacks.tried("SpiffeId.parse");
        }));
  }

  @Test
  void mixedCasePathIsADifferentIdentityAndPunycodeADifferentDomain() {
    assertThat(SpiffeId.parse("spiffe://example.org/CI/Deploy")).isNotEqualTo(SpiffeId.parse("spiffe://example.org/ci/deploy"));
    assertThat(SpiffeId.parse("spiffe://xn--exmple-cua.org/ci/deploy").trustDomain()).isNotEqualTo(TD);
    for (String td : List.of("EXAMPLE.org", "ex\u0430mple.org", "exa mple.org", "example.org:80", "example.org/")) {
      assertThatThrownBy(() -> TrustDomain.parse(td)).as(td).isInstanceOf(InvalidSpiffeIdException.class);
      Attacks.tried("SpiffeId.parse");
    }
    // syntactically valid SPIFFE trust domains that only look like example.org: distinct, never folded into it
    for (String td : List.of("example.org.", "example..org", "-example.org", "example.org-", "xn--exmple-cua.org")) {
      try {
        assertThat(TrustDomain.parse(td)).as(td).isNotEqualTo(TD);
        assertThat(SpiffeId.parse("spiffe://" + td + "/ci/deploy").isMemberOf(TD)).isFalse();
      } catch (InvalidSpiffeIdException refused) {
        assertThat(refused.getMessage()).isNotBlank();
      }
      Attacks.tried("SpiffeId.parse");
    }
    Attacks.tried("SpiffeId.parse");
    Attacks.tried("SpiffeId.parse");
  }

  // ------------------------------------------------------------------ issue 14 #12: plain HTTP only on loopback

  @ParameterizedTest
  @ValueSource(strings = {"http://10.0.0.1/b", "http://192.168.1.10:8443/b", "http://[2001:db8::1]/b",
      "http://0.0.0.0:8080/b", "http://no-such-host.invalid/b"})
  void plainHttpBundleEndpointIsRefusedUnlessLoopback(String endpoint) {
    dev.jitaccess.testkit.ManualClock clock = dev.jitaccess.testkit.ManualClock.at(Target.START);
    assertThatThrownBy(() -> dev.jitaccess.spiffe.RefreshingBundleSource.fromEndpoint(TD, java.net.URI.create(endpoint))
            .allowPlainHttp().clock(clock).scheduler(clock).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("allowPlainHttp() accepts only a loopback endpoint");
    assertThat(clock.pendingTasks()).as("no refresh was scheduled for a refused endpoint").isZero();
    Attacks.tried("spiffe.bundleEndpoint");
  }
}
