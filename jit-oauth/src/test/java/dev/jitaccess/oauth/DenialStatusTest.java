package dev.jitaccess.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.jitaccess.Decision;
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

  @Test
  void aMissingFacetIsRefused() {
    assertThatNullPointerException().isThrownBy(() -> DenialStatus.of(DenialCategory.POLICY, null, false))
        .withMessage("facet");
  }

  /** A refusal of the resource alone is RFC 8693's invalid_target; the rest of the table is unchanged. */
  @ParameterizedTest
  @EnumSource(DenialCategory.class)
  void eachCategoryRefusingTheRequestAsAWholeIsTheTablesRow(DenialCategory category) {
    assertThat(DenialStatus.of(category, Decision.Deny.Facet.REQUEST, false)).isEqualTo(WITHOUT_FAULT.get(category));
  }

  @Test
  void aPolicyRefusingOnlyTheResourceIsInvalidTarget() {
    assertThat(DenialStatus.of(DenialCategory.POLICY, Decision.Deny.Facet.RESOURCE, false))
        .isEqualTo(new DenialStatus(400, "invalid_target"));
  }

  @Test
  void aFaultIsAServerErrorWhateverTheFacet() {
    assertThat(DenialStatus.of(DenialCategory.POLICY, Decision.Deny.Facet.RESOURCE, true))
        .isEqualTo(new DenialStatus(500, "server_error"));
  }

  /** End to end: the fixture's policy refuses only the resource under REFUSED_RESOURCE. */
  @Test
  void aRefusedResourceIsAnswered400InvalidTargetWithoutItsReasons() {
    try (ExchangeFixture f = new ExchangeFixture()) {
      OAuthClient client = new OAuthClient(f);
      String other = ExchangeFixture.REFUSED_RESOURCE + "salaries";
      HTTPResponse refused = client.send(client.direct(f.identity(ExchangeFixture.DEPLOYER), "read", "task-t")
          .resources(java.net.URI.create(other)).build());
      assertThat(refused.getStatusCode()).isEqualTo(400);
      ErrorObject error = OAuthClient.error(refused);
      assertThat(error.getCode()).isEqualTo("invalid_target");
      assertThat(error.getDescription()).startsWith("denied: no grant is issued for this resource or audience")
          .contains("correlation id").doesNotContain("allow-example").doesNotContain("payroll");
      assertThat(f.audit).filteredOn(e -> e.type() == dev.jitaccess.spi.AuditEventType.DENIED).singleElement()
          .satisfies(e -> assertThat(e.field(dev.jitaccess.spi.AuditEvent.REASON).orElse(""))
              .contains("rule allow-example covers " + ExchangeFixture.RESOURCE + ", not " + other));
    }
  }

  /** The same identity and actions on the resource the policy names are granted: only the target differed. */
  @Test
  void theSameRequestOnTheGrantedResourceIsIssued() {
    try (ExchangeFixture f = new ExchangeFixture()) {
      OAuthClient client = new OAuthClient(f);
      assertThat(client.send(client.direct(f.identity(ExchangeFixture.DEPLOYER), "read", "task-t").build())
          .getStatusCode()).isEqualTo(200);
    }
  }
}
