package dev.jitaccess.spiffe;

import static dev.jitaccess.internal.BuilderCase.of;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import dev.jitaccess.Credential;
import dev.jitaccess.internal.BuilderCase;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.oidc.OidcIdentityVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of every public builder of jit-spiffe: {@code build()} resolves its defaults into the built object,
 * never into the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final ManualClock CLOCK = ManualClock.at("2030-01-01T00:00:00Z");
  static final ECKey EC = TestJwt.ec(Curve.P_256);
  static final BundleSet BUNDLES = BundleSet.of(SpiffeBundle.builder(TD).jwtAuthority("ec", TestJwt.pub(EC)).build());
  static final Credential BAD_JWT = Credential.jwtSvid("not.a.token");

  @TempDir static Path tmp;

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("SpiffeBundle", () -> SpiffeBundle.builder(TD).jwtAuthority("ec", TestJwt.pub(EC)),
            SpiffeBundle.Builder::build, b -> b.refreshHint(Duration.ofMinutes(5)), Function.identity()),
        of("JwtSvidVerifier", () -> JwtSvidVerifier.builder().bundleSource(BUNDLES).audiences("broker"),
            JwtSvidVerifier.Builder::build, b -> b.clock(CLOCK), v -> v.verify(BAD_JWT)),
        of("X509SvidVerifier", () -> X509SvidVerifier.builder().bundleSource(BUNDLES),
            X509SvidVerifier.Builder::build, b -> b.clock(CLOCK), v -> v.supports(BAD_JWT)),
        of("OidcIdentityVerifier", () -> OidcIdentityVerifier.builder().issuer("https://issuer.example")
                .jwks(new JWKSet(EC.toPublicJWK()).toString()).audience("broker"),
            OidcIdentityVerifier.Builder::build, b -> b.clock(CLOCK),
            v -> List.of(v.verify(Credential.oidcToken("not.a.token")), v.toString())),
        of("RefreshingBundleSource", BuildNeverChangesItsBuilderTest::fileSource,
            RefreshingBundleSource.Builder::build, b -> b.listener(new BundleListener() {}),
            BuildNeverChangesItsBuilderTest::closedAfterReading));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }


  static RefreshingBundleSource.Builder fileSource() {
    Path file = tmp.resolve("bundle.json");
    try {
      Files.write(file, BUNDLES.bundleFor(TD).orElseThrow().toJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return RefreshingBundleSource.fromFile(TD, file).clock(CLOCK).scheduler(CLOCK);
  }

  /** The bundle a source read (it stays readable after close), then closes the source. */
  static Object closedAfterReading(RefreshingBundleSource source) {
    Optional<SpiffeBundle> bundle = source.current();
    source.close();
    return bundle;
  }
}
