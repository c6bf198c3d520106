package dev.jitaccess.examples.security;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of malicious identity tokens (RFC 8725, OWASP NHI Top 10), for both kinds of bearer
 * identity credential the broker accepts: JWT-SVIDs of the crafted trust domain and OIDC tokens of the
 * crafted issuer. Each case is a complete token that differs from a well-formed one by the attack only.
 */
final class IdentityTokenAttacks {
  /** One attack: a name for the report and the token. */
  record Case(String name, String token) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Which credential the cases imitate. */
  enum Flavor { SVID, OIDC }

  private IdentityTokenAttacks() {}

  /** Every case of {@code flavor}; {@code loopback} is a URL the test listens on, which must never be called. */
  static List<Case> all(Target t, Flavor flavor, String loopback) {
    boolean svid = flavor == Flavor.SVID;
    String kid = svid ? Target.EC_KID : Target.OIDC_KID;
    KeyPair trusted = svid ? t.ec : t.oidcEc;
    KeyPair trustedRsa = svid ? t.rsa : t.oidcRsa;
    String rsaKid = svid ? Target.RSA_KID : Target.OIDC_RSA_KID;
    Jws.Signer good = Jws.es256(trusted.getPrivate());
    Jws.Signer evil = Jws.es256(t.attacker.getPrivate());
    long now = t.now();
    String validToken = svid ? t.svid() : t.oidc();
    String validSig = validToken.substring(validToken.lastIndexOf('.') + 1);
    List<Case> cases = new ArrayList<>();

    // claims builder: the valid claims with replacements, in order
    java.util.function.Function<Object[], String> claims = extra -> claims(t, svid, extra);
    String payload = claims.apply(new Object[0]);

    // 1. alg none, every casing, with no signature and with a valid signature of another token
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      String h = Jws.json("alg", none, "kid", kid, "typ", "JWT");
      cases.add(new Case("alg " + none + ", empty signature", Jws.token(h, payload, Jws.none())));
      String unsigned = Jws.b64(h) + "." + Jws.b64(payload) + "." + validSig;
      cases.add(new Case("alg " + none + ", borrowed signature", unsigned));
      cases.add(new Case("alg " + none + ", no signature part", Jws.b64(h) + "." + Jws.b64(payload)));
    }
    cases.add(new Case("alg missing", Jws.token(Jws.json("kid", kid, "typ", "JWT"), payload, good)));
    cases.add(new Case("alg null", Jws.token(Jws.json("alg", null, "kid", kid), payload, good)));
    cases.add(new Case("alg as array", Jws.token(Jws.json("alg", List.of("ES256"), "kid", kid), payload, good)));
    cases.add(new Case("alg ES256 with RSA key's kid (key confusion)", Jws.token(
        Jws.json("alg", "ES256", "kid", rsaKid, "typ", "JWT"), payload, good)));
    cases.add(new Case("alg RS256 with EC key's kid (key confusion)", Jws.token(
        Jws.json("alg", "RS256", "kid", kid, "typ", "JWT"), payload, Jws.rs256(trustedRsa.getPrivate()))));
    cases.add(new Case("alg PS256 signed PKCS#1 v1.5", Jws.token(
        Jws.json("alg", "PS256", "kid", rsaKid, "typ", "JWT"), payload, Jws.rs256(trustedRsa.getPrivate()))));
    cases.add(new Case("alg EdDSA", Jws.token(Jws.json("alg", "EdDSA", "kid", kid), payload, good)));
    cases.add(new Case("alg es256 (lower case)", Jws.token(Jws.json("alg", "es256", "kid", kid, "typ", "JWT"), payload, good)));

    // 2. HS256/384/512 keyed with the trusted public key in every encoding an implementation might use
    for (Map.Entry<String, PublicKey> k : Map.of(kid, trusted.getPublic(), rsaKid, trustedRsa.getPublic()).entrySet()) {
      for (Map.Entry<String, byte[]> secret : publicKeyEncodings(k.getValue()).entrySet()) {
        for (int bits : new int[] {256, 384, 512}) {
          cases.add(new Case("HS" + bits + " keyed with the " + k.getKey() + " public key as " + secret.getKey(),
              Jws.token(Jws.json("alg", "HS" + bits, "kid", k.getKey(), "typ", "JWT"), payload,
                  Jws.hmac(bits, secret.getValue()))));
        }
      }
    }

    // 3. kid injection and traversal, signed by the attacker
    List<String> kids = List.of("../../etc/passwd", "../../../../../../dev/null", "/etc/passwd", "file:///etc/passwd",
        "' OR '1'='1' --", kid + "' OR 'a'='a", "1; DROP TABLE keys", "${jndi:ldap://127.0.0.1/a}", "*",
        "K".repeat(8000), "\u0435\u0441-1" /* Cyrillic look-alike of ec-1 */, kid + "\u0000", kid + "/../" + kid,
        kid + " ", kid.toUpperCase(), "", " ", "\u202e1-ce", "%2e%2e%2fetc%2fpasswd", "http://127.0.0.1/jwks");
    for (String k : kids) {
      cases.add(new Case("kid " + printable(k) + " signed by the attacker",
          Jws.token(Jws.json("alg", "ES256", "kid", k, "typ", "JWT"), payload, evil)));
    }
    cases.add(new Case("trusted kid signed by the attacker", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT"), payload, evil)));
    cases.add(new Case("kid as number", Jws.token(Jws.json("alg", "ES256", "kid", 1, "typ", "JWT"), payload, evil)));
    cases.add(new Case("kid as object", Jws.token(Jws.json("alg", "ES256", "kid", Map.of("k", kid)), payload, evil)));
    cases.add(new Case("no kid, attacker key", Jws.token(Jws.json("alg", "ES256", "typ", "JWT"), payload, evil)));

    // 4. keys smuggled in headers: attacker-signed, and on an otherwise valid token signed by the trusted key
    String attackerJwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) t.attacker.getPublic()).keyID("evil").build()
        .toJSONString();
    String cert = Base64.getEncoder().encodeToString(t.attacker.getPublic().getEncoded());
    Map<String, Object> smuggled = new java.util.LinkedHashMap<>();
    smuggled.put("jwk", new Jws.Raw(attackerJwk));
    smuggled.put("jku", loopback + "/jwks.json");
    smuggled.put("x5u", loopback + "/cert.pem");
    smuggled.put("x5c", List.of(cert));
    smuggled.put("x5t", "AAAA");
    smuggled.put("x5t#S256", "AAAA");
    for (Map.Entry<String, Object> e : smuggled.entrySet()) {
      // x5t and x5t#S256 are thumbprint hints that bring no key; only the JWT-SVID verifier refuses them
      boolean hintOnly = e.getKey().startsWith("x5t");
      for (String who : !svid && hintOnly ? List.of("attacker") : List.of("attacker", "trusted")) {
        String h = Jws.json("alg", "ES256", "kid", who.equals("attacker") ? "evil" : kid, "typ", "JWT",
            e.getKey(), e.getValue());
        cases.add(new Case(e.getKey() + " header, signed by the " + who + " key",
            Jws.token(h, payload, who.equals("attacker") ? evil : good)));
      }
      cases.add(new Case(e.getKey() + " header with the trusted kid, signed by the attacker",
          Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", e.getKey(), e.getValue()), payload, evil)));
    }

    // 5. critical headers the verifier cannot understand, on otherwise valid tokens
    cases.add(new Case("crit [exp]", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "crit", List.of("exp"), "exp", now + 300), payload, good)));
    cases.add(new Case("crit [x-unknown]", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "crit", List.of("x-unknown"), "x-unknown", true), payload, good)));
    cases.add(new Case("crit [b64] with b64 false", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "crit", List.of("b64"), "b64", false), payload, good)));
    cases.add(new Case("crit []", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "crit", List.of()), payload, good)));
    cases.add(new Case("crit as string", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "crit", "x-unknown"), payload, good)));

    // 6. nested tokens and other serializations
    String inner = validToken;
    cases.add(new Case("cty JWT, payload an inner valid token, outer signed by the attacker",
        Jws.b64(Jws.json("alg", "ES256", "kid", "evil", "cty", "JWT")) + "." + Jws.b64(inner) + "."
            + Jws.b64(evil.sign((Jws.b64(Jws.json("alg", "ES256", "kid", "evil", "cty", "JWT")) + "." + Jws.b64(inner)).getBytes(StandardCharsets.US_ASCII)))));
    cases.add(new Case("cty JWT, payload an inner valid token, outer signed by the trusted key",
        Jws.token(Jws.json("alg", "ES256", "kid", kid, "cty", "JWT"), inner, good)));
    cases.add(new Case("cty JWT, payload an unsigned inner token, outer signed by the trusted key",
        Jws.token(Jws.json("alg", "ES256", "kid", kid, "cty", "JWT"),
            Jws.token(Jws.json("alg", "none"), claims.apply(new Object[] {"sub", svid ? "spiffe://example.org/admin" : "admin"}), Jws.none()), good)));
    cases.add(new Case("payload a JSON string holding a token", Jws.token(Jws.json("alg", "ES256", "kid", kid), Jws.value(inner), good)));
    cases.add(new Case("JWE (5 parts, RSA-OAEP-256)", Jws.b64(Jws.json("alg", "RSA-OAEP-256", "enc", "A256GCM", "kid", kid, "cty", "JWT"))
        + ".AAAA.AAAAAAAAAAAAAAAA." + Jws.b64(inner) + ".AAAAAAAAAAAAAAAAAAAAAA"));
    cases.add(new Case("JWE (5 parts, dir)", Jws.b64(Jws.json("alg", "dir", "enc", "A128CBC-HS256"))
        + "..AAAAAAAAAAAAAAAAAAAAAA." + Jws.b64(payload) + ".AAAAAAAAAAAAAAAAAAAAAA"));
    cases.add(new Case("JWE header in 3 parts", Jws.token(Jws.json("alg", "ES256", "enc", "A256GCM", "kid", kid), payload, good)));
    String[] p = validToken.split("\\.");
    cases.add(new Case("JWS JSON serialization of a valid token",
        Jws.json("payload", p[1], "protected", p[0], "signature", p[2])));
    cases.add(new Case("JWS JSON general serialization", Jws.json("payload", p[1],
        "signatures", List.of(Map.of("protected", p[0], "signature", p[2])))));
    cases.add(new Case("valid token with padding", p[0] + "=." + p[1] + "." + p[2]));
    cases.add(new Case("valid token with whitespace", p[0] + ". " + p[1] + "." + p[2]));
    cases.add(new Case("valid token with a fourth part", validToken + ".AAAA"));
    cases.add(new Case("valid token with standard base64 (+/)", validToken.replace('-', '+').replace('_', '/') + (validToken.contains("-") || validToken.contains("_") ? "" : "+")));

    // 7. duplicate JSON keys, signed by the trusted key
    String hk = ",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    cases.add(new Case("header with alg none then ES256", Jws.token("{\"alg\":\"none\",\"alg\":\"ES256\"" + hk, payload, good)));
    cases.add(new Case("header with alg ES256 then none", Jws.token("{\"alg\":\"ES256\",\"alg\":\"none\"" + hk, payload, good)));
    cases.add(new Case("header with alg ES256 then HS256", Jws.token("{\"alg\":\"ES256\",\"alg\":\"HS256\"" + hk, payload, good)));
    cases.add(new Case("header with two kids", Jws.token("{\"alg\":\"ES256\",\"kid\":\"evil\",\"kid\":\"" + kid + "\"}", payload, good)));
    cases.add(new Case("header with jku then duplicate removed by a later key", Jws.token(
        "{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"jku\":\"" + loopback + "\",\"jku\":null}", payload, good)));
    String victim = svid ? "spiffe://example.org/admin" : "repo:octo/admin";
    String base = payload.substring(1, payload.length() - 1);
    String h0 = hdr(t, svid);
    cases.add(new Case("payload with two subs (victim last)", Jws.token(h0, "{" + base + ",\"sub\":\"" + victim + "\"}", good)));
    cases.add(new Case("payload with two subs (victim first)", Jws.token(h0, "{\"sub\":\"" + victim + "\"," + base + "}", good)));
    cases.add(new Case("payload with two auds (ours first)", Jws.token(h0, "{" + base + ",\"aud\":\"someone-else\"}", good)));
    cases.add(new Case("payload with two auds (ours last)", Jws.token(h0, "{\"aud\":\"someone-else\"," + base + "}", good)));
    cases.add(new Case("payload with two exps (expired last)", Jws.token(h0, "{" + base + ",\"exp\":" + (now - 3600) + "}", good)));
    cases.add(new Case("payload with two exps (expired first)", Jws.token(h0, "{\"exp\":" + (now - 3600) + "," + base + "}", good)));
    if (!svid) {
      cases.add(new Case("payload with two isses", Jws.token(h0, "{" + base + ",\"iss\":\"https://evil.test\"}", good)));
    }
    if (svid) { // OIDC: see FindingsTest#oidcNestedDuplicateKeys
      cases.add(new Case("nested object with duplicate keys", Jws.token(h0,
          "{" + base + ",\"x\":{\"owner\":\"a\",\"owner\":\"b\"}}", good)));
    }

    // 8. size and depth: limits before parsing
    cases.add(new Case("10 MB token", "eyJ" + "A".repeat(10 << 20) + ".e30.AAAA"));
    cases.add(new Case("16 KiB + 1 token", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "JWT", "pad", "x".repeat(12_300)), payload, good)));
    cases.add(new Case("header nested 3000 arrays deep", Jws.token("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}", payload, good)));
    cases.add(new Case("payload nested 3000 arrays deep", Jws.token(Jws.json("alg", "ES256", "kid", kid), "{" + base + ",\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}", good)));
    cases.add(new Case("payload nested 1500 objects deep", Jws.token(Jws.json("alg", "ES256", "kid", kid), "{" + base + ",\"x\":" + "{\"a\":".repeat(1500) + "1" + "}".repeat(1500) + "}", good)));
    cases.add(new Case("payload nested 100 objects deep", Jws.token(Jws.json("alg", "ES256", "kid", kid), "{" + base + ",\"x\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(100) + "}", good)));
    cases.add(new Case("unterminated header JSON", Jws.token("{\"alg\":\"ES256\",\"kid\":\"" + kid + "\"", payload, good)));
    cases.add(new Case("payload not JSON", Jws.token(Jws.json("alg", "ES256", "kid", kid), "not json", good)));
    cases.add(new Case("payload JSON array", Jws.token(Jws.json("alg", "ES256", "kid", kid), "[" + payload + "]", good)));
    cases.add(new Case("invalid UTF-8 in payload", Jws.b64(Jws.json("alg", "ES256", "kid", kid)) + "."
        + Jws.b64(new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}) + "." + validSig));
    cases.add(new Case("huge number exp", Jws.token(svid ? t.svidHeader() : t.oidcHeader(), claims.apply(new Object[] {"exp", new Jws.Raw("1" + "0".repeat(5000))}), good)));

    // 9. audience and issuer
    cases.add(new Case("aud for another service", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", "other-service"}), good)));
    cases.add(new Case("aud array without ours", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", List.of("a", "b")}), good)));
    cases.add(new Case("aud missing", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", Drop.DROP}), good)));
    cases.add(new Case("aud number", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", 42}), good)));
    cases.add(new Case("aud empty string", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", ""}), good)));
    cases.add(new Case("aud prefix of ours", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", "jit-broker-evil"}), good)));
    cases.add(new Case("aud upper case", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", "JIT-BROKER"}), good)));
    cases.add(new Case("aud with trailing space", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", "jit-broker "}), good)));
    cases.add(new Case("aud object", Jws.token(hdr(t, svid), claims.apply(new Object[] {"aud", Map.of("aud", "jit-broker")}), good)));
    if (svid) {
      cases.add(new Case("sub of our domain, signed by the other domain's key (cross-domain key)", Jws.token(
          Jws.json("alg", "ES256", "kid", Target.FOREIGN_KID, "typ", "JWT"), payload, Jws.es256(t.foreign.getPrivate()))));
      cases.add(new Case("sub of the other domain, signed by our key with our kid", Jws.token(hdr(t, true),
          claims.apply(new Object[] {"sub", "spiffe://other.org/ci/deploy"}), good)));
      cases.add(new Case("sub of an unknown domain", Jws.token(hdr(t, true), claims.apply(new Object[] {"sub", "spiffe://evil.org/ci/deploy"}), good)));
      cases.add(new Case("sub missing", Jws.token(hdr(t, true), claims.apply(new Object[] {"sub", Drop.DROP}), good)));
      cases.add(new Case("sub as array", Jws.token(hdr(t, true), claims.apply(new Object[] {"sub", List.of(Target.WORKLOAD)}), good)));
      cases.add(new Case("typ at+jwt (a grant token type)", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "at+jwt"), payload, good)));
      cases.add(new Case("typ empty", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", ""), payload, good)));
      cases.add(new Case("typ dpop+jwt", Jws.token(Jws.json("alg", "ES256", "kid", kid, "typ", "dpop+jwt"), payload, good)));
    } else {
      cases.add(new Case("iss of another issuer", Jws.token(hdr(t, false), claims.apply(new Object[] {"iss", "https://evil.test"}), good)));
      cases.add(new Case("iss with trailing slash", Jws.token(hdr(t, false), claims.apply(new Object[] {"iss", Target.OIDC_ISSUER + "/"}), good)));
      cases.add(new Case("iss upper case", Jws.token(hdr(t, false), claims.apply(new Object[] {"iss", "HTTPS://OIDC.TEST"}), good)));
      cases.add(new Case("iss missing", Jws.token(hdr(t, false), claims.apply(new Object[] {"iss", Drop.DROP}), good)));
      cases.add(new Case("iss as array", Jws.token(hdr(t, false), claims.apply(new Object[] {"iss", List.of(Target.OIDC_ISSUER)}), good)));
      cases.add(new Case("iss another, signed by the attacker", Jws.token(Jws.json("alg", "ES256", "kid", "evil"), claims.apply(new Object[] {"iss", "https://evil.test"}), evil)));
      cases.add(new Case("sub missing", Jws.token(hdr(t, false), claims.apply(new Object[] {"sub", Drop.DROP}), good)));
      cases.add(new Case("sub blank", Jws.token(hdr(t, false), claims.apply(new Object[] {"sub", " "}), good)));
      cases.add(new Case("sub number", Jws.token(hdr(t, false), claims.apply(new Object[] {"sub", 7}), good)));
    }

    // 10. time
    cases.add(new Case("expired an hour ago", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", now - 3600, "iat", now - 7200}), good)));
    cases.add(new Case("expired 10 minutes ago", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", now - 600}), good)));
    cases.add(new Case("exp missing", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", Drop.DROP}), good)));
    cases.add(new Case("exp null", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", null}), good)));
    cases.add(new Case("exp as string", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", String.valueOf(now + 300)}), good)));
    cases.add(new Case("exp negative", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", -1}), good)));
    cases.add(new Case("exp as boolean", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", true}), good)));
    cases.add(new Case("nbf an hour ahead", Jws.token(hdr(t, svid), claims.apply(new Object[] {"nbf", now + 3600}), good)));
    cases.add(new Case("nbf as string", Jws.token(hdr(t, svid), claims.apply(new Object[] {"nbf", "0"}), good)));
    cases.add(new Case("iat an hour ahead", Jws.token(hdr(t, svid), claims.apply(new Object[] {"iat", now + 3600}), good)));
    cases.add(new Case("iat far future (year 2999)", Jws.token(hdr(t, svid), claims.apply(new Object[] {"iat", 32_472_144_000L}), good)));
    cases.add(new Case("iat beyond Instant.MAX", Jws.token(hdr(t, svid), claims.apply(new Object[] {"iat", new BigInteger("99999999999999999999")}), good)));
    cases.add(new Case("exp far future and iat far future", Jws.token(hdr(t, svid), claims.apply(new Object[] {"exp", 32_472_144_000L + 300, "iat", 32_472_144_000L}), good)));

    // 11. substitution: a token minted for another purpose
    cases.add(new Case("attacker-signed token claiming the victim", Jws.token(Jws.json("alg", "ES256", "kid", "evil"), claims.apply(new Object[] {"sub", victim}), evil)));
    cases.add(new Case("DPoP proof as identity", Jws.token(Jws.json("alg", "ES256", "typ", "dpop+jwt", "jwk", new Jws.Raw(attackerJwk)),
        Jws.json("htm", "POST", "htu", "https://jit.test/token", "iat", now, "jti", "x"), evil)));
    if (!svid) {
      cases.add(new Case("JWT-SVID presented as an OIDC token", t.svid()));
    } else {
      cases.add(new Case("OIDC token presented as a JWT-SVID", t.oidc()));
    }

    // 12. SPIFFE IDs with look-alikes, case and encoding tricks (JWT-SVID sub, signed by the trusted key)
    if (svid) {
      for (String id : lookAlikeIds()) {
        cases.add(new Case("sub " + printable(id), Jws.token(hdr(t, true), claims.apply(new Object[] {"sub", id}), good)));
      }
    }
    return cases;
  }

  /** SPIFFE IDs that look like {@code spiffe://example.org/ci/deploy} or an admin ID, and are not it. */
  static List<String> lookAlikeIds() {
    return List.of(
        "spiffe://ex\u0430mple.org/ci/deploy", // Cyrillic a
        "spiffe://example.org/c\u0131/deploy", // dotless i
        "spiffe://example.org/ci/deploy\u212A", // Kelvin sign
        "spiffe://example.org\uFF0Fci\uFF0Fdeploy", // fullwidth solidus
        "spiffe://example.org/ci\u2215deploy", // division slash
        "spiffe://example.org/ci/deploy\u200B", // zero-width space
        "spiffe://EXAMPLE.org/ci/deploy",
        "spiffe://Example.org/ci/deploy",
        "SPIFFE://example.org/ci/deploy",
        "Spiffe://example.org/ci/deploy",
        "spiffe://example.org/ci/%64eploy",
        "spiffe://example%2Eorg/ci/deploy",
        "spiffe://example.org/ci%2Fdeploy",
        "spiffe://example.org/ci/deploy\u0000",
        "spiffe://example.org\u0000.evil.org/ci/deploy",
        "spiffe://example.org./ci/deploy",
        "spiffe://example.org/ci/deploy/",
        "spiffe://example.org/ci/../admin",
        "spiffe://example.org/ci/./deploy",
        "spiffe://example.org//ci/deploy",
        "spiffe://user@example.org/ci/deploy",
        "spiffe://example.org:443/ci/deploy",
        "spiffe://example.org/ci/deploy?x=1",
        "spiffe://example.org/ci/deploy#frag",
        "spiffe:///ci/deploy",
        "spiffe://example.org\\ci\\deploy",
        " spiffe://example.org/ci/deploy",
        "spiffe://example.org/ci/deploy\n",
        "spiffe://ex\u00e0mple.org/ci/deploy",
        "spiffe://xn--exmple-cua.org/ci/deploy" /* punycode of a look-alike: a different, valid trust domain */);
  }

  /** The trusted public key's bytes as an HMAC secret: PEM, DER, JWK JSON, and the raw x/n. */
  static Map<String, byte[]> publicKeyEncodings(PublicKey key) {
    Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    byte[] der = key.getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    out.put("PEM", pem.getBytes(StandardCharsets.US_ASCII));
    out.put("DER", der);
    String jwk = key instanceof ECPublicKey
        ? new ECKey.Builder(Curve.P_256, (ECPublicKey) key).build().toJSONString()
        : new RSAKey.Builder((RSAPublicKey) key).build().toJSONString();
    out.put("JWK JSON", jwk.getBytes(StandardCharsets.UTF_8));
    return out;
  }

  enum Drop { DROP }

  static String hdr(Target t, boolean svid) {
    return svid ? t.svidHeader() : t.oidcHeader();
  }

  /** The valid claims of the flavor with {@code extra} key/value pairs replacing (or, with DROP, removing) them. */
  static String claims(Target t, boolean svid, Object[] extra) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    if (!svid) {
      m.put("iss", Target.OIDC_ISSUER);
    }
    m.put("sub", svid ? Target.WORKLOAD : "repo:octo/app");
    m.put("aud", Target.AUDIENCE);
    m.put("exp", t.now() + 300);
    m.put("iat", t.now());
    for (int i = 0; i < extra.length; i += 2) {
      if (extra[i + 1] == Drop.DROP) {
        m.remove((String) extra[i]);
      } else {
        m.put((String) extra[i], extra[i + 1]);
      }
    }
    return Jws.value(m);
  }

  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && i < 40; i++) {
      char c = s.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return "'" + out + (s.length() > 40 ? "...(" + s.length() + " chars)'" : "'");
  }

}
