package dev.jitaccess.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.jitaccess.Credential;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.spi.IdentityResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** No token whose signature does not verify is ever accepted. */
class TamperProperties {
  static final Instant IAT = Instant.parse("2026-03-01T12:00:00Z");
  static final OidcIdentityVerifier VERIFIER = OidcIdentityVerifier.builder()
      .issuer(OidcIdentityVerifier.GITHUB_ACTIONS_ISSUER)
      .jwks(Tokens.jwks(Tokens.RSA, Tokens.EC))
      .audience(Tokens.AUDIENCE)
      .clock(ManualClock.at(IAT.plusSeconds(60)))
      .build();
  static final String RSA_TOKEN =
      Tokens.sign(Tokens.githubHeader(Tokens.RSA), Tokens.githubClaims(IAT), Tokens.RSA);
  static final String EC_TOKEN =
      Tokens.sign(Tokens.k8sHeader(Tokens.EC, "ES256"), Tokens.githubClaims(IAT), Tokens.EC);

  static boolean accepted(String token) {
    return VERIFIER.verify(Credential.oidcToken(token)) instanceof IdentityResult.Verified;
  }

  @Property(tries = 300)
  void flippingAnyBitOfASignedTokenIsRejected(
      @ForAll boolean ec, @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 0, max = 7) int bit) {
    String original = ec ? EC_TOKEN : RSA_TOKEN;
    assertThat(accepted(original)).isTrue();
    byte[] bytes = original.getBytes(StandardCharsets.ISO_8859_1);
    int index = position % bytes.length;
    bytes[index] ^= (byte) (1 << bit);
    String tampered = new String(bytes, StandardCharsets.ISO_8859_1);
    assertThat(tampered).isNotEqualTo(original);
    assertThat(accepted(tampered)).isFalse();
  }

  @Property(tries = 100)
  void flippingBitsOnlyInTheSignatureIsRejected(
      @ForAll boolean ec, @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 0, max = 5) int bit) {
    String original = ec ? EC_TOKEN : RSA_TOKEN;
    int start = original.lastIndexOf('.') + 1;
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char[] chars = original.toCharArray();
    int index = start + position % (chars.length - start);
    chars[index] = alphabet.charAt(alphabet.indexOf(chars[index]) ^ (1 << bit)); // stays base64url
    assertThat(accepted(new String(chars))).isFalse();
  }

  @Property(tries = 50)
  void changedClaimsUnderTheOriginalSignatureAreRejected(@ForAll("claimValues") String value) {
    Map<String, Object> claims = Tokens.with(Tokens.githubClaims(IAT), "repository", value);
    String forgedPayload = Tokens.b64(claims);
    String[] parts = RSA_TOKEN.split("\\.");
    if (forgedPayload.equals(parts[1])) {
      return;
    }
    assertThat(accepted(parts[0] + "." + forgedPayload + "." + parts[2])).isFalse();
  }

  @Property(tries = 30)
  void tokensSignedByAnyOtherKeyAreRejected(@ForAll boolean ec, @ForAll boolean sameKid) {
    JWK other = ec
        ? Tokens.ec(sameKid ? Tokens.EC.getKeyID() : "other", com.nimbusds.jose.jwk.Curve.P_256)
        : sameKid ? Tokens.ATTACKER_RSA : Tokens.rsa("other");
    Map<String, Object> header = ec ? Tokens.k8sHeader(other, "ES256") : Tokens.githubHeader(other);
    assertThat(accepted(Tokens.sign(header, Tokens.githubClaims(IAT), other))).isFalse();
  }

  @Provide
  Arbitrary<String> claimValues() {
    return Arbitraries.strings().ofMaxLength(40);
  }
}
