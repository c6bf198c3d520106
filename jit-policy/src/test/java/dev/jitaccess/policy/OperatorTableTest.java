package dev.jitaccess.policy;

import static dev.jitaccess.policy.Requests.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.Decision;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every operator and matcher against values that match, do not match, and cannot be evaluated. Each
 * row is checked twice: on an allow rule (matches only when TRUE) and on a deny rule next to an allow
 * (denies when TRUE or UNKNOWN).
 */
class OperatorTableTest {
  enum R { TRUE, FALSE, UNKNOWN }

  static final String M = "x";

  static Stream<Arguments> attributeRows() {
    AttributeCondition eq = AttributeCondition.equalTo(M, "main");
    AttributeCondition glob = AttributeCondition.glob(M, "release-*");
    AttributeCondition lt = AttributeCondition.compare(M, AttributeCondition.Operator.LT, 50);
    AttributeCondition le = AttributeCondition.compare(M, AttributeCondition.Operator.LE, 50);
    AttributeCondition gt = AttributeCondition.compare(M, AttributeCondition.Operator.GT, 50);
    AttributeCondition ge = AttributeCondition.compare(M, AttributeCondition.Operator.GE, 50);
    AttributeCondition neq = AttributeCondition.compare(M, AttributeCondition.Operator.EQ, 3);
    AttributeCondition is = AttributeCondition.is(M, true);
    AttributeCondition cidr = AttributeCondition.cidr(M, "10.0.0.0/8", "2001:db8::/32");
    AttributeCondition present = AttributeCondition.present(M);
    AttributeCondition absent = AttributeCondition.absent(M);
    return Stream.of(
        Arguments.of(eq, "main", R.TRUE), Arguments.of(eq, "dev", R.FALSE), Arguments.of(eq, 5, R.UNKNOWN),
        Arguments.of(eq, null, R.UNKNOWN),
        Arguments.of(glob, "release-1.2", R.TRUE), Arguments.of(glob, "main", R.FALSE), Arguments.of(glob, true, R.UNKNOWN),
        Arguments.of(lt, 10, R.TRUE), Arguments.of(lt, 50, R.FALSE), Arguments.of(lt, 49.5, R.TRUE),
        Arguments.of(lt, "10", R.UNKNOWN), Arguments.of(lt, Double.NaN, R.UNKNOWN), Arguments.of(lt, null, R.UNKNOWN),
        Arguments.of(le, 50, R.TRUE), Arguments.of(le, 51L, R.FALSE),
        Arguments.of(gt, 51, R.TRUE), Arguments.of(gt, 50, R.FALSE),
        Arguments.of(ge, 50, R.TRUE), Arguments.of(ge, 49.9, R.FALSE), Arguments.of(ge, false, R.UNKNOWN),
        Arguments.of(neq, 3, R.TRUE), Arguments.of(neq, 3.0, R.TRUE), Arguments.of(neq, 4, R.FALSE),
        Arguments.of(is, true, R.TRUE), Arguments.of(is, false, R.FALSE), Arguments.of(is, "true", R.UNKNOWN),
        Arguments.of(cidr, "10.1.2.3", R.TRUE), Arguments.of(cidr, "11.0.0.1", R.FALSE),
        Arguments.of(cidr, "2001:db8::1", R.TRUE), Arguments.of(cidr, "2001:db9::1", R.FALSE),
        Arguments.of(cidr, "::ffff:10.0.0.1", R.TRUE), Arguments.of(cidr, "host.example", R.UNKNOWN),
        Arguments.of(cidr, "010.1.2.3", R.UNKNOWN), Arguments.of(cidr, 10, R.UNKNOWN),
        Arguments.of(present, "v", R.TRUE), Arguments.of(present, null, R.FALSE),
        Arguments.of(absent, null, R.TRUE), Arguments.of(absent, "v", R.FALSE));
  }

  /** Every attribute row, once on a request attribute and once on an identity claim. */
  static Stream<Arguments> attributeAndClaimRows() {
    return attributeRows().flatMap(row -> Stream.of("attribute", "claim").map(on -> {
      Object[] a = row.get();
      return Arguments.of(on, a[0], a[1], a[2]);
    }));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} with {2} -> {3}")
  @MethodSource("attributeAndClaimRows")
  void attributeAndClaimOperators(String on, AttributeCondition c, Object value, R expected) {
    boolean claim = on.equals("claim");
    Requests req = request();
    if (value != null && claim) {
      req.claim(M, value);
    } else if (value != null) {
      req.attribute(M, value);
    }
    check(req, b -> {
      if (claim) {
        b.claim(c);
      } else {
        b.attribute(c);
      }
    }, expected);
  }

  static Stream<Arguments> matcherRows() {
    TimeWindow business = TimeWindow.parse("business", "Europe/Berlin", "MON-FRI", "08:00-18:00");
    TimeWindow night = TimeWindow.parse("night", "Europe/Berlin", "MON", "22:00-06:00");
    return Stream.of(
        row(b -> b.identityIds("spiffe://prod.example.org/ci/*"), r -> r, R.TRUE),
        row(b -> b.identityIds("spiffe://prod.example.org/ci/*"), r -> r.id("spiffe://prod.example.org/ci/a/b"), R.FALSE),
        row(b -> b.identityIds("spiffe://prod.example.org/ci/**"), r -> r.id("spiffe://prod.example.org/ci/a/b"), R.TRUE),
        row(b -> b.identityIds("spiffe://prod.example.org/ci/deploy"), r -> r, R.TRUE),
        row(b -> b.identityIds("spiffe://prod.example.org/ci/deploy"), r -> r.id("spiffe://prod.example.org/ci/deploy2"), R.FALSE),
        row(b -> b.identityIds("spiffe://prod.example.org/ci/*"), r -> r.id("spiffe://prod.example.org.evil/ci/x"), R.FALSE),
        row(b -> b.identityIds("https://gh#repo:example/*"), r -> r.id("https://gh#repo:example/app"), R.TRUE),
        row(b -> b.trustDomains("prod.example.org"), r -> r, R.TRUE),
        row(b -> b.trustDomains("prod.example.org"), r -> r.id("spiffe://dev.example.org/ci/deploy"), R.FALSE),
        row(b -> b.trustDomains("prod.example.org"), r -> r.id("https://gh#x").issuer("https://gh"), R.FALSE),
        row(b -> b.issuers("https://gh"), r -> r.id("https://gh#x").issuer("https://gh"), R.TRUE),
        row(b -> b.issuers("https://gh"), r -> r, R.FALSE),
        row(b -> b.purposes("deploy", "backup"), r -> r, R.TRUE),
        row(b -> b.purposes("backup"), r -> r, R.FALSE),
        row(b -> b.taskIds("task-*"), r -> r, R.TRUE),
        row(b -> b.taskIds("job-?"), r -> r.task("job-12"), R.FALSE),
        row(b -> b.resources("https://api.example.org"), r -> r, R.TRUE),
        row(b -> b.resources("https://*.example.org/*"), r -> r.resource("https://s3.example.org/b"), R.TRUE),
        row(b -> b.resources("https://*.example.org/*"), r -> r.resource("https://example.com/b"), R.FALSE),
        row(b -> b.actions("deploy", "read"), r -> r, R.TRUE),
        row(b -> b.actions("read"), r -> r, R.FALSE),
        row(b -> b.environments("prod"), r -> r, R.TRUE),
        row(b -> b.environments("dev"), r -> r, R.FALSE),
        row(b -> b.within(business), r -> r, R.TRUE),
        row(b -> b.within(business), r -> r.at("2025-03-04T17:00:00Z"), R.FALSE), // 18:00 Berlin, end excluded
        row(b -> b.within(business), r -> r.at("2025-03-08T10:00:00Z"), R.FALSE), // Saturday
        row(b -> b.within(business), r -> r.at("2025-07-01T06:30:00Z"), R.TRUE), // 08:30 CEST
        row(b -> b.outside(business), r -> r.at("2025-03-08T10:00:00Z"), R.TRUE),
        row(b -> b.outside(business), r -> r, R.FALSE),
        row(b -> b.within(night), r -> r.at("2025-03-03T22:30:00Z"), R.TRUE), // Mon 23:30
        row(b -> b.within(night), r -> r.at("2025-03-04T04:00:00Z"), R.TRUE), // Tue 05:00, started Monday
        row(b -> b.within(night), r -> r.at("2025-03-03T04:00:00Z"), R.FALSE), // Mon 05:00, Sunday not in days
        row(b -> b.validFrom(Requests.TUESDAY_10), r -> r, R.TRUE),
        row(b -> b.validFrom(Requests.TUESDAY_10.plusNanos(1)), r -> r, R.FALSE),
        row(b -> b.validUntil(Requests.TUESDAY_10), r -> r, R.FALSE),
        row(b -> b.validUntil(Requests.TUESDAY_10.plusNanos(1)), r -> r, R.TRUE),
        row(b -> b.risk(AttributeCondition.Operator.GE, 70), r -> r.attribute("risk", 70), R.TRUE),
        row(b -> b.risk(AttributeCondition.Operator.GE, 70), r -> r.attribute("risk", 69.99), R.FALSE),
        row(b -> b.risk(AttributeCondition.Operator.GE, 70), r -> r, R.UNKNOWN));
  }

  interface RuleSetup {
    void apply(Rule.Builder b);
  }

  interface RequestSetup {
    Requests apply(Requests r);
  }

  static Arguments row(RuleSetup rule, RequestSetup req, R expected) {
    return Arguments.of(rule, req, expected);
  }

  @ParameterizedTest(name = "[{index}] -> {2}")
  @MethodSource("matcherRows")
  void matchers(RuleSetup rule, RequestSetup req, R expected) {
    check(req.apply(request()), rule, expected);
  }

  private static void check(Requests req, RuleSetup condition, R expected) {
    Rule.Builder allow = Rule.builder("allow-under-test").owner("t").allow();
    condition.apply(allow);
    Decision onAllow = evaluate(req, allow.build());
    assertThat(onAllow.isAllowed()).as("allow rule, reasons %s", onAllow.reasons()).isEqualTo(expected == R.TRUE);

    Rule.Builder deny = Rule.builder("deny-under-test").owner("t").deny();
    condition.apply(deny);
    Decision onDeny = evaluate(req, deny.build(), Rule.builder("base").owner("t").allow().build());
    assertThat(onDeny.isAllowed()).as("deny rule, reasons %s", onDeny.reasons()).isEqualTo(expected == R.FALSE);
    if (expected == R.UNKNOWN) {
      assertThat(onDeny.reasons().get(0)).contains("could not evaluate").contains("a deny rule applies when in doubt");
    }
  }

  private static Decision evaluate(Requests req, Rule... rules) {
    Policy p = Policy.builder().maxTtl(Duration.ofHours(1)).rules(Arrays.asList(rules)).build();
    return RulePolicy.of(p).evaluate(req.context());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("yamlOperatorRows")
  void yamlOperatorSyntax(String yaml, AttributeCondition expected) {
    String doc = "version: 1\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: allow\n    match:\n"
        + "      attributes:\n        x: " + yaml + "\n";
    Policy p = Policy.parse("ops.yaml", doc).orElseThrow();
    assertThat(p.rules().get(0).attributes).containsExactly(expected);
  }

  static Stream<Arguments> yamlOperatorRows() {
    return Stream.of(
        Arguments.of("main", AttributeCondition.equalTo(M, "main")),
        Arguments.of("true", AttributeCondition.is(M, true)),
        Arguments.of("3", AttributeCondition.compare(M, AttributeCondition.Operator.EQ, 3)),
        Arguments.of("{equals: main}", AttributeCondition.equalTo(M, "main")),
        Arguments.of("{glob: 'r-*'}", AttributeCondition.glob(M, "r-*")),
        Arguments.of("{lt: 1}", AttributeCondition.compare(M, AttributeCondition.Operator.LT, 1)),
        Arguments.of("{le: 1}", AttributeCondition.compare(M, AttributeCondition.Operator.LE, 1)),
        Arguments.of("{gt: 1.5}", AttributeCondition.compare(M, AttributeCondition.Operator.GT, 1.5)),
        Arguments.of("{ge: 1}", AttributeCondition.compare(M, AttributeCondition.Operator.GE, 1)),
        Arguments.of("{eq: 1}", AttributeCondition.compare(M, AttributeCondition.Operator.EQ, 1)),
        Arguments.of("{is: false}", AttributeCondition.is(M, false)),
        Arguments.of("{cidr: [10.0.0.0/8]}", AttributeCondition.cidr(M, "10.0.0.0/8")),
        Arguments.of("{present: true}", AttributeCondition.present(M)),
        Arguments.of("{present: false}", AttributeCondition.absent(M)));
  }

  @org.junit.jupiter.api.Test
  void severalOperatorsOnOneAttributeAllHold() {
    String doc = "version: 1\nmaxTtl: 1h\nrules:\n  - id: r\n    owner: o\n    effect: allow\n    match:\n"
        + "      risk: {ge: 10, lt: 20}\n";
    RulePolicy p = RulePolicy.of(Policy.parse("ops.yaml", doc).orElseThrow());
    assertThat(p.evaluate(request().attribute("risk", 15).context()).isAllowed()).isTrue();
    assertThat(p.evaluate(request().attribute("risk", 20).context()).isAllowed()).isFalse();
    assertThat(p.evaluate(request().attribute("risk", 5).context()).isAllowed()).isFalse();
    assertThat(List.of(p.policy().rules().get(0).attributes.size())).containsExactly(2);
  }
}
