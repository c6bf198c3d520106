package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.GrantBroker;
import dev.jitaccess.oauth.HttpRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.oauth.TokenExchange;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.Rule;
import dev.jitaccess.policy.RulePolicy;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.testkit.ManualClock;
import dev.jitaccess.testkit.RecordingAuditSink;
import dev.jitaccess.testkit.TestTrustDomain;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 2 end to end, with the YAML engine's rules: the token endpoint answers RFC 8693
 * {@code invalid_target} when the policy refuses only the requested resource (the same identity, actions
 * and conditions are granted on another resource), {@code invalid_request} for any other refusal; the
 * caller learns nothing more, the audit record keeps the whole explanation.
 */
class InvalidTargetTest {
  static final String CI = "spiffe://example.org/ci/build";
  static final String REPORTS = "https://reports.example.org/q1";
  static final String PAYROLL = "https://payroll.example.org/salaries";

  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final TestTrustDomain domain = TestTrustDomain.create("example.org", clock);
  final RecordingAuditSink audit = new RecordingAuditSink();
  final GrantBroker broker = GrantBroker.builder()
      .issuer("https://jit.example.org")
      .identityVerifier(domain.jwtSvidVerifier("jit"))
      .policy(RulePolicy.of(Policy.builder().name("reports").maxTtl(Duration.ofHours(1))
          .rule(Rule.builder("ci-reads-reports").owner("data").allow().identityIds("spiffe://example.org/ci/*")
              .resources("https://reports.example.org/*").actions("read").environments("prod").build())
          .build()))
      .auditSink(audit)
      .clock(clock)
      .scheduler(clock)
      .build();
  final TokenExchange endpoint = TokenExchange.builder(broker).clock(clock).defaultPurpose("reports")
      .defaultEnvironment("prod").build();

  @AfterEach
  void close() {
    broker.close();
  }

  HttpResponse exchange(String identity, String resource, String scope) {
    return endpoint.exchange(HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE)
        .formParameter("grant_type", TokenExchange.GRANT_TYPE)
        .formParameter("subject_token", domain.jwtSvid(identity, "jit"))
        .formParameter("subject_token_type", TokenExchange.JWT_TYPE)
        .formParameter("resource", resource)
        .formParameter("scope", scope)
        .formParameter(TokenExchange.TASK_ID, "task-1")
        .build());
  }

  @Test
  void theGrantedResourceIsIssued() {
    HttpResponse r = exchange(CI, REPORTS, "read");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void aResourceNoRuleGrantsThisRequestIsInvalidTarget() {
    HttpResponse r = exchange(CI, PAYROLL, "read");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("\"error\":\"invalid_target\"")
        .doesNotContain("ci-reads-reports").doesNotContain("payroll").doesNotContain("reports.example.org");
    assertThat(audit.events(AuditEventType.DENIED)).singleElement().satisfies(e -> {
      assertThat(e.field(AuditEvent.REASON).orElse(""))
          .contains("only the resource is refused: rules [ci-reads-reports]").contains(PAYROLL);
      assertThat(e.field(AuditEvent.CORRELATION_ID)).isPresent();
    });
  }

  @Test
  void anActionNoRuleGrantsIsInvalidRequest() {
    HttpResponse r = exchange(CI, REPORTS, "write");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("\"error\":\"invalid_request\"");
  }

  @Test
  void anIdentityNoRuleNamesIsInvalidRequestEvenOnAnotherResource() {
    HttpResponse r = exchange("spiffe://example.org/web/frontend", PAYROLL, "read");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("\"error\":\"invalid_request\"");
  }
}
