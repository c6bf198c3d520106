package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bundle format rules D1-D11, each with a positive and a negative case. */
class BundleTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final ECKey EC = gen("k1");

  static ECKey gen(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Object> jwtEntry(ECKey key) {
    Map<String, Object> m = new LinkedHashMap<>(key.toPublicJWK().toJSONObject());
    m.put("use", "jwt-svid");
    return m;
  }

  static byte[] doc(Map<String, Object> top) {
    return JSONObjectUtils.toJSONString(top).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] keys(Object... entries) {
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("keys", List.of(entries));
    return doc(top);
  }

  @Test
  void d1KeysMemberMayBeEmptyButMustBePresent() {
    assertThat(SpiffeBundle.parse(TD, "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8)).isEmpty()).isTrue();
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("D1: bundle has no 'keys' member");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":{}}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("D1: 'keys' is not an array");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, "[]".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("bundle is not a JSON object");
  }

  @Test
  void d2SequenceIsANonNegative64BitInteger() {
    assertThat(SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_sequence\":9007199254740993}"
            .getBytes(StandardCharsets.UTF_8)).sequence())
        .hasValue(9007199254740993L);
    for (String bad : new String[] {"-1", "1.5", "\"1\"", "18446744073709551616"}) {
      assertThatThrownBy(() -> SpiffeBundle.parse(TD,
              ("{\"keys\":[],\"spiffe_sequence\":" + bad + "}").getBytes(StandardCharsets.UTF_8)))
          .hasMessageStartingWith("D2:");
    }
  }

  @Test
  void d3RefreshHintIsIntegerSeconds() {
    assertThat(SpiffeBundle.parse(TD, "{\"keys\":[],\"spiffe_refresh_hint\":300}"
            .getBytes(StandardCharsets.UTF_8)).refreshHint())
        .contains(Duration.ofMinutes(5));
    assertThatThrownBy(() -> SpiffeBundle.parse(TD,
            "{\"keys\":[],\"spiffe_refresh_hint\":\"300\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("D3:");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD,
            "{\"keys\":[],\"spiffe_refresh_hint\":-5}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("D3:");
  }

  @Test
  void d4UnknownParametersAreAllowedAndNotRequired() {
    Map<String, Object> entry = jwtEntry(EC);
    entry.put("x-extra", Map.of("nested", List.of(1, 2)));
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("keys", List.of(entry));
    top.put("unknown_member", "anything");
    assertThat(SpiffeBundle.parse(TD, doc(top)).jwtAuthorities()).containsOnlyKeys("k1");
    // negative: the document must still be well-formed JSON
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":[],}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void d5UnknownKeyTypeIsIgnoredNotFatal() throws Exception {
    Map<String, Object> okp = new LinkedHashMap<>();
    okp.put("kty", "OKP");
    okp.put("crv", "Ed25519");
    okp.put("x", "c2Rmc2Zk");
    okp.put("kid", "ed");
    okp.put("use", "jwt-svid");
    Map<String, Object> weird = new LinkedHashMap<>();
    weird.put("kty", "PQC-FUTURE");
    weird.put("kid", "pq");
    weird.put("use", "jwt-svid");
    OctetSequenceKey oct = new OctetSequenceKeyGenerator(256).keyID("hmac").generate();
    Map<String, Object> octEntry = new LinkedHashMap<>(oct.toJSONObject());
    octEntry.put("use", "jwt-svid");
    Map<String, Object> noKty = new LinkedHashMap<>();
    noKty.put("kid", "nokty");
    noKty.put("use", "jwt-svid");
    SpiffeBundle b = SpiffeBundle.parse(TD, keys(okp, weird, octEntry, noKty, jwtEntry(EC)));
    assertThat(b.jwtAuthorities()).containsOnlyKeys("k1");
    // negative: a known kty with broken parameters is a corrupt document
    Map<String, Object> broken = jwtEntry(gen("k2"));
    broken.remove("y");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(broken)))
        .hasMessage("D5: jwt-svid entry 0 is not a valid EC key");
  }

  @Test
  void d5KeysOnCurvesNoJwtSvidAlgorithmUsesAreIgnored() throws Exception {
    ECKey k256 = new ECKeyGenerator(Curve.SECP256K1).keyID("k256k").provider(TestPki.BC).generate();
    Map<String, Object> e = new LinkedHashMap<>(k256.toPublicJWK().toJSONObject());
    e.put("use", "jwt-svid");
    assertThat(SpiffeBundle.parse(TD, keys(e)).jwtAuthorities()).isEmpty();
  }

  @Test
  void d6MissingOrUnknownUseIsIgnored() {
    Map<String, Object> noUse = new LinkedHashMap<>(gen("a").toPublicJWK().toJSONObject());
    Map<String, Object> sig = new LinkedHashMap<>(gen("b").toPublicJWK().toJSONObject());
    sig.put("use", "sig");
    Map<String, Object> upper = new LinkedHashMap<>(gen("c").toPublicJWK().toJSONObject());
    upper.put("use", "JWT-SVID"); // use is case-sensitive
    Map<String, Object> wit = new LinkedHashMap<>(gen("d").toPublicJWK().toJSONObject());
    wit.put("use", "wit-svid");
    SpiffeBundle b = SpiffeBundle.parse(TD, keys(noUse, sig, upper, wit, jwtEntry(EC)));
    assertThat(b.jwtAuthorities()).containsOnlyKeys("k1");
    // the plain JWKS reader ignores use instead: all five are JWT authorities there
    assertThat(SpiffeBundle.parseJwks(TD, keys(noUse, sig, upper, wit, jwtEntry(EC))).jwtAuthorities())
        .hasSize(5);
  }

  @Test
  void d7X509EntryWithoutX5cIsIgnoredAndFirstOfSeveralIsUsed() throws Exception {
    TestPki pki = new TestPki("example.org");
    String der1 = java.util.Base64.getEncoder().encodeToString(pki.root.getEncoded());
    String der2 = java.util.Base64.getEncoder().encodeToString(new TestPki("other.org").root.getEncoded());
    Map<String, Object> none = new LinkedHashMap<>(Map.of("use", "x509-svid", "kty", "EC"));
    Map<String, Object> empty = new LinkedHashMap<>(Map.of("use", "x509-svid", "kty", "EC", "x5c", List.of()));
    Map<String, Object> two =
        new LinkedHashMap<>(Map.of("use", "x509-svid", "kty", "EC", "x5c", List.of(der1, der2)));
    SpiffeBundle b = SpiffeBundle.parse(TD, keys(none, empty, two));
    assertThat(b.x509Authorities()).containsExactly(pki.root);
    // negative: x5c that is not a certificate
    Map<String, Object> bad =
        new LinkedHashMap<>(Map.of("use", "x509-svid", "kty", "EC", "x5c", List.of("bm90IGEgY2VydA==")));
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(bad)))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("cannot parse certificate");
    Map<String, Object> notB64 =
        new LinkedHashMap<>(Map.of("use", "x509-svid", "kty", "EC", "x5c", List.of("***")));
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(notB64))).hasMessageStartingWith("D7:");
  }

  @Test
  void d8JwtEntryNeedsAUniqueKid() {
    Map<String, Object> noKid = jwtEntry(gen(null));
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(jwtEntry(EC), noKid)))
        .hasMessage("D8: jwt-svid entry 1 has no kid");
    Map<String, Object> blank = jwtEntry(gen("  "));
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(blank))).hasMessage("D8: jwt-svid entry 0 has no kid");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, keys(jwtEntry(EC), jwtEntry(gen("k1")))))
        .hasMessage("D8: jwt-svid entry 1 repeats a kid");
    assertThat(SpiffeBundle.parse(TD, keys(jwtEntry(EC), jwtEntry(gen("k2")))).jwtAuthorities()).hasSize(2);
  }

  @Test
  void d9NoEntriesOfATypeMeansThatTypeIsUnsupported() {
    SpiffeBundle jwtOnly = SpiffeBundle.parse(TD, keys(jwtEntry(EC)));
    assertThat(jwtOnly.x509Authorities()).isEmpty();
    assertThat(jwtOnly.jwtAuthorities()).isNotEmpty();
    assertThat(jwtOnly.isEmpty()).isFalse();
    assertThat(SpiffeBundle.parse(TD, keys()).isEmpty()).isTrue();
  }

  @Test
  void d10BundleMapParsesAndRejectsDuplicateKeys() {
    String bundle = "{\"keys\":[],\"spiffe_refresh_hint\":5,\"spiffe_sequence\":3}";
    BundleSet set = BundleSet.parseBundleMap(("{\"trust_domains\":{\"example.org\":" + bundle
            + ",\"spiffe://other.org\":" + bundle + "}}").getBytes(StandardCharsets.UTF_8));
    assertThat(set.trustDomains()).containsExactly(TD, TrustDomain.parse("other.org"));
    // per-bundle refresh hints must not be used by bundle-map consumers
    assertThat(set.bundleFor(TD).orElseThrow().refreshHint()).isEmpty();
    assertThatThrownBy(() -> BundleSet.parseBundleMap(("{\"trust_domains\":{\"example.org\":" + bundle
            + ",\"example.org\":" + bundle + "}}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> BundleSet.parseBundleMap(("{\"trust_domains\":{\"example.org\":" + bundle
            + ",\"spiffe://example.org\":" + bundle + "}}").getBytes(StandardCharsets.UTF_8)))
        .hasMessage("D10: duplicate trust domain example.org in bundle map");
    assertThatThrownBy(() -> BundleSet.parseBundleMap("{\"domains\":{}}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("D10: bundle map has no 'trust_domains' object");
    assertThatThrownBy(() -> BundleSet.parseBundleMap(("{\"trust_domains\":{\"EXAMPLE.org\":" + bundle + "}}")
            .getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("D10: bundle map key is not a trust domain");
    assertThatThrownBy(() -> BundleSet.parseBundleMap(("{\"trust_domains\":{\"spiffe://example.org/x\":"
            + bundle + "}}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("D10: bundle map key is not a trust domain");
  }

  @Test
  void d11BundleSetKeepsOneBundlePerTrustDomain() {
    SpiffeBundle a = SpiffeBundle.builder(TD).build();
    SpiffeBundle b = SpiffeBundle.builder(TrustDomain.parse("other.org")).build();
    BundleSet set = BundleSet.of(a, b);
    assertThat(set.bundleFor(TD)).containsSame(a);
    assertThat(set.bundleFor(TrustDomain.parse("third.org"))).isEmpty();
    assertThatThrownBy(() -> BundleSet.of(a, SpiffeBundle.builder(TD).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate bundle for trust domain example.org");
  }

  @Test
  void documentsOverOneMebibyteAreRefusedBeforeParsing() {
    byte[] big = new byte[SpiffeBundle.MAX_DOCUMENT_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    for (BundleFormat f : BundleFormat.values()) {
      assertThatThrownBy(() -> SpiffeBundle.parse(TD, big, f))
          .isInstanceOf(InvalidBundleException.class)
          .hasMessageContaining("more than the limit of 1048576");
    }
    assertThatThrownBy(() -> BundleSet.parseBundleMap(big)).hasMessageContaining("more than the limit");
    // exactly at the limit is parsed (and here fails only because it is blank JSON)
    byte[] atLimit = java.util.Arrays.copyOf(big, SpiffeBundle.MAX_DOCUMENT_BYTES);
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, atLimit)).hasMessageContaining("not valid JSON");
  }

  @Test
  void deepNestingAndDuplicateMembersAreRefused() {
    String deep = "[".repeat(100) + "]".repeat(100);
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, ("{\"keys\":[],\"x\":" + deep + "}")
            .getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("nesting");
    assertThatThrownBy(() -> SpiffeBundle.parse(TD, "{\"keys\":[],\"keys\":[]}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("duplicate member name");
  }

  @Test
  void onlyPublicKeyMaterialIsKeptAndToStringShowsNoKeys() throws Exception {
    ECKey priv = gen("p1");
    Map<String, Object> e = new LinkedHashMap<>(priv.toJSONObject()); // includes "d"
    e.put("use", "jwt-svid");
    SpiffeBundle b = SpiffeBundle.parse(TD, keys(e));
    assertThat(b.jwtAuthority("p1").orElseThrow()).isInstanceOf(java.security.interfaces.ECPublicKey.class);
    assertThat(b.toString()).doesNotContain(priv.getX().toString()).contains("p1");
  }

  @Test
  void builderIsStrict() throws Exception {
    SpiffeBundle.Builder b = SpiffeBundle.builder(TD).sequence(1);
    assertThatThrownBy(() -> b.sequence(2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SpiffeBundle.builder(TD).sequence(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpiffeBundle.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("trustDomain");
    assertThatThrownBy(() -> SpiffeBundle.builder(TD).jwtAuthority(" ", EC.toECPublicKey()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpiffeBundle.builder(TD).jwtAuthority("a", EC.toECPublicKey())
            .jwtAuthority("a", EC.toECPublicKey()))
        .isInstanceOf(IllegalStateException.class);
    List<Object> none = new ArrayList<>();
    assertThat(none).isEmpty();
  }
}
