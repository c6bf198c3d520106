package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.jitaccess.internal.KeyRing;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.internal.TokenVerifier;
import dev.jitaccess.spi.GrantStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The verified-token cache changes no answer: for any sequence of grants, verifications (right or wrong
 * audience, task, inspection, a token changed in one byte), revocations, clock advances and a key leaving
 * and rejoining the trusted set, a verifier with the cache (of 2 entries, so that tokens also evict each
 * other) answers exactly like one without it. Each runs in its own world (broker, store, clock) that gets
 * the same operations.
 */
class VerifiedTokenCachePropertyTest {
  private static final ECKey KEY = key();
  private static final String AUD = "postgres://orders";

  private static ECKey key() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A broker, its store and clock, and a verifier over them with or without the cache. */
  static final class World implements AutoCloseable {
    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final GrantStore store = GrantStore.inMemory(clock, clock, Duration.ofMinutes(2));
    final GrantBroker broker;
    final TokenVerifier verifier;
    final List<Grant> grants = new ArrayList<>();
    boolean trusted = true;

    World(int cacheSize) {
      broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
          .policy(ctx -> new Decision.Allow(
              GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
                  .withSingleUse(ctx.request().taskId().startsWith("once")),
              List.of("p"), List.of(), ""))
          .clock(clock).scheduler(clock).store(store).auditSink(e -> {}).signingKey(KEY.toJSONString()).build();
      Map<String, KeyRing.PublicKeyEntry> keys = TokenVerifier.parseJwks(broker.publicJwks());
      verifier = new TokenVerifier(ISSUER, kid -> trusted ? Optional.ofNullable(keys.get(kid)) : Optional.empty(),
          clock, Duration.ofSeconds(30), store, null, 16 * 1024, cacheSize);
    }

    /** Applies one operation; returns what a verification answered, or null for other operations. */
    String apply(int op, int arg) {
      switch (op) {
        case 0 -> {
          String task = (arg % 4 == 0 ? "once-" : "t-") + (arg % 3);
          grants.add(broker.request(Fixtures.request(DEPLOYER).taskId(task).ttl(Duration.ofSeconds(30 + arg % 300)).build()));
          return null;
        }
        case 1, 2, 3 -> {
          if (grants.isEmpty()) {
            return null;
          }
          Grant g = grants.get(arg % grants.size());
          String token = g.token();
          if (op == 3) {
            int at = token.lastIndexOf('.') + 1 + (arg % 40);
            token = token.substring(0, at) + (token.charAt(at) == 'Q' ? 'R' : 'Q') + token.substring(at + 1);
          }
          VerificationRequest.Builder r = VerificationRequest.builder(arg % 7 == 0 ? "postgres://billing" : AUD);
          if (arg % 5 == 1) {
            r.taskId("t-" + (arg % 3));
          }
          if (op == 2) {
            r.inspectOnly();
          }
          return describe(verifier.verify(token, r.build()));
        }
        case 4 -> {
          if (!grants.isEmpty()) {
            broker.revoke(grants.get(arg % grants.size()).id());
          }
          return null;
        }
        case 5 -> {
          broker.revokeTask("t-" + (arg % 3));
          return null;
        }
        case 6 -> {
          clock.advance(Duration.ofSeconds(arg % 120));
          return null;
        }
        default -> {
          trusted = !trusted;
          return null;
        }
      }
    }

    static String describe(Verification v) {
      if (v instanceof Verification.Verified ok) {
        GrantInfo g = ok.grant();
        return "verified " + g.taskId() + " " + g.actions() + " " + g.expiresAt() + " single=" + g.singleUse();
      }
      Verification.Rejected r = (Verification.Rejected) v;
      return r.reason() + ": " + r.detail();
    }

    @Override
    public void close() {
      broker.close();
    }
  }

  @Property(tries = 80)
  void theCachedVerifierAnswersExactlyLikeTheUncachedOne(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 7999) Integer> operations) {
    try (World cached = new World(2); World plain = new World(0)) {
      List<String> withCache = new ArrayList<>();
      List<String> without = new ArrayList<>();
      for (int v : operations) {
        int op = v % 8;
        int arg = v / 8;
        withCache.add(cached.apply(op, arg));
        without.add(plain.apply(op, arg));
      }
      assertThat(withCache).isEqualTo(without);
    }
  }
}
