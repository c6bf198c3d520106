package dev.jitaccess;

import static dev.jitaccess.Fixtures.DEPLOYER;
import static dev.jitaccess.Fixtures.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.jitaccess.Fixtures.RecordingAudit;
import dev.jitaccess.internal.ManualClock;
import dev.jitaccess.internal.UntrustedText;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 18 item 7: the audit records of a refused request name what the credential claims, marked
 * unverified ({@code identity=unverified}, {@code claimed_subject}) and passed through the one sanitiser
 * for untrusted text (no control character, at most {@value UntrustedText#MAX_EXCERPT} characters kept);
 * a refused delegation names its parent grant (verified, or claimed) and the delegator.
 */
class RefusalAuditTest {
  static final String AUD = "postgres://orders";

  final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  final RecordingAudit audit = new RecordingAudit();
  final GrantBroker broker = GrantBroker.builder().issuer(ISSUER)
      .identityVerifier(new Fixtures.FakeIdentities())
      .policy(ctx -> ctx.request().resource().equals("postgres://forbidden")
          ? Decision.deny("policy: forbidden resource")
          : new Decision.Allow(GrantTerms.of(ctx.request().actions(), Duration.ofMinutes(10)).withMaxDelegationDepth(2),
              List.of("allow"), List.of(), "v1"))
      .clock(clock).scheduler(clock).auditSink(audit).build();

  @AfterEach
  void close() {
    broker.close();
  }

  /** A compact JWS whose payload is {@code claims} (JSON), signed by nobody: it never verifies. */
  static String unsignedJws(JWTClaimsSet claims) {
    return b64("{\"alg\":\"ES256\",\"kid\":\"k\",\"typ\":\"JWT\"}") + "." + b64(claims.toString()) + ".AAAA";
  }

  static String jwsClaiming(String subject) {
    return unsignedJws(new JWTClaimsSet.Builder().subject(subject).build());
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  GrantRequest request(Credential credential) {
    return GrantRequest.builder().credential(credential).taskId("t-1").purpose("deploy").resource(AUD)
        .actions("read").environment("prod").ttl(Duration.ofMinutes(5)).build();
  }

  /** The REQUESTED and DENIED records of the one refused request so far. */
  List<AuditEvent> refusal() {
    List<AuditEvent> records = List.of(audit.of(AuditEventType.REQUESTED).get(0), audit.of(AuditEventType.DENIED).get(0));
    assertThat(audit.of(AuditEventType.DENIED)).hasSize(1);
    return records;
  }

  static void assertSanitised(String value) {
    assertThat(value.codePoints()).allMatch(UntrustedText::isPrintable);
    assertThat(value.length()).isLessThanOrEqualTo(UntrustedText.MAX_EXCERPT + 2 + 3 + 6 * UntrustedText.MAX_EXCERPT);
  }

  static Stream<Arguments> hostileSubjects() {
    String huge = "spiffe://example.org/" + "a".repeat(10_000);
    return Stream.of(
        Arguments.of("plain", DEPLOYER, DEPLOYER),
        Arguments.of("logfmt injection", "spiffe://example.org/x type=ISSUED grant_id=forged",
            "\"spiffe://example.org/x type=ISSUED grant_id=forged\""),
        Arguments.of("line break and ESC", "spiffe://example.org/x\nINFO audit ISSUED\u001b[2J",
            "\"spiffe://example.org/x\\nINFO audit ISSUED\\u001b[2J\""),
        Arguments.of("bidi override", "spiffe://example.org/\u202egpj.exe", "\"spiffe://example.org/\\u202egpj.exe\""),
        Arguments.of("quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\""),
        Arguments.of("oversize", huge, "\"" + huge.substring(0, UntrustedText.MAX_EXCERPT) + "\"..."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileSubjects")
  void aRefusedRequestRecordsTheClaimedSubjectSanitisedAndMarkedUnverified(String name, String claimed, String expected) {
    assertThatThrownBy(() -> broker.request(request(Credential.jwtSvid(jwsClaiming(claimed)))))
        .isInstanceOf(AccessDeniedException.class);
    for (AuditEvent e : refusal()) {
      assertThat(e.fields()).containsEntry(AuditEvent.IDENTITY, "unverified")
          .containsEntry(AuditEvent.CLAIMED_SUBJECT, expected);
      assertSanitised(e.fields().get(AuditEvent.CLAIMED_SUBJECT));
    }
  }

  static Stream<Arguments> unreadableCredentials() {
    return Stream.of(
        Arguments.of("not a JWS", "junk"),
        Arguments.of("unsecured (alg none)",
            b64("{\"alg\":\"none\"}") + "." + b64("{\"sub\":\"spiffe://example.org/x\"}") + "."),
        Arguments.of("sub not a string", unsignedJws(new JWTClaimsSet.Builder().claim("sub", 42).build())),
        Arguments.of("no sub", unsignedJws(new JWTClaimsSet.Builder().issuer("x").build())),
        Arguments.of("duplicate sub", b64("{\"alg\":\"ES256\"}") + "."
            + b64("{\"sub\":\"spiffe://example.org/a\",\"sub\":\"spiffe://example.org/b\"}") + ".AAAA"),
        Arguments.of("larger than any token the broker reads", jwsClaiming("spiffe://example.org/" + "a".repeat(40_000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableCredentials")
  void aCredentialWithoutAReadableSubjectRecordsNoClaimedSubject(String name, String token) {
    assertThatThrownBy(() -> broker.request(request(Credential.jwtSvid(token)))).isInstanceOf(AccessDeniedException.class);
    for (AuditEvent e : refusal()) {
      assertThat(e.fields()).containsEntry(AuditEvent.IDENTITY, "unverified").doesNotContainKey(AuditEvent.CLAIMED_SUBJECT);
    }
  }

  @Test
  void aVerifiedIdentityRefusedByThePolicyHasNoClaimedSubject() {
    GrantRequest forbidden = GrantRequest.builder().credential(Credential.jwtSvid("id:" + DEPLOYER)).taskId("t")
        .purpose("deploy").resource("postgres://forbidden").actions("read").environment("prod")
        .ttl(Duration.ofMinutes(5)).build();
    assertThatThrownBy(() -> broker.request(forbidden)).isInstanceOf(AccessDeniedException.class);
    for (AuditEvent e : refusal()) {
      assertThat(e.fields()).containsEntry(AuditEvent.IDENTITY, DEPLOYER).doesNotContainKey(AuditEvent.CLAIMED_SUBJECT);
    }
  }

  @Test
  void aCertificateChainNobodyVerifiesRecordsItsLeafsUriSanEscaped() throws Exception {
    String san = "spiffe://example.org/x?type=ISSUED";
    Credential chain = Credential.x509Svid(List.of(DelegationAndBindingTest.selfSigned(1, san)));
    assertThatThrownBy(() -> broker.request(request(chain))).isInstanceOf(AccessDeniedException.class);
    for (AuditEvent e : refusal()) {
      assertThat(e.fields()).containsEntry(AuditEvent.IDENTITY, "unverified")
          .containsEntry(AuditEvent.CLAIMED_SUBJECT, "\"" + san + "\"");
    }
  }

  @Test
  void aCertificateChainWithoutAUriSanRecordsItsSubjectName() throws Exception {
    Credential chain = Credential.x509Svid(List.of(DelegationAndBindingTest.selfSigned(2)));
    assertThatThrownBy(() -> broker.request(request(chain))).isInstanceOf(AccessDeniedException.class);
    assertThat(refusal()).allSatisfy(e -> assertThat(e.fields()).containsEntry(AuditEvent.CLAIMED_SUBJECT, "\"CN=workload\""));
  }

  @Test
  void aUriSanTheJdkCannotParseFallsBackToTheSubjectName() throws Exception {
    Credential chain = Credential.x509Svid(List.of(DelegationAndBindingTest.selfSigned(3, "spiffe://example.org/a b\n")));
    assertThatThrownBy(() -> broker.request(request(chain))).isInstanceOf(AccessDeniedException.class);
    assertThat(refusal()).allSatisfy(e -> assertThat(e.fields()).containsEntry(AuditEvent.CLAIMED_SUBJECT, "\"CN=workload\""));
  }

  // ------------------------------------------------------------------ delegations

  Grant parent() {
    return broker.request(Fixtures.request(DEPLOYER).taskId("t-1").ttl(Duration.ofMinutes(5)).build());
  }

  /** The DENIED record of the one refused delegation so far, and the REQUESTED record written before it. */
  Map<String, String> deniedDelegation() {
    assertThat(audit.of(AuditEventType.DENIED)).hasSize(1);
    List<AuditEvent> requested = audit.of(AuditEventType.REQUESTED);
    Map<String, String> denied = audit.of(AuditEventType.DENIED).get(0).fields();
    Map<String, String> last = requested.get(requested.size() - 1).fields();
    for (String key : List.of(AuditEvent.PARENT_GRANT_ID, AuditEvent.CLAIMED_PARENT_GRANT_ID, AuditEvent.DELEGATOR,
        AuditEvent.CLAIMED_SUBJECT, AuditEvent.IDENTITY)) {
      assertThat(last.get(key)).as(key).isEqualTo(denied.get(key));
    }
    return denied;
  }

  @Test
  void aRefusedDelegationOfAnEndedParentNamesTheParentTheDelegatorAndTheClaimedDelegate() {
    Grant parent = parent();
    broker.revoke(parent.id());
    DelegationRequest d = DelegationRequest.builder(parent)
        .credential(Credential.jwtSvid(jwsClaiming("spiffe://example.org/tool\ntype=ISSUED")))
        .actions("read").ttl(Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
    assertThat(deniedDelegation())
        .containsEntry(AuditEvent.PARENT_GRANT_ID, parent.id())
        .containsEntry(AuditEvent.DELEGATOR, DEPLOYER)
        .containsEntry(AuditEvent.IDENTITY, "unverified")
        .containsEntry(AuditEvent.CLAIMED_SUBJECT, "\"spiffe://example.org/tool\\ntype=ISSUED\"")
        .doesNotContainKey(AuditEvent.CLAIMED_PARENT_GRANT_ID);
  }

  @Test
  void aDelegationRefusedByThePolicyNamesTheParentAndTheVerifiedDelegate() {
    Grant parent = parent();
    DelegationRequest d = DelegationRequest.builder(parent).credential(Credential.jwtSvid("id:spiffe://example.org/tool"))
        .actions("admin").ttl(Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
    assertThat(deniedDelegation())
        .containsEntry(AuditEvent.PARENT_GRANT_ID, parent.id())
        .containsEntry(AuditEvent.DELEGATOR, DEPLOYER)
        .doesNotContainKey(AuditEvent.CLAIMED_SUBJECT);
  }

  @Test
  void aRefusedDelegationFromAnotherBrokersHandleNamesTheClaimedParent() {
    try (GrantBroker other = GrantBroker.builder().issuer(ISSUER).identityVerifier(new Fixtures.FakeIdentities())
        .policy(Fixtures.allowAll(Duration.ofMinutes(10))).clock(clock).scheduler(clock).auditSink(new RecordingAudit())
        .build()) {
      Grant foreign = other.request(Fixtures.request(DEPLOYER).taskId("t-2").ttl(Duration.ofMinutes(5)).build());
      DelegationRequest d = DelegationRequest.builder(foreign).credential(Credential.jwtSvid("id:spiffe://example.org/tool"))
          .actions("read").ttl(Duration.ofMinutes(1)).build();
      assertThatThrownBy(() -> broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
      assertThat(deniedDelegation())
          .containsEntry(AuditEvent.CLAIMED_PARENT_GRANT_ID, foreign.id())
          .containsEntry(AuditEvent.IDENTITY, "unverified")
          .doesNotContainKeys(AuditEvent.PARENT_GRANT_ID, AuditEvent.DELEGATOR);
    }
  }

  @Test
  void aRefusedDelegationFromAForgedParentTokenNamesItsClaimedGrantIdEscaped() {
    String jti = "forged\r\ngrant_id=" + "x".repeat(200);
    String forged = unsignedJws(new JWTClaimsSet.Builder().jwtID(jti).subject(DEPLOYER).build());
    DelegationRequest d = DelegationRequest.fromParentToken(forged)
        .credential(Credential.jwtSvid("id:spiffe://example.org/tool")).actions("read").ttl(Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
    Map<String, String> denied = deniedDelegation();
    assertThat(denied).containsEntry(AuditEvent.CLAIMED_PARENT_GRANT_ID, UntrustedText.excerpt(jti))
        .doesNotContainKeys(AuditEvent.PARENT_GRANT_ID, AuditEvent.DELEGATOR);
    assertSanitised(denied.get(AuditEvent.CLAIMED_PARENT_GRANT_ID));
  }

  @Test
  void aRefusedDelegationFromAnUnreadableParentTokenNamesNoParent() {
    DelegationRequest d = DelegationRequest.fromParentToken("not-a-token")
        .credential(Credential.jwtSvid("id:spiffe://example.org/tool")).actions("read").ttl(Duration.ofMinutes(1)).build();
    assertThatThrownBy(() -> broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
    assertThat(deniedDelegation()).doesNotContainKeys(
        AuditEvent.PARENT_GRANT_ID, AuditEvent.CLAIMED_PARENT_GRANT_ID, AuditEvent.DELEGATOR);
  }
}
