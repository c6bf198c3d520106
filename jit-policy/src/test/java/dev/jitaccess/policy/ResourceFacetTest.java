package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import dev.jitaccess.DenialCategory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 2: a default deny says whether only the requested resource was refused
 * ({@link Decision.Deny.Facet#RESOURCE}, RFC 8693 {@code invalid_target}) or the request itself
 * ({@link Decision.Deny.Facet#REQUEST}: identity, actions, conditions, a deny rule). Each case sends a
 * request that differs from an allowed one in one facet.
 */
class ResourceFacetTest {
  static final String CI = "spiffe://prod.example.org/ci/deploy";
  static final String API = "https://api.example.org";

  static Rule.Builder rule(String id) {
    return Rule.builder(id).owner("team");
  }

  /** ci may read reports (exact resource: the main index files it under the resource). */
  static Rule readReports() {
    return rule("ci-reads-reports").allow().identityIds("spiffe://prod.example.org/ci/*")
        .resources("https://reports.example.org/q1").actions("read").environments("prod").build();
  }

  static Decision.Deny deny(Requests r, Rule... rules) {
    Decision d = RulePolicy.of(Policy.builder().maxTtl(Duration.ofHours(1)).rules(List.of(rules)).build())
        .evaluate(r.context());
    assertThat(d).isInstanceOf(Decision.Deny.class);
    return (Decision.Deny) d;
  }

  @Test
  void anotherResourceOfAnAllowedRequestIsARefusalOfTheResourceAlone() {
    Decision.Deny d = deny(request().id(CI).resource(API).actions("read"), readReports());
    assertThat(d.facet()).isEqualTo(Decision.Deny.Facet.RESOURCE);
    assertThat(d.category()).isEqualTo(DenialCategory.POLICY);
    assertThat(d.reasons()).anyMatch(s -> s.startsWith("only the resource is refused: rules [ci-reads-reports]")
        && s.contains("'" + API + "'"));
  }

  @Test
  void aResourceOutsideAGlobIsFoundThroughThePrefixIndexToo() {
    Rule glob = rule("ci-reads-reports").allow().identityIds(CI).resources("https://reports.example.org/*")
        .actions("read").build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), glob).facet())
        .isEqualTo(Decision.Deny.Facet.RESOURCE);
  }

  @Test
  void aRequireApprovalRuleOnAnotherResourceCountsAsGrantingThere() {
    Rule approval = rule("needs-ok").requireApproval("leads", 1, Duration.ofMinutes(10)).identityIds(CI)
        .resources("https://reports.example.org/q1").actions("read").build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), approval).facet())
        .isEqualTo(Decision.Deny.Facet.RESOURCE);
  }

  @Test
  void anUnknownIdentityIsARefusalOfTheRequest() {
    Decision.Deny d = deny(request().id("spiffe://prod.example.org/web/frontend").resource(API).actions("read"),
        readReports());
    assertThat(d.facet()).isEqualTo(Decision.Deny.Facet.REQUEST);
    assertThat(d.reasons()).noneMatch(s -> s.startsWith("only the resource"));
  }

  @Test
  void anotherActionIsARefusalOfTheRequest() {
    assertThat(deny(request().id(CI).resource(API).actions("write"), readReports()).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void anotherEnvironmentIsARefusalOfTheRequest() {
    assertThat(deny(request().id(CI).resource(API).actions("read").environment("staging"), readReports()).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void aMatchingDenyRuleIsARefusalOfTheRequest() {
    Rule blockApi = rule("no-api").deny().identityIds(CI).resources(API).build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), readReports(), blockApi).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void aShadowRuleOnAnotherResourceGrantsNothingAndSoRefusesTheRequest() {
    Rule shadow = rule("trial").allow().shadow(true).identityIds(CI).resources("https://reports.example.org/q1")
        .actions("read").build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), shadow).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void aDenyRuleOnAnotherResourceDoesNotMakeItARefusalOfTheResource() {
    Rule denyElsewhere = rule("no-reports").deny().identityIds(CI).resources("https://reports.example.org/q1").build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), denyElsewhere).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void aRuleForEveryResourceThatFailsOnAConditionRefusesTheRequest() {
    Rule anyResource = rule("any").allow().identityIds(CI).actions("read").environments("staging").build();
    assertThat(deny(request().id(CI).resource(API).actions("read"), anyResource).facet())
        .isEqualTo(Decision.Deny.Facet.REQUEST);
  }

  @Test
  void theReasonsNameAtMostEightRules() {
    Rule[] rules = new Rule[12];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = rule(String.format("r%02d", i)).allow().identityIds(CI)
          .resources("https://reports.example.org/" + i).actions("read").build();
    }
    Decision.Deny d = deny(request().id(CI).resource(API).actions("read"), rules);
    assertThat(d.facet()).isEqualTo(Decision.Deny.Facet.RESOURCE);
    assertThat(d.reasons()).anyMatch(s -> s.contains("r07] and 4 more") && !s.contains("r08"));
  }
}
