package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.jitaccess.Credential;
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
