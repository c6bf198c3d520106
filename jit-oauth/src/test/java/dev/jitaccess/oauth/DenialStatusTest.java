package dev.jitaccess.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.jitaccess.DenialCategory;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 2: the token endpoint's status and OAuth error for every {@link DenialCategory}, with and
 * without a fault (a cause), from the one table ({@link DenialStatus}); a new category fails here until it
 * is given a row.
 */
class DenialStatusTest {
  /** category -> (status, error) without a fault. */
  static final Map<DenialCategory, DenialStatus> WITHOUT_FAULT = Map.of(
      DenialCategory.IDENTITY, new DenialStatus(400, "invalid_request"),
      DenialCategory.POLICY, new DenialStatus(400, "invalid_request"),
      DenialCategory.QUOTA, new DenialStatus(429, "invalid_request"),
      DenialCategory.APPROVAL, new DenialStatus(400, "invalid_request"),
      DenialCategory.UNAVAILABLE, new DenialStatus(503, "temporarily_unavailable"),
      DenialCategory.INVALID_REQUEST, new DenialStatus(400, "invalid_request"));

  @Test
  void theTableHasARowForEveryCategory() {
    assertThat(WITHOUT_FAULT.keySet()).isEqualTo(EnumSet.allOf(DenialCategory.class));
  }

  @ParameterizedTest
  @EnumSource(DenialCategory.class)
  void eachCategoryWithoutAFault(DenialCategory category) {
    assertThat(DenialStatus.of(category, false)).isEqualTo(WITHOUT_FAULT.get(category));
  }

  @ParameterizedTest
  @EnumSource(DenialCategory.class)
  void aFaultIsAServerErrorUnlessTheComponentIsUnavailable(DenialCategory category) {
    DenialStatus expected = category == DenialCategory.UNAVAILABLE
        ? new DenialStatus(503, "temporarily_unavailable") : new DenialStatus(500, "server_error");
    assertThat(DenialStatus.of(category, true)).isEqualTo(expected);
  }

  /** End to end: the fixture's broker allows 100 live grants per task; the 101st exchange is a QUOTA. */
  @Test
  void aQuotaOfLiveGrantsIsAnswered429WithoutItsReasons() {
    try (ExchangeFixture f = new ExchangeFixture()) {
      OAuthClient client = new OAuthClient(f);
      for (int i = 0; i < 100; i++) {
        assertThat(client.send(client.direct(f.identity(ExchangeFixture.DEPLOYER), "read", "task-q").build())
            .getStatusCode()).isEqualTo(200);
      }
      HTTPResponse refused = client.send(client.direct(f.identity(ExchangeFixture.DEPLOYER), "read", "task-q").build());
      assertThat(refused.getStatusCode()).isEqualTo(429);
      ErrorObject error = OAuthClient.error(refused);
      assertThat(error.getCode()).isEqualTo("invalid_request");
      assertThat(error.getDescription()).startsWith("denied: too many live grants").contains("correlation id")
          .doesNotContain("task-q");
    }
  }

  @Test
  void aMissingCategoryIsRefused() {
    assertThatNullPointerException().isThrownBy(() -> DenialStatus.of(null, false)).withMessage("category");
  }
}
