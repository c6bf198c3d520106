package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.Decision;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.examples.security.IdentityTokenAttacks.Case;
import dev.jitaccess.examples.security.IdentityTokenAttacks.Flavor;
import dev.jitaccess.spi.AuditEventType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks on the broker's front doors: {@code request}, {@code requestAsync}, {@code evaluate} and
 * {@code delegate} (the delegate's credential), each with every malicious identity token of the
 * catalogue, JWT-SVID and OIDC. Each case asserts the refusal and that nothing was issued.
 */
class BrokerRequestAttackTest {
  @RegisterExtension
  static final AttackSuite SUITE = new AttackSuite("task");
  private static final Target t = SUITE.target;
  private static final Loopback loopback = SUITE.loopback;

  private static String task() {
    return SUITE.task();
  }

  private static Credential credential(Flavor f, String token) {
    return f == Flavor.SVID ? Credential.jwtSvid(token) : Credential.oidcToken(token);
  }

  @Test
  void controlsAreIssued() {
    Grant a = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build());
    Grant b = t.broker.request(t.request(Credential.oidcToken(t.oidc()), task()).build());
    assertThat(a.isLive()).isTrue();
    assertThat(b.info().subject()).isEqualTo(Target.OIDC_ISSUER + "#repo:octo/app");
    a.close();
    b.close();
  }

  private static Stream<DynamicTest> each(String entryPoint, Function<Case, Runnable> attack) {
    return Stream.of(Flavor.values()).flatMap(f -> IdentityTokenAttacks.all(t, f, loopback.url()).stream()
        .map(c -> DynamicTest.dynamicTest(f + ": " + c.name(), () -> {
          Target.Issued before = t.issued();
          attack.apply(new Case(f.name(), c.token())).run();
          t.assertNothingIssuedSince(before);
          Attacks.tried(entryPoint);
        })));
  }

  @TestFactory
  Stream<DynamicTest> request() {
    return each("broker.request", c -> () -> {
      GrantRequest r = t.request(credential(Flavor.valueOf(c.name()), c.token()), task()).build();
      assertThatThrownBy(() -> t.broker.request(r))
          .isInstanceOf(AccessDeniedException.class)
          .satisfies(e -> assertThat(((AccessDeniedException) e).decision()).isInstanceOf(Decision.Deny.class));
    });
  }

  @TestFactory
  Stream<DynamicTest> requestAsync() {
    return each("broker.requestAsync", c -> () -> {
      // purpose "approve" needs a human: a forged identity must be refused before any approval is asked
      int pending = t.audit.events(AuditEventType.APPROVAL_REQUESTED).size();
      GrantRequest r = t.request(credential(Flavor.valueOf(c.name()), c.token()), task(), "approve").build();
      assertThatThrownBy(() -> t.broker.requestAsync(r).toCompletableFuture().get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(AccessDeniedException.class);
      assertThat(t.audit.events(AuditEventType.APPROVAL_REQUESTED)).hasSize(pending);
    });
  }

  @TestFactory
  Stream<DynamicTest> evaluate() {
    return each("broker.evaluate", c -> () -> {
      GrantRequest r = t.request(credential(Flavor.valueOf(c.name()), c.token()), task()).build();
      assertThat(t.broker.evaluate(r)).isInstanceOf(Decision.Deny.class);
    });
  }

  @TestFactory
  Stream<DynamicTest> delegateWithForgedDelegateCredential() {
    Grant parent = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task(), "agent").build());
    return each("broker.delegate", c -> () -> {
      DelegationRequest r = DelegationRequest.builder(parent)
          .credential(credential(Flavor.valueOf(c.name()), c.token()))
          .actions("read").ttl(Duration.ofMinutes(1)).build();
      assertThatThrownBy(() -> t.broker.delegate(r)).isInstanceOf(AccessDeniedException.class);
      assertThat(parent.isLive()).isTrue();
    });
  }

  @Test
  void grantTokenPresentedAsIdentityCredential() {
    Grant g = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task()).build());
    for (Credential c : List.of(Credential.jwtSvid(g.token()), Credential.oidcToken(g.token()))) {
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.request(t.request(c, task()).build())).isInstanceOf(AccessDeniedException.class);
      assertThat(t.broker.evaluate(t.request(c, task()).build())).isInstanceOf(Decision.Deny.class);
      t.assertNothingIssuedSince(before);
      Attacks.tried("broker.request");
      Attacks.tried("broker.evaluate");
    }
    g.close();
  }

  @Test
  void credentialForAnotherBrokerAudienceIsRefusedEvenWhenOtherwiseValid() {
    String other = Jws.token(t.svidHeader(), IdentityTokenAttacks.claims(t, true, new Object[] {"aud", "jit-broker-staging"}),
        Jws.es256(t.ec.getPrivate()));
    Target.Issued before = t.issued();
    assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(other), task()).build()))
        .isInstanceOf(AccessDeniedException.class);
    t.assertNothingIssuedSince(before);
    Attacks.tried("broker.request");
  }

  @Test
  void hugeCredentialIsRefusedBeforeParsing() {
    String huge = "eyJ" + "A".repeat(10 << 20) + ".e30.AAAA";
    Target.Issued before = t.issued();
    for (Credential c : List.of(Credential.jwtSvid(huge), Credential.oidcToken(huge))) {
      assertThatThrownBy(() -> t.broker.request(t.request(c, task()).build()))
          .isInstanceOf(AccessDeniedException.class)
          .satisfies(e -> assertThat(String.join(" ", ((AccessDeniedException) e).decision().reasons()))
              .containsIgnoringCase("byte"));
      Attacks.tried("broker.request");
    }
    t.assertNothingIssuedSince(before);
  }
}
