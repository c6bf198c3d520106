package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/** The validator's own rejection paths, without a server: a failing verifier refuses, arguments are checked. */
class JitTokenValidatorTest {
  static final String SECRET_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

  static Jwt jwt() {
    return Jwt.withTokenValue(SECRET_TOKEN).header("alg", "ES256").subject("x")
        .issuedAt(Instant.parse("2030-01-01T00:00:00Z")).expiresAt(Instant.parse("2030-01-01T00:05:00Z")).build();
  }

  @Test
  void aRejectionRefusesTheTokenNamingTheReasonOnly() {
    GrantVerifier rejecting = (token, request) ->
        new Verification.Rejected(Verification.RejectionReason.REVOKED, "grant g1 was revoked");
    OAuth2TokenValidatorResult r = new JitTokenValidator(rejecting, "https://reports.example.org", null).validate(jwt());
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.getErrors()).singleElement().satisfies(e -> {
      assertThat(e.getErrorCode()).isEqualTo("invalid_token");
      assertThat(e.getDescription()).isEqualTo("the grant token was refused: revoked").doesNotContain(SECRET_TOKEN);
    });
  }

  @Test
  void aVerifierThatThrowsRefusesTheTokenWithoutItsMessage() {
    GrantVerifier throwing = (token, request) -> {
      throw new IllegalStateException("store down while checking " + token);
    };
    OAuth2TokenValidatorResult r = new JitTokenValidator(throwing, "aud", "Jit-Task").validate(jwt());
    assertThat(r.hasErrors()).isTrue();
    assertThat(r.getErrors()).singleElement().satisfies(e ->
        assertThat(e.getDescription()).contains("IllegalStateException").doesNotContain(SECRET_TOKEN));
  }

  @Test
  void theDecodersChainStopsAtTheFirstFailureSoASingleUseIsNotSpent() {
    AtomicInteger jitCalls = new AtomicInteger();
    OAuth2TokenValidator<Jwt> refuses = jwt -> OAuth2TokenValidatorResult.failure(
        new org.springframework.security.oauth2.core.OAuth2Error("invalid_token", "wrong issuer", null));
    OAuth2TokenValidator<Jwt> counting = jwt -> {
      jitCalls.incrementAndGet();
      return OAuth2TokenValidatorResult.success();
    };
    assertThat(JitSecurityAutoConfiguration.firstFailure(List.of(refuses, counting)).validate(jwt()).hasErrors())
        .isTrue();
    assertThat(jitCalls).hasValue(0);
    assertThat(JitSecurityAutoConfiguration.firstFailure(List.of(jwt -> null, counting)).validate(jwt()).hasErrors())
        .as("a validator answering null refuses").isTrue();
    assertThat(JitSecurityAutoConfiguration.firstFailure(List.of(counting)).validate(jwt()).hasErrors()).isFalse();
  }

  @Test
  void argumentsAreChecked() {
    GrantVerifier v = (token, request) -> new Verification.Rejected(Verification.RejectionReason.ERROR, "x");
    assertThatNullPointerException().isThrownBy(() -> new JitTokenValidator(null, "aud", null)).withMessage("verifier");
    assertThatNullPointerException().isThrownBy(() -> new JitTokenValidator(v, null, null)).withMessage("audience");
    assertThatIllegalArgumentException().isThrownBy(() -> new JitTokenValidator(v, " ", null));
    assertThatIllegalArgumentException().isThrownBy(() -> new JitTokenValidator(v, "aud", ""))
        .withMessageContaining("taskHeader");
    assertThat(new JitTokenValidator(v, "aud", "Jit-Task")).hasToString("JitTokenValidator[audience=aud, taskHeader=Jit-Task]");
  }
}
