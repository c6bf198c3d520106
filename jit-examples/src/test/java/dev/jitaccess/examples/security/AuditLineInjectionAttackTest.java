package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 14 item 4, through the public API with a real SLF4J backend that prints key-value pairs as
 * {@code key=value} (as slf4j-simple does): caller data in a task id and an unsigned token header copied
 * into a rejection reason cannot add fields to, or forge, an audit line of {@link AuditSink#slf4j()}. The
 * broker's real events are handed to the default sink.
 */
class AuditLineInjectionAttackTest {
  private static final String FORGED_TASK = "build-1 type=REVOKED grant_id=forged";
  /** A quoted logfmt value: the only place where a space, '=' or '"' may stand inside a value. */
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern KEY = Pattern.compile("(?:^| )([A-Za-z0-9_.%-]+)=");

  @Test
  void theDefaultSinkDeliversWhenAnSlf4jBackendIsBound() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(CapturingSlf4jProvider.Factory.class);
    assertThatCode(() -> AuditSink.slf4j().requireDelivering()).doesNotThrowAnyException();
  }

  @Test
  void aTaskIdWithSpacesAndEqualsSignsAddsNoFieldToTheAuditLine() {
    try (Target t = new Target()) {
      t.broker.request(t.request(Credential.jwtSvid(t.svid()), FORGED_TASK).build());
      List<AuditEvent> events = t.audit.events(AuditEventType.ISSUED);
      assertThat(events).singleElement().satisfies(e -> assertThat(e.field(AuditEvent.TASK_ID)).contains(FORGED_TASK));

      String line = logged(events.get(0));
      assertThat(line).contains("task_id=\"" + FORGED_TASK + "\"");
      assertThat(keys(line)).containsExactlyElementsOf(keysOf(events.get(0)));
    }
  }

  @Test
  void anUnsignedHeaderCopiedIntoAReasonStaysInsideItsField() {
    try (Target t = new Target()) {
      String header = Jws.json("alg", "ES256", "kid", Target.EC_KID, "typ", "x\" type=ISSUED grant_id=forged\nINFO audit ISSUED");
      String garbage = Jws.token(header, Jws.json("sub", "nobody"), Jws.es256(t.ec.getPrivate()));
      assertThat(t.broker.verifier().verify(garbage, Target.RESOURCE).isVerified()).isFalse();
      List<AuditEvent> rejected = t.audit.events(AuditEventType.VERIFY_REJECTED);
      assertThat(rejected).isNotEmpty();

      String line = logged(rejected.get(rejected.size() - 1));
      assertThat(line).doesNotContain("\n");
      assertThat(keys(line)).containsExactlyElementsOf(keysOf(rejected.get(rejected.size() - 1)));
    }
  }

  @Test
  void aForgedSvidsClaimedSubjectIsRecordedUnverifiedAndCannotForgeFields() {
    try (Target t = new Target()) {
      String sub = "spiffe://example.org/ci/deploy\" type=ISSUED grant_id=forged\nINFO audit ISSUED \u001b[2J"
          + "x".repeat(500);
      String forged = Jws.token(t.svidHeader(), t.svidClaims(sub), Jws.es256(t.attacker.getPrivate()));
      assertThatThrownBy(() -> t.broker.request(t.request(Credential.jwtSvid(forged), "build-1").build()))
          .isInstanceOf(AccessDeniedException.class);
      AuditEvent denied = t.audit.events(AuditEventType.DENIED).get(0);
      assertThat(denied.fields()).containsEntry(AuditEvent.IDENTITY, "unverified")
          .containsEntry(AuditEvent.CLAIMED_SUBJECT,
              "\"spiffe://example.org/ci/deploy\\\" type=ISSUED grant_id=forged\\nINFO\"...");
      assertThat(denied.fields().get(AuditEvent.CLAIMED_SUBJECT)).hasSizeLessThan(100).doesNotContain("\n", "\u001b");

      String line = logged(denied);
      assertThat(line).doesNotContain("\n").doesNotContain("\u001b");
      assertThat(keys(line)).containsExactlyElementsOf(keysOf(denied));
    }
  }

  @Test
  void aForgedParentTokensClaimedGrantIdIsRecordedEscapedOnTheRefusedDelegation() {
    try (Target t = new Target()) {
      String jti = "g1\" type=DELEGATED grant_id=forged\r\n";
      String forged = Jws.token(Jws.json("alg", "ES256", "kid", "k-1", "typ", "at+jwt"),
          Jws.json("jti", jti, "sub", Target.WORKLOAD, "aud", Target.RESOURCE), Jws.es256(t.attacker.getPrivate()));
      DelegationRequest d = DelegationRequest.fromParentToken(forged).credential(Credential.jwtSvid(t.svid()))
          .actions("read").ttl(java.time.Duration.ofMinutes(1)).build();
      assertThatThrownBy(() -> t.broker.delegate(d)).isInstanceOf(AccessDeniedException.class);
      AuditEvent denied = t.audit.events(AuditEventType.DENIED).get(0);
      assertThat(denied.fields()).containsEntry(AuditEvent.CLAIMED_PARENT_GRANT_ID, "\"g1\\\" type=DELEGATED grant_id=forged\\r\\n\"")
          .doesNotContainKey(AuditEvent.PARENT_GRANT_ID);

      String line = logged(denied);
      assertThat(line).doesNotContain("\n").doesNotContain("\r");
      assertThat(keys(line)).containsExactlyElementsOf(keysOf(denied));
    }
  }

  /** What the default sink prints for {@code event}, through the capturing backend. */
  private static String logged(AuditEvent event) {
    CapturingSlf4jProvider.start();
    AuditSink.slf4j().record(event);
    List<String> lines = CapturingSlf4jProvider.stop();
    assertThat(lines).hasSize(1);
    return lines.get(0);
  }

  /** The keys of a printed line, in order, with every quoted value blanked out first. */
  private static List<String> keys(String line) {
    Matcher m = KEY.matcher(QUOTED.matcher(line).replaceAll("\"\""));
    List<String> keys = new java.util.ArrayList<>();
    while (m.find()) {
      keys.add(m.group(1));
    }
    return keys;
  }

  /** The keys the sink must print: type, at, the event's fields, then the message's grant. */
  private static List<String> keysOf(AuditEvent event) {
    List<String> keys = new java.util.ArrayList<>(List.of("type", "at"));
    keys.addAll(event.fields().keySet());
    if (event.fields().containsKey(AuditEvent.GRANT_ID)) {
      keys.add("grant");
    }
    return keys;
  }
}
