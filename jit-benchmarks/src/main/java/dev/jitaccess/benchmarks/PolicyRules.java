package dev.jitaccess.benchmarks;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.policy.Rule;
import dev.jitaccess.spi.PolicyContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;
import org.casbin.jcasbin.persist.file_adapter.FileAdapter;

/**
 * One generated rule set (issue 7, item 4) in two equivalent forms: a jit-policy {@link Policy} and a
 * jCasbin enforcer, plus requests on which both must give the same answer.
 *
 * <p>A rule is (effect, subject, environment, resource, action); the jCasbin model is ACL with an
 * environment domain and deny:
 *
 * <pre>
 * r = sub, dom, obj, act          p = sub, dom, obj, act, eft
 * e = some(where (p.eft == allow)) &amp;&amp; !some(where (p.eft == deny))
 * m = keyMatch(r.sub, p.sub) &amp;&amp; r.dom == p.dom &amp;&amp; keyMatch(r.obj, p.obj) &amp;&amp; r.act == p.act
 * </pre>
 *
 * <ul>
 *   <li>{@link Shape#INDEXED}, the realistic mix: workloads {@code spiffe://tdK.example.org/svc/sK} spread
 *       over 10 trust domains ({@code n/4} workloads), {@code n/2} resources, 3 environments, 4 actions;
 *       80% allow rules for one exact workload, 10% allow rules for a whole trust domain
 *       ({@code trustDomains(...)} / {@code keyMatch} on {@code spiffe://tdK.example.org/*}), 10% deny
 *       rules. Every rule has an exact resource, so jit-policy indexes each one by resource or workload.
 *   <li>{@link Shape#WORST}: every rule in one trust domain, environment and action, with a SPIFFE ID
 *       pattern ({@code .../svc/sK/*}) and a resource glob ({@code https://rJ.example.org/*}): nothing is
 *       indexable but the trust domain, which all rules share, so jit-policy scans every rule.
 * </ul>
 */
public final class PolicyRules {
  /** The rule-set shape. */
  public enum Shape {
    /** A realistic mix that jit-policy's indexes spread over small buckets. */
    INDEXED,
    /** Every rule in one index bucket. */
    WORST
  }

  /** The jCasbin model text. */
  static final String CASBIN_MODEL = String.join("\n",
      "[request_definition]",
      "r = sub, dom, obj, act",
      "[policy_definition]",
      "p = sub, dom, obj, act, eft",
      "[policy_effect]",
      "e = some(where (p.eft == allow)) && !some(where (p.eft == deny))",
      "[matchers]",
      "m = keyMatch(r.sub, p.sub) && r.dom == p.dom && keyMatch(r.obj, p.obj) && r.act == p.act",
      "");

  private static final String[] ENVIRONMENTS = {"dev", "staging", "prod"};
  private static final String[] ACTIONS = {"read", "write", "admin", "deploy"};
  private static final int TRUST_DOMAINS = 10;
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** One rule in neutral form. */
  record Tuple(String id, boolean deny, String subject, boolean trustDomainWide, String trustDomain,
      String environment, String resource, String action) {}

  /** One request in neutral form. */
  record Req(String identity, String environment, String resource, String action) {}

  final int size;
  final Shape shape;
  final List<Tuple> tuples;
  final List<Req> requests;

  private PolicyRules(int size, Shape shape, List<Tuple> tuples, List<Req> requests) {
    this.size = size;
    this.shape = shape;
    this.tuples = tuples;
    this.requests = requests;
  }

  /** {@code n} rules of {@code shape} and {@code requestCount} requests, each aimed at a random rule. */
  static PolicyRules generate(int n, Shape shape, int requestCount, long seed) {
    Random rnd = new Random(seed);
    List<Tuple> tuples = new ArrayList<>(n);
    int workloads = Math.max(3, n / 4);
    int resources = Math.max(5, n / 2);
    for (int i = 0; i < n; i++) {
      String id = String.format(Locale.ROOT, "r%06d", i);
      boolean deny = rnd.nextInt(10) == 0;
      if (shape == Shape.INDEXED) {
        int w = rnd.nextInt(workloads);
        String td = "td" + (w % TRUST_DOMAINS) + ".example.org";
        boolean tdWide = !deny && rnd.nextInt(9) == 0;
        String subject = tdWide ? "spiffe://" + td + "/*" : "spiffe://" + td + "/svc/s" + w;
        tuples.add(new Tuple(id, deny, subject, tdWide, td, ENVIRONMENTS[rnd.nextInt(ENVIRONMENTS.length)],
            "https://r" + rnd.nextInt(resources) + ".example.org", ACTIONS[rnd.nextInt(ACTIONS.length)]));
      } else {
        tuples.add(new Tuple(id, deny, "spiffe://td0.example.org/svc/s" + i + "/*", false, "td0.example.org",
            "prod", "https://r" + i + ".example.org/*", "read"));
      }
    }
    List<Req> requests = new ArrayList<>(requestCount);
    for (int k = 0; k < requestCount; k++) {
      Tuple t = tuples.get(rnd.nextInt(n));
      String identity = t.trustDomainWide() ? "spiffe://" + t.trustDomain() + "/svc/new" + k
          : t.subject().endsWith("/*") ? t.subject().substring(0, t.subject().length() - 1) + "job" : t.subject();
      String resource = t.resource().endsWith("/*") ? t.resource().substring(0, t.resource().length() - 1) + "db"
          : t.resource();
      requests.add(new Req(identity, t.environment(), resource, t.action()));
    }
    return new PolicyRules(n, shape, List.copyOf(tuples), List.copyOf(requests));
  }

  /** The rules as a jit-policy document built with {@link Policy#builder()}. */
  Policy policy() {
    Policy.Builder p = Policy.builder().name("bench-" + shape.name().toLowerCase(Locale.ROOT) + "-" + size)
        .maxTtl(Duration.ofHours(1));
    for (Tuple t : tuples) {
      Rule.Builder r = Rule.builder(t.id()).owner("bench");
      if (t.deny()) {
        r.deny();
      } else {
        r.allow();
      }
      if (t.trustDomainWide()) {
        r.trustDomains(t.trustDomain());
      } else {
        r.identityIds(t.subject());
      }
      p.rule(r.environments(t.environment()).resources(t.resource()).actions(t.action()).build());
    }
    return p.build();
  }

  /** A jCasbin enforcer over the same rules (loaded through its file adapter from a temporary CSV). */
  Enforcer casbin() {
    try {
      Path csv = Files.createTempFile("jcasbin-policy", ".csv");
      try {
        StringBuilder sb = new StringBuilder();
        for (Tuple t : tuples) {
          sb.append("p, ").append(t.subject()).append(", ").append(t.environment()).append(", ")
              .append(t.resource()).append(", ").append(t.action()).append(", ")
              .append(t.deny() ? "deny" : "allow").append('\n');
        }
        Files.writeString(csv, sb);
        return new Enforcer(Model.newModelFromString(CASBIN_MODEL), new FileAdapter(csv.toString()));
      } finally {
        Files.deleteIfExists(csv);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The requests as jit-policy contexts (precomputed: the benchmark times the decision only). */
  List<PolicyContext> contexts() {
    List<PolicyContext> out = new ArrayList<>();
    Credential credential = Credential.jwtSvid("unused.by.policy");
    for (Req q : requests) {
      String td = q.identity().substring("spiffe://".length(), q.identity().indexOf('/', "spiffe://".length()));
      WorkloadIdentity identity = WorkloadIdentity.builder(q.identity(), "spiffe://" + td)
          .kind("jwt-svid").expiresAt(NOW.plus(Duration.ofHours(1))).attribute("trust_domain", td).build();
      GrantRequest request = GrantRequest.builder()
          .credential(credential)
          .taskId("task-1")
          .purpose("deploy")
          .resource(q.resource())
          .actions(Set.of(q.action()))
          .environment(q.environment())
          .ttl(Duration.ofMinutes(15))
          .build();
      out.add(new PolicyContext(identity, request, NOW));
    }
    return out;
  }

  /** The requests as jCasbin argument arrays. */
  List<Object[]> casbinRequests() {
    List<Object[]> out = new ArrayList<>();
    for (Req q : requests) {
      out.add(new Object[] {q.identity(), q.environment(), q.resource(), q.action()});
    }
    return out;
  }
}
