package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.INTRUDER;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18 item 3: what a refused caller learns. By default a generic description and a correlation id that
 * the broker's audit record of the denial also carries; the policy's reasons only with the explicit
 * development option.
 */
class DenialDescriptionTest {
  private static final Pattern CORRELATION = Pattern.compile("correlation id ([A-Za-z0-9_-]{16})\\)");
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture();
  private final OAuthClient client = f.client();

  @Test
  void aPolicyDenialIsGenericByDefaultAndCorrelatedWithTheAuditRecord() {
    HTTPResponse response = client.send(client.direct(f.identity(INTRUDER), "read", "task-deny").build());
    ErrorObject error = OAuthClient.error(response);
    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(error.getCode()).isEqualTo("invalid_request");
    assertThat(error.getDescription()).startsWith("denied: the request was refused")
        .doesNotContain("deny-intruder").doesNotContain("blocked").doesNotContain(INTRUDER);
    Matcher m = CORRELATION.matcher(error.getDescription());
    assertThat(m.find()).as(error.getDescription()).isTrue();
    String id = m.group(1);

    assertThat(f.audit).filteredOn(e -> e.type() == AuditEventType.DENIED).singleElement().satisfies(e -> {
      assertThat(e.field(AuditEvent.CORRELATION_ID)).contains(id);
      assertThat(e.field(AuditEvent.REASON).orElse("")).contains("deny-intruder");
    });
  }

  @Test
  void anIdentityRejectionIsGenericByDefault() {
    String expired = ExchangeFixture.mint(f.idpKey, ExchangeFixture.IDP, ExchangeFixture.DEPLOYER,
        f.clock.instant().minusSeconds(1));
    ErrorObject error = OAuthClient.error(client.send(client.direct(expired, "read", "t").build()));
    assertThat(error.getDescription()).startsWith("denied: the request was refused").doesNotContain("expired");
  }

  @Test
  void everyRefusalHasItsOwnCorrelationId() {
    String a = OAuthClient.error(client.send(client.direct(f.identity(INTRUDER), "read", "t-1").build())).getDescription();
    String b = OAuthClient.error(client.send(client.direct(f.identity(INTRUDER), "read", "t-2").build())).getDescription();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void theDevelopmentOptionIsSetOnce() {
    TokenExchange.Builder b = TokenExchange.builder(f.broker).denialDetails(false);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.denialDetails(true))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("denialDetails");
  }

  @Test
  void theDevelopmentOptionExposesTheReasons() {
    try (ExchangeFixture dev = new ExchangeFixture(b -> b.denialDetails(true))) {
      ErrorObject error = OAuthClient.error(new OAuthClient(dev).send(
          new OAuthClient(dev).direct(dev.identity(INTRUDER), "read", "t").build()));
      assertThat(error.getDescription()).contains("deny-intruder").contains("correlation id");
    }
  }
}
