package dev.jitaccess.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The {@link IdentityVerifier} contract as JUnit 5 tests: extend this class in your test sources,
 * implement the factory methods, and every test below runs against your verifier.
 * <pre>{@code
 * class MyVerifierContractTest extends IdentityVerifierContract {
 *   protected IdentityVerifier verifier() { return new MyVerifier(clock); }
 *   protected Credential validCredential() { return Credential.oidcToken(mintGoodToken()); }
 * }
 * }</pre>
 * What it checks: a valid credential is supported and verified into an identity that is still valid at
 * the clock's time; the verifier never throws and never returns null, whatever it is given; garbage,
 * tampered, foreign and unsupported credentials are never verified (a credential the verifier does not
 * {@code support} is rejected, not thrown on); rejection reasons are not blank and never contain the
 * presented token; verification is repeatable and safe from several threads.
 *
 * <p>A fresh instance of the test class, with a fresh {@link #clock}, runs each test.
 */
public abstract class IdentityVerifierContract {
  /** A manual clock at {@link JitTestKit#DEFAULT_START}; use it for your verifier and credentials. */
  protected final ManualClock clock = ManualClock.at(JitTestKit.DEFAULT_START);

  private @Nullable TestTrustDomain foreign;

  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected IdentityVerifierContract() {}

  /** The verifier under test; called once per test. */
  protected abstract IdentityVerifier verifier();

  /** A credential the verifier must accept at {@link #clock}'s time; called whenever one is needed. */
  protected abstract Credential validCredential();

  /**
   * Well-formed credentials that the verifier must refuse (expired, wrong audience, untrusted signer,
   * ...), each with the text its rejection reason must contain (may be empty). Default: none.
   */
  protected List<Refused> refusedCredentials() {
    return List.of();
  }

  /**
   * A credential the verifier must refuse, and what its rejection reason must contain.
   *
   * @param credential the bad credential
   * @param reasonContains a fragment of the expected reason, possibly empty
   */
  public record Refused(Credential credential, String reasonContains) {
    /** Checks the values. */
    public Refused {
      java.util.Objects.requireNonNull(credential, "credential");
      java.util.Objects.requireNonNull(reasonContains, "reasonContains");
    }
  }

  /** A valid credential is supported and verified into a non-blank identity that has not expired. */
  @Test
  public void verifiesAValidCredential() {
    IdentityVerifier v = verifier();
    Credential c = validCredential();
    assertTrue(v.supports(c), "supports(validCredential()) must be true");
    IdentityResult r = v.verify(c);
    assertNotNull(r, "verify must never return null");
    if (r instanceof IdentityResult.Rejected rejected) {
      fail("the valid credential was rejected: " + rejected.reason());
    }
    WorkloadIdentity id = ((IdentityResult.Verified) r).identity();
    assertFalse(id.id().isBlank(), "identity id must not be blank");
    assertFalse(id.issuer().isBlank(), "identity issuer must not be blank");
    assertTrue(id.expiresAt().isAfter(clock.instant()),
        "the identity must not have expired at the clock's time, expires " + id.expiresAt());
  }

  /** Verifying the same credential twice gives the same identity. */
  @Test
  public void verificationIsRepeatable() {
    IdentityVerifier v = verifier();
    Credential c = validCredential();
    IdentityResult a = v.verify(c);
    IdentityResult b = v.verify(c);
    assertInstanceOf(IdentityResult.Verified.class, a);
    assertInstanceOf(IdentityResult.Verified.class, b);
    assertEquals(((IdentityResult.Verified) a).identity().id(), ((IdentityResult.Verified) b).identity().id());
  }

  /** Garbage of every kind: supports() and verify() never throw, verify() never returns null. */
  @Test
  public void neverThrowsNorReturnsNullOnGarbage() {
    IdentityVerifier v = verifier();
    for (Credential c : garbage()) {
      boolean supported;
      IdentityResult r;
      try {
        supported = v.supports(c);
        r = v.verify(c);
      } catch (RuntimeException e) {
        throw new AssertionError("the verifier threw " + e.getClass().getName() + " for " + c, e);
      }
      assertNotNull(r, "verify returned null for " + c);
      if (supported) {
        assertInstanceOf(IdentityResult.Rejected.class, r, "garbage was verified: " + c);
      }
    }
  }

  /** A credential the verifier does not support is rejected by verify(), never verified or thrown on. */
  @Test
  public void rejectsCredentialsItDoesNotSupport() {
    IdentityVerifier v = verifier();
    List<Credential> all = new ArrayList<>(garbage());
    all.add(validCredential());
    all.add(otherKindOf(validCredential()));
    for (Credential c : all) {
      if (!v.supports(c)) {
        IdentityResult r = v.verify(c);
        assertInstanceOf(IdentityResult.Rejected.class, r, "an unsupported credential was not rejected: " + c);
      }
    }
  }

  /** Nothing in the garbage list is ever verified, supported or not. */
  @Test
  public void neverVerifiesGarbage() {
    IdentityVerifier v = verifier();
    for (Credential c : garbage()) {
      assertFalse(v.verify(c) instanceof IdentityResult.Verified, "garbage was verified: " + c);
    }
  }

  /** A valid token with one character of its signature changed is rejected. */
  @Test
  public void rejectsATamperedCredential() {
    Credential c = validCredential();
    if (!(c instanceof Credential.Token t)) {
      return; // certificate chains: covered by the foreign chains in the garbage
    }
    String value = t.value();
    int sig = value.lastIndexOf('.') + 1;
    if (sig <= 0 || sig >= value.length() - 2) {
      return;
    }
    int at = sig + (value.length() - sig) / 2;
    char flipped = value.charAt(at) == 'A' ? 'B' : 'A';
    String tampered = value.substring(0, at) + flipped + value.substring(at + 1);
    IdentityResult r = verifier().verify(new Credential.Token(t.type(), tampered));
    assertInstanceOf(IdentityResult.Rejected.class, r, "a tampered token was verified");
    assertReasonIsClean((IdentityResult.Rejected) r, tampered);
  }

  /** Every credential of {@link #refusedCredentials()} is rejected with the expected reason. */
  @Test
  public void rejectsTheRefusedCredentials() {
    IdentityVerifier v = verifier();
    for (Refused bad : refusedCredentials()) {
      IdentityResult r = v.verify(bad.credential());
      assertNotNull(r);
      if (r instanceof IdentityResult.Verified) {
        fail("a credential that must be refused was verified: " + bad.credential()
            + " (expected a reason containing '" + bad.reasonContains() + "')");
      }
      String reason = ((IdentityResult.Rejected) r).reason();
      assertTrue(reason.contains(bad.reasonContains()),
          "reason '" + reason + "' does not contain '" + bad.reasonContains() + "'");
      if (bad.credential() instanceof Credential.Token token) {
        assertReasonIsClean((IdentityResult.Rejected) r, token.value());
      }
    }
  }

  /** Rejection reasons are never blank and never contain the presented token or its signature. */
  @Test
  public void rejectionReasonsNeverContainTheToken() {
    IdentityVerifier v = verifier();
    for (Credential c : garbage()) {
      IdentityResult r = v.verify(c);
      if (r instanceof IdentityResult.Rejected rejected && c instanceof Credential.Token token) {
        assertReasonIsClean(rejected, token.value());
      }
    }
  }

  /** Verifying from several threads at once gives the same result as from one. */
  @Test
  public void isThreadSafe() throws Exception {
    IdentityVerifier v = verifier();
    Credential c = validCredential();
    String expected = ((IdentityResult.Verified) v.verify(c)).identity().id();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<IdentityResult>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        results.add(pool.submit(() -> v.verify(c)));
      }
      for (Future<IdentityResult> f : results) {
        IdentityResult r = f.get(30, TimeUnit.SECONDS);
        assertInstanceOf(IdentityResult.Verified.class, r);
        assertEquals(expected, ((IdentityResult.Verified) r).identity().id());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void assertReasonIsClean(IdentityResult.Rejected r, String token) {
    String reason = r.reason();
    assertFalse(reason.isBlank(), "a rejection reason must not be blank");
    if (token.length() >= 16) {
      assertFalse(reason.contains(token), "the rejection reason contains the token");
      String[] parts = token.split("\\.", -1);
      for (String part : parts) {
        if (part.length() >= 16) {
          assertFalse(reason.contains(part), "the rejection reason contains a part of the token");
        }
      }
    }
  }

  private static Credential otherKindOf(Credential c) {
    if (c instanceof Credential.Token t) {
      return new Credential.Token(
          t.type() == Credential.TokenType.OIDC ? Credential.TokenType.JWT_SVID : Credential.TokenType.OIDC, t.value());
    }
    return Credential.jwtSvid("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  }

  /** Malformed, hostile and foreign credentials of every kind. */
  private List<Credential> garbage() {
    if (foreign == null) {
      foreign = TestTrustDomain.create("contract-foreign.test", clock);
    }
    List<String> tokens = new ArrayList<>(List.of(
        "", " ", "garbage", "a.b.c", "...", "a.b", "a.b.c.d.e",
        // alg none
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy94IiwiYXVkIjoiaml0LWJyb2tlciJ9.",
        // HS256 with a made-up signature
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy94In0."
            + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        // not JSON inside
        "bm90IGpzb24.bm90IGpzb24.bm90IGpzb24",
        // JSON arrays instead of objects
        "W10.W10.W10",
        "\u0000\u0001\u0002.\u0003.\u0004",
        "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.%%%%",
        String.join("", Collections.nCopies(100_000, "A")),
        foreign.jwtSvid("spiffe://contract-foreign.test/x", "jit-broker")));
    List<Credential> all = new ArrayList<>();
    for (String t : tokens) {
      all.add(Credential.jwtSvid(t));
      all.add(Credential.oidcToken(t));
    }
    TestTrustDomain.X509Svid svid = foreign.x509Svid("spiffe://contract-foreign.test/x");
    all.add(svid.credential());
    all.add(Credential.x509Svid(List.of(svid.leaf())));
    all.add(Credential.x509Svid(List.of(foreign.rootCertificate())));
    all.add(Credential.x509Svid(Collections.nCopies(20, svid.leaf())));
    return all;
  }
}
