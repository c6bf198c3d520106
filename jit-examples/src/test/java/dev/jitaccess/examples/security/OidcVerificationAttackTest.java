package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Credential;
import dev.jitaccess.examples.security.IdentityTokenAttacks.Flavor;
import dev.jitaccess.spi.IdentityResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The identity verifiers called directly, as an application embedding them without the broker would:
 * {@code OidcIdentityVerifier} with the OIDC catalogue and {@code JwtSvidVerifier} with the JWT-SVID one.
 * Every case must be a {@link IdentityResult.Rejected} (never an exception) whose reason does not echo the token.
 */
class OidcVerificationAttackTest {
  @RegisterExtension
  static final AttackSuite SUITE = new AttackSuite("oidc");
  private static final Target t = SUITE.target;
  private static final Loopback loopback = SUITE.loopback;

  @TestFactory
  Stream<DynamicTest> oidcVerifier() {
    assertThat(t.oidcVerifier.verify(Credential.oidcToken(t.oidc()))).as("control").isInstanceOf(IdentityResult.Verified.class);
    return IdentityTokenAttacks.all(t, Flavor.OIDC, loopback.url()).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      IdentityResult r = t.oidcVerifier.verify(Credential.oidcToken(c.token()));
      assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
      assertNoEcho(((IdentityResult.Rejected) r).reason(), c.token());
      Attacks.tried("OidcIdentityVerifier.verify");
    }));
  }

  @TestFactory
  Stream<DynamicTest> jwtSvidVerifier() {
    assertThat(t.jwtSvidVerifier.verify(Credential.jwtSvid(t.svid()))).as("control").isInstanceOf(IdentityResult.Verified.class);
    return IdentityTokenAttacks.all(t, Flavor.SVID, loopback.url()).stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      IdentityResult r = t.jwtSvidVerifier.verify(Credential.jwtSvid(c.token()));
      assertThat(r).isInstanceOf(IdentityResult.Rejected.class);
      assertNoEcho(((IdentityResult.Rejected) r).reason(), c.token());
      Attacks.tried("JwtSvidVerifier.verify");
    }));
  }

  static void assertNoEcho(String reason, String token) {
    assertThat(reason.length()).isLessThan(2000);
    for (String part : token.split("\\.")) {
      if (part.length() >= 16) {
        assertThat(reason).doesNotContain(part.substring(0, 16));
      }
    }
  }
}
