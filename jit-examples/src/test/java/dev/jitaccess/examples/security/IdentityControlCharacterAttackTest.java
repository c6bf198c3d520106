package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DenialCategory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14 #14 through the broker's front door: an identity id (an OIDC {@code sub}) carrying CR, LF, ESC
 * or another control, format or separator character is refused before it reaches a log, an audit record
 * or a grant. The verifier-level tests (TokenRejectionTest, JwtSvidVerifierTest) check each verifier.
 */
class IdentityControlCharacterAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  @ParameterizedTest
  @ValueSource(strings = {"repo:octo/app\nINFO forged line", "repo:octo/app\r", "repo:octo/app\u001b[2J",
      "repo:octo/app\u2028", "repo:octo/app\u202e", "repo:octo/app\u0000", "repo:octo/app\u0085"})
  void identityIdWithControlCharactersIsRefusedBeforeItIsLogged(String sub) {
    try (Target t = new Target()) {
      String token = Jws.token(t.oidcHeader(), Jws.json("iss", Target.OIDC_ISSUER, "sub", sub, "aud", Target.AUDIENCE,
          "exp", t.now() + 300, "iat", t.now()), Jws.es256(t.oidcEc.getPrivate()));
      Target.Issued before = t.issued();
      assertThatThrownBy(() -> t.broker.request(t.request(Credential.oidcToken(token), "icc-" + TASKS.incrementAndGet())
          .build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
            assertThat(e.category()).isEqualTo(DenialCategory.IDENTITY);
            assertThat(e.getMessage()).contains("control character U+").doesNotContain("forged");
          });
      t.assertNothingIssuedSince(before);
      t.audit.events().forEach(event -> event.fields().values()
          .forEach(v -> assertThat(v).as("audit value").doesNotContain(sub)));
      Attacks.tried("broker.request");
    }
  }
}
