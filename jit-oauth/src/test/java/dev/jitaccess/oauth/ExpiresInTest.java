package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 18 item 8: {@code expires_in} is the granted TTL, however long signing and the response take. */
class ExpiresInTest {
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture();

  /** A clock that moves one millisecond each time it is read, as a real one moves while a grant is signed. */
  private Clock ticking() {
    return new Clock() {
      private long reads;

      @Override
      public synchronized Instant instant() {
        return f.clock.instant().plusMillis(++reads);
      }

      @Override
      public ZoneId getZone() {
        return ZoneId.of("UTC");
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  @Test
  void expiresInEqualsTheGrantedTtl() throws Exception {
    TokenExchange x = TokenExchange.builder(f.broker).clock(ticking()).defaultPurpose("deploy")
        .defaultEnvironment("prod").build();
    HttpResponse r = x.exchange(HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE)
        .formParameter("grant_type", TokenExchange.GRANT_TYPE)
        .formParameter("subject_token", f.identity(DEPLOYER))
        .formParameter("subject_token_type", TokenExchange.JWT_TYPE)
        .formParameter("scope", "read")
        .formParameter("resource", RESOURCE)
        .formParameter("task_id", "task-ttl")
        .formParameter("requested_ttl", "300")
        .build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<String, Object> body = JSONObjectUtils.parse(r.body());
    assertThat(((Number) body.get("expires_in")).longValue()).isEqualTo(Duration.ofMinutes(5).toSeconds());
  }
}
