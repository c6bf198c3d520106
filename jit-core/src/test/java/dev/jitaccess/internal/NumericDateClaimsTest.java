package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.Verification;
import dev.jitaccess.Verification.RejectionReason;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grant verifier reads {@code exp}, {@code nbf} and {@code iat} by the one NumericDate rule ({@link
 * NumericDate}), not by Nimbus's, which truncates a number to a {@code long} and multiplies it by 1000
 * without an overflow check (review 7): a signed {@code exp} of 2^64 + t read as t, one of 2^63 / 1000 + t
 * wrapped. Such numbers are refused as malformed, on the first presentation and every later one.
 */
class NumericDateClaimsTest {
  static final String ISSUER = "https://jit.example.org";
  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final ECKey key = key();
  final TokenVerifier verifier = new TokenVerifier(ISSUER, kid -> kid.equals("k1")
      ? Optional.of(KeyRing.publicEntry(key.toPublicJWK(), Instant.MAX)) : Optional.empty(), clock,
      Duration.ofSeconds(30), null, null, 16 * 1024, 100);

  static ECKey key() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("k1").algorithm(JWSAlgorithm.ES256).generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  String token(String member, String number) throws Exception {
    long now = clock.instant().getEpochSecond();
    String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"postgres://orders\",\"jti\":\"g1\",\"sub\":\"spiffe://example.org/w\","
        + "\"exp\":" + (member.equals("exp") ? number : String.valueOf(now + 300))
        + ",\"iat\":" + (member.equals("iat") ? number : String.valueOf(now))
        + (member.equals("nbf") ? ",\"nbf\":" + number : "") + "}";
    return DpopProofsTest.signed(key, "{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\"}", claims);
  }

  static String wrapped(long seconds) {
    return BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(seconds)).toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"exp", "nbf", "iat"})
  void aNumericDateBeyondYear9999IsRefusedAsMalformedOnAMissAndAHit(String member) throws Exception {
    long now = clock.instant().getEpochSecond();
    for (String number : new String[] {wrapped(member.equals("exp") ? now + 300 : now), "9223372036854775807",
        "1e300", "-1e300", "253402300800", "9223372036854776.5"}) {
      String token = token(member, number);
      for (int call = 0; call < 2; call++) {
        Verification v = verifier.verify(token, "postgres://orders");
        assertThat(v).as(member + "=" + number).isInstanceOf(Verification.Rejected.class);
        assertThat(((Verification.Rejected) v).reason()).as(member + "=" + number).isEqualTo(RejectionReason.MALFORMED);
      }
    }
  }
}
