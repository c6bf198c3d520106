package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.internal.ManualClock;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The invariant of the verified-token cache's key (review 7): the key is the token's exact text, so any
 * one-character change of a valid, cached token is refused (a miss that fails the front end or the
 * signature), and the change never evicts or poisons the entry of the original, which still verifies (a hit).
 */
class OneCharacterChangeProperties {
  static final String AUD = "postgres://orders";

  /** One broker for all tries: a cache that has seen earlier mutations is the harder case. */
  static final class World {
    static final World INSTANCE = new World();
    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final GrantBroker broker;
    final String token;

    private World() {
      try {
        broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
            .policy(ctx -> new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)),
                List.of("allow-all"), List.of("test"), "v1"))
            .clock(clock).scheduler(clock).auditSink(e -> {})
            .signingKey(new ECKeyGenerator(Curve.P_256).keyID("k1").generate().toJSONString()).build();
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
      token = broker.request(Fixtures.request(DEPLOYER).taskId("t1").ttl(Duration.ofMinutes(5)).build()).token();
    }
  }

  @Property(tries = 400)
  void anyOneCharacterChangeOfACachedTokenIsRefusedAndTheOriginalStillVerifies(
      @ForAll @IntRange(min = 0, max = 10_000) int at, @ForAll("replacements") char replacement) {
    World w = World.INSTANCE;
    GrantVerifier v = w.broker.verifier();
    assertThat(v.verify(w.token, AUD).isVerified()).isTrue(); // the entry is there (a hit after the first try)
    int i = at % w.token.length();
    String changed = w.token.substring(0, i) + replacement + w.token.substring(i + 1);
    if (!changed.equals(w.token)) {
      assertThat(v.verify(changed, AUD)).isInstanceOf(Verification.Rejected.class);
      assertThat(v.verify(changed, AUD)).as("and again, once it could be cached").isInstanceOf(Verification.Rejected.class);
    }
    assertThat(v.verify(w.token, AUD).isVerified()).isTrue();
  }

  /** The base64url alphabet (most changes stay canonical and reach the signature), its neighbours and others. */
  @Provide
  Arbitrary<Character> replacements() {
    return Arbitraries.oneOf(
        Arbitraries.chars().with("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        Arbitraries.of('.', '=', '+', '/', ' ', '\n', '\u00e9', '\u0000'));
  }
}
