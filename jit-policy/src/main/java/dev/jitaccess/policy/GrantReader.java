package dev.jitaccess.policy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads a rule's {@code grant} block: the terms of the grants it allows, within the policy ceiling. */
final class GrantReader {
  private static final Set<String> GRANT =
      Set.of("maxTtl", "idleTimeout", "singleUse", "renewable", "actions", "maxDelegationDepth", "sharedTask",
          "capAtCredentialExpiry");

  private final ValueReader v;
  private final YamlTree y;

  GrantReader(ValueReader v) {
    this.v = v;
    this.y = v.y;
  }

  /** Reads the block into the builder; {@code where} names the rule, {@code ceiling} is the policy's maxTtl. */
  void read(Node node, Rule.Builder b, String where, @Nullable Duration ceiling) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": grant", GRANT);
    if (m == null) {
      return;
    }
    Duration ttl = null;
    if (m.containsKey("maxTtl")) {
      Node n = m.get("maxTtl").value();
      ttl = y.duration(n, where + ": maxTtl");
      if (ttl != null && ceiling != null && ttl.compareTo(ceiling) > 0) {
        y.error(n, where + ": maxTtl " + Durations.format(ttl) + " is above the policy ceiling maxTtl "
            + Durations.format(ceiling));
      } else if (ttl != null) {
        Duration t = ttl;
        v.apply(n, where, () -> b.maxTtl(t));
      }
    }
    if (m.containsKey("idleTimeout")) {
      idleTimeout(m.get("idleTimeout").value(), b, where, ttl != null ? ttl : ceiling);
    }
    Boolean single = null;
    if (m.containsKey("singleUse")) {
      single = y.bool(m.get("singleUse").value(), where + ": singleUse");
      if (single != null) {
        b.singleUse(single);
      }
    }
    if (m.containsKey("renewable")) {
      Node n = m.get("renewable").value();
      Boolean r = y.bool(n, where + ": renewable");
      if (r != null && r && Boolean.TRUE.equals(single)) {
        y.error(n, where + ": a grant cannot be both single-use and renewable");
      } else if (r != null) {
        b.renewable(r);
      }
    }
    if (m.containsKey("actions")) {
      v.strs(m.get("actions").value(), where, "grant actions", null, b::grantActions);
    }
    if (m.containsKey("maxDelegationDepth")) {
      Integer d = y.integer(m.get("maxDelegationDepth").value(), where + ": maxDelegationDepth", 0, 10);
      if (d != null) {
        b.maxDelegationDepth(d);
      }
    }
    v.flag(m, "sharedTask", where, b::sharedTask);
    if (m.containsKey("capAtCredentialExpiry")) {
      capAtCredentialExpiry(m.get("capAtCredentialExpiry").value(), b, where);
    }
  }

  private void idleTimeout(Node n, Rule.Builder b, String where, @Nullable Duration limit) {
    Duration idle = y.duration(n, where + ": idleTimeout");
    if (idle != null && limit != null && idle.compareTo(limit) > 0) {
      y.error(n, where + ": idleTimeout " + Durations.format(idle) + " is above the grant's maxTtl "
          + Durations.format(limit));
    } else if (idle != null) {
      v.apply(n, where, () -> b.idleTimeout(idle));
    }
  }

  private void capAtCredentialExpiry(Node n, Rule.Builder b, String where) {
    Duration grace = y.duration(n, where + ": capAtCredentialExpiry");
    if (grace != null && grace.compareTo(Duration.ofDays(1)) > 0) {
      y.error(n, where + ": capAtCredentialExpiry " + Durations.format(grace) + " is above 1 day");
    } else if (grace != null) {
      v.apply(n, where, () -> b.capAtCredentialExpiry(grace));
    }
  }
}
