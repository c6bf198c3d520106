package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spiffe.RefreshingBundleSource;
import dev.jitaccess.spiffe.TrustDomain;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.TestTrustDomain;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** Each check of the health indicator turns it DOWN on its own, with a detail and never a secret. */
class JitHealthIndicatorTest {
  final ManualClock clock = ManualClock.at("2030-01-15T09:00:00Z");
  @TempDir
  Path dir;

  /** A broker whose keys and store answer as given (a proxy: only publicJwks and find are called). */
  static GrantBroker broker(String jwks, boolean storeFails) {
    return (GrantBroker) Proxy.newProxyInstance(GrantBroker.class.getClassLoader(), new Class<?>[] {GrantBroker.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "publicJwks" -> jwks;
          case "find" -> {
            if (storeFails) {
              throw new IllegalStateException("connection refused to the store");
            }
            yield Optional.empty();
          }
          case "toString" -> "test broker";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  static final String ONE_KEY = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\","
      + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";

  PolicyState loadedPolicy() {
    PolicyState state = new PolicyState();
    state.attach(RulePolicy.of(Policy.parse("p.yaml", StarterApplicationTest.POLICY).orElseThrow()));
    return state;
  }

  SpiffeBundleState bundle() throws Exception {
    SpiffeBundleState state = new SpiffeBundleState(clock);
    Path file = Files.writeString(dir.resolve("bundle.json"),
        StarterApplicationTest.bundleJson(TestTrustDomain.create("prod.example.org", clock)));
    state.attach(RefreshingBundleSource.fromFile(TrustDomain.parse("prod.example.org"), file).clock(clock)
        .scheduler(clock).listener(state).build());
    return state;
  }

  Health health(GrantBroker broker, PolicyState policy, SpiffeBundleState bundle) {
    return new JitHealthIndicator(broker, policy, bundle, Duration.ofHours(1), clock).health();
  }

  @Test
  void allChecksPassingIsUp() throws Exception {
    Health h = health(broker(ONE_KEY, false), loadedPolicy(), bundle());
    assertThat(h.getStatus()).isEqualTo(Status.UP);
    assertThat(h.getDetails()).containsEntry("keys", 1).containsEntry("store", "reachable")
        .containsEntry("bundleAgeSeconds", 0L).containsKey("policyVersion");
  }

  @Test
  void noPublishedKeyIsDown() throws Exception {
    Health h = health(broker("{\"keys\":[]}", false), loadedPolicy(), bundle());
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails()).containsEntry("keysProblem", "no public signing key");
  }

  @Test
  void unreadableKeysAreDown() throws Exception {
    Health h = health(broker("not json", false), loadedPolicy(), bundle());
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails().get("keysProblem").toString()).contains("cannot be read");
  }

  @Test
  void anUnreachableStoreIsDownWithoutTheExceptionsText() throws Exception {
    Health h = health(broker(ONE_KEY, true), loadedPolicy(), bundle());
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails().get("store").toString()).isEqualTo("unreachable (IllegalStateException)");
  }

  @Test
  void noPolicyIsDown() throws Exception {
    Health h = health(broker(ONE_KEY, false), new PolicyState(), bundle());
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails()).containsEntry("policyVersion", "none");
  }

  @Test
  void anUnchangedBundleOlderThanTheMaximumIsStillUp() throws Exception {
    SpiffeBundleState bundle = bundle();
    clock.advance(Duration.ofHours(3));
    Health h = health(broker(ONE_KEY, false), loadedPolicy(), bundle);
    assertThat(h.getStatus()).as("refreshes succeed; the bundle just did not change").isEqualTo(Status.UP);
    assertThat(h.getDetails()).doesNotContainKey("bundleRefreshFailingSeconds");
  }

  @Test
  void refreshesFailingLongerThanTheMaximumAreDownUntilOneSucceeds() throws Exception {
    SpiffeBundleState bundle = bundle();
    Path file = dir.resolve("bundle.json");
    String good = Files.readString(file);
    Files.writeString(file, "{ not a bundle");
    clock.advance(Duration.ofMinutes(59));
    Health failing = health(broker(ONE_KEY, false), loadedPolicy(), bundle);
    assertThat(failing.getStatus()).as("failing, but not for an hour yet").isEqualTo(Status.UP);
    assertThat(failing.getDetails()).containsKey("bundleRefreshFailingSeconds");
    clock.advance(Duration.ofMinutes(7));
    Health stale = health(broker(ONE_KEY, false), loadedPolicy(), bundle);
    assertThat(stale.getStatus()).isEqualTo(Status.DOWN);
    assertThat(stale.getDetails().get("bundle").toString()).startsWith("stale");
    Files.writeString(file, good);
    clock.advance(Duration.ofMinutes(2));
    assertThat(health(broker(ONE_KEY, false), loadedPolicy(), bundle).getStatus())
        .as("a refresh succeeded with the same bundle").isEqualTo(Status.UP);
  }

  @Test
  void noBundleIsDown() {
    Health h = health(broker(ONE_KEY, false), loadedPolicy(), new SpiffeBundleState(clock));
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails()).containsEntry("bundle", "none");
  }
}
