package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jitaccess.internal.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes grant token verification and DPoP key parsing.
 *
 * <p>A broker with a fixed test key and a clock that never moves issues three live grants when the class
 * loads: a plain one, one bound to a DPoP key and a single-use one. Every input is a token presented to
 * the broker's own verifier (which reads its store) and to a stand-alone verifier built from
 * {@link GrantBroker#publicJwks()}, with several {@link VerificationRequest}s. In the input the
 * placeholders {@code {T0}}..{@code {T2}} stand for the live tokens and {@code {H0}}, {@code {P0}},
 * {@code {S0}} (and so on) for their header, payload and signature parts, so the fuzzer can splice
 * genuine signatures into mutated tokens. The contract checked on every input:
 *
 * <ul>
 *   <li>verify never throws and never returns null;
 *   <li>{@code Verified} only for a token the test key really signed: for the broker's verifier, one of
 *       the live grants exactly (same header and payload); for the stand-alone verifier, a live grant, one
 *       of the tokens in {@code signed-by-the-fuzz-key.txt} or any token whose signature the JDK verifies
 *       with the test key (only brokers in these tests hold it, so it was issued by one);
 *   <li>never {@code Verified} for the DPoP-bound grant (no proof is presented) or when proof of possession
 *       is required, and the single-use grant verifies at most once at the broker;
 *   <li>an exact live token is {@code Verified} (the oracle can fail the other way too).
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} only the corpus in {@code GrantTokenFuzzTestInputs/} is replayed.
 */
class GrantTokenFuzzTest {
  static final String ISSUER = "https://jit.example.org";
  static final String AUDIENCE = "postgres://orders";
  /** A test-only P-256 key; it signs nothing outside these tests. */
  static final String SIGNING_KEY = "{\"kty\":\"EC\",\"d\":\"54VGd9dT4cs-o5ACubXq5adG2DJVNu1ZyjepwDnKIw8\","
      + "\"crv\":\"P-256\",\"kid\":\"fuzz-k1\",\"x\":\"-wQe_lea11Np5qJvKurb25kxzgLJfM3jcqBbnn_hSjA\","
      + "\"y\":\"jAStzZ8t7BuVZ4Z5n7tinYLwupcBgaxTh1gFJxbZkNM\"}";
  static final String DPOP_PUBLIC_KEY = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"dpop\","
      + "\"x\":\"hfV7GqwOEG08sTXJTN8SZA5ydufe1BiOGXAznGOI4mI\",\"y\":\"V3F265DPRlNaX4LuEhYZEOz5i70MvuMgSZTU4vpD6Ec\"}";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([THPS])([0-2])\\}");

  /** Built once per JVM: the fuzzer runs millions of inputs against the same broker. */
  static final class World {
    static final World INSTANCE = new World();

    final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
    final GrantBroker broker;
    final GrantVerifier standalone;
    final List<Grant> grants = new ArrayList<>();
    final Map<String, Grant> bySigningInput = new HashMap<>();
    final Set<String> signedEarlier = new HashSet<>();
    final AtomicInteger singleUseVerifications = new AtomicInteger();

    private World() {
      broker = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
          .policy(ctx -> new Decision.Allow(
              GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10))
                  .withSingleUse(ctx.request().purpose().equals("once")),
              List.of("fuzz"), List.of("fuzz"), "v1"))
          .clock(clock).scheduler(clock).auditSink(e -> {}).signingKey(SIGNING_KEY).build();
      grants.add(broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId("deploy-42")
          .ttl(Duration.ofMinutes(5)).build()));
      grants.add(broker.request(Fixtures.request(Fixtures.DEPLOYER).taskId("deploy-43")
          .ttl(Duration.ofMinutes(5)).dpopKey(DPOP_PUBLIC_KEY).build()));
      grants.add(broker.request(GrantRequest.builder().credential(Credential.jwtSvid("id:" + Fixtures.DEPLOYER))
          .purpose("once").resource(AUDIENCE).actions("read").environment("prod").taskId("deploy-44")
          .ttl(Duration.ofMinutes(5)).build()));
      for (Grant g : grants) {
        bySigningInput.put(signingInput(g.token()), g);
      }
      standalone = GrantVerifier.builder().issuer(ISSUER).jwks(broker.publicJwks()).clock(clock).build();
      try (InputStream in = GrantTokenFuzzTest.class.getResourceAsStream("signed-by-the-fuzz-key.txt")) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            signedEarlier.add(signingInput(line.trim()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String expand(String input) {
      Matcher m = PLACEHOLDER.matcher(input);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String[] parts = grants.get(m.group(2).charAt(0) - '0').token().split("\\.");
        String value = switch (m.group(1)) {
          case "T" -> String.join(".", parts);
          case "H" -> parts[0];
          case "P" -> parts[1];
          default -> parts[2];
        };
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }

  /**
   * Whether the JDK verifies the token's ES256 signature with the public half of {@link #SIGNING_KEY}:
   * a token issued by some broker with this key in an earlier run, which the fuzzer may have learnt from
   * a comparison and stored in the corpus.
   */
  static boolean signedByTheFuzzKey(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    try {
      java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initVerify(com.nimbusds.jose.jwk.ECKey.parse(SIGNING_KEY).toECPublicKey());
      s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return s.verify(java.util.Base64.getUrlDecoder().decode(parts[2]));
    } catch (java.security.GeneralSecurityException | java.text.ParseException | com.nimbusds.jose.JOSEException
        | IllegalArgumentException e) {
      return false;
    }
  }

  static String signingInput(String token) {
    int last = token.lastIndexOf('.');
    return last < 0 ? token : token.substring(0, last);
  }

  static List<VerificationRequest> requests() {
    return List.of(
        VerificationRequest.builder(AUDIENCE).build(),
        VerificationRequest.builder(AUDIENCE).taskId("deploy-42").requiredActions("read").build(),
        VerificationRequest.builder(AUDIENCE).requireProofOfPossession().build(),
        VerificationRequest.builder("https://other.example").build());
  }

  @FuzzTest(maxDuration = "2m")
  void grantTokensVerifyOnlyWhenTheBrokerIssuedThem(byte[] input) {
    World w = World.INSTANCE;
    String token = w.expand(new String(input, StandardCharsets.UTF_8));
    String signingInput = signingInput(token);
    Grant live = w.bySigningInput.get(signingInput);
    for (VerificationRequest request : requests()) {
      Verification atBroker = verify(w.broker.verifier(), token, request);
      Verification alone = verify(w.standalone, token, request);
      if (atBroker instanceof Verification.Verified v) {
        assertThat(live).as("the broker's verifier accepted a token the broker did not issue").isNotNull();
        assertSameGrant(v.grant(), live);
        if (live.info().singleUse()) {
          assertThat(w.singleUseVerifications.incrementAndGet()).as("single-use grant verified twice").isEqualTo(1);
        }
      }
      if (alone instanceof Verification.Verified v) {
        assertThat(live != null || w.signedEarlier.contains(signingInput) || signedByTheFuzzKey(token))
            .as("the stand-alone verifier accepted a token the test key never signed").isTrue();
        if (live != null) {
          assertSameGrant(v.grant(), live);
        }
      }
      for (Verification r : List.of(atBroker, alone)) {
        if (r instanceof Verification.Verified v) {
          assertThat(v.grant().keyThumbprint()).as("DPoP-bound grant verified without a proof").isEmpty();
          assertThat(request.requireProofOfPossession()).as("bearer token verified where PoP is required").isFalse();
          assertThat(v.grant().resource()).isEqualTo(request.audience());
          request.taskId().ifPresent(t -> assertThat(v.grant().taskId()).isEqualTo(t));
          assertThat(v.grant().actions()).containsAll(request.requiredActions());
        }
      }
      boolean plainLive = live != null && token.equals(live.token()) && !live.info().singleUse()
          && live.info().keyThumbprint().isEmpty();
      if (plainLive && request.audience().equals(AUDIENCE) && !request.requireProofOfPossession()
          && request.taskId().orElse(live.info().taskId()).equals(live.info().taskId())) {
        assertThat(atBroker.isVerified()).as("a live token was refused by the broker: %s", atBroker).isTrue();
        assertThat(alone.isVerified()).as("a live token was refused stand-alone: %s", alone).isTrue();
      }
    }
  }

  private static Verification verify(GrantVerifier verifier, String token, VerificationRequest request) {
    Verification result;
    try {
      result = verifier.verify(token, request);
    } catch (RuntimeException | Error e) {
      throw new AssertionError("GrantVerifier.verify threw " + e, e);
    }
    assertThat(result).as("verify returned null").isNotNull();
    if (result instanceof Verification.Rejected r && token.length() > 40) {
      assertThat(r.detail()).as("a rejection detail quotes the token").doesNotContain(token);
    }
    return result;
  }

  private static void assertSameGrant(GrantInfo verified, Grant live) {
    assertThat(verified.grantId()).isEqualTo(live.id());
    assertThat(verified.subject()).isEqualTo(live.info().subject());
    assertThat(verified.taskId()).isEqualTo(live.info().taskId());
    assertThat(verified.actions()).isEqualTo(live.info().actions());
    assertThat(verified.expiresAt()).isEqualTo(live.info().expiresAt());
  }

  /**
   * {@link GrantRequest.Builder#dpopKey} on arbitrary (never null) text: only
   * {@link IllegalArgumentException} for a bad key, never a {@link NullPointerException} or anything
   * else; an accepted key yields an RFC 7638 thumbprint (43 base64url characters) on the request.
   */
  @FuzzTest(maxDuration = "2m")
  void dpopKeyRefusesBadKeysWithIllegalArgumentOnly(byte[] input) {
    String jwk = new String(input, StandardCharsets.UTF_8);
    GrantRequest.Builder b = Fixtures.request(Fixtures.DEPLOYER).taskId("t").ttl(Duration.ofMinutes(1));
    try {
      b.dpopKey(jwk);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).as("message of %s", e).isNotBlank();
      if (jwk.length() > 40) {
        assertThat(e.getMessage()).as("the message quotes the key").doesNotContain(jwk);
      }
      return;
    } catch (RuntimeException | Error e) {
      // the key is never null here, so a NullPointerException is a failure too
      throw new AssertionError("dpopKey threw " + e + " instead of IllegalArgumentException", e);
    }
    String thumbprint = b.build().keyThumbprint().orElseThrow();
    assertThat(thumbprint).matches("[A-Za-z0-9_-]{43}");
  }
}
