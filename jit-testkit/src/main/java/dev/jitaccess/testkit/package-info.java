/**
 * jit-testkit: an in-memory broker for test suites, ready in one line ({@link
 * dev.jitaccess.testkit.JitTestKit#create()}), driven by a {@link dev.jitaccess.testkit.ManualClock} so
 * expiry callbacks fire deterministically when the test advances time; a throwaway SPIFFE trust domain
 * ({@link dev.jitaccess.testkit.TestTrustDomain}) and OIDC issuer ({@link
 * dev.jitaccess.testkit.TestOidcIssuer}) that mint real credentials the real verifiers check; a recording
 * audit sink and listener; a JUnit 5 extension ({@link dev.jitaccess.testkit.JitTestKitExtension}); and
 * contract tests for plug-in authors ({@link dev.jitaccess.testkit.IdentityVerifierContract}, {@link
 * dev.jitaccess.testkit.GrantStoreContract}, {@link dev.jitaccess.testkit.AuditSinkContract}, {@link
 * dev.jitaccess.testkit.ApprovalHandlerContract}).
 *
 * <p>This artifact belongs in your <b>test</b> scope: it holds throwaway private keys in memory, and it
 * brings JUnit Jupiter's API with it at compile scope. Never use it to run a production broker.
 */
@NullMarked
package dev.jitaccess.testkit;

import org.jspecify.annotations.NullMarked;
