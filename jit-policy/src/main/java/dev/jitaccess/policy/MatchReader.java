package dev.jitaccess.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads a rule's {@code match} block: identity, request fields, time and attribute conditions. */
final class MatchReader {
  private static final Set<String> MATCH = Set.of("identity", "purpose", "task", "resource", "actions",
      "environment", "time", "attributes", "risk");
  private static final Set<String> IDENTITY = Set.of("id", "trustDomain", "issuer", "claims");
  private static final Set<String> TIME = Set.of("within", "outside", "from", "until");

  private final ValueReader v;
  private final YamlTree y;
  private final TimeWindowReader windows;
  private final ConditionReader conditions;

  MatchReader(ValueReader v) {
    this.v = v;
    this.y = v.y;
    this.windows = new TimeWindowReader(v);
    this.conditions = new ConditionReader(v);
  }

  /** Reads the block into the builder; {@code where} names the rule. */
  void read(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": match", MATCH);
    if (m == null) {
      return;
    }
    if (m.containsKey("identity")) {
      identity(m.get("identity").value(), b, where);
    }
    if (m.containsKey("purpose")) {
      v.strs(m.get("purpose").value(), where, "purpose", null, b::purposes);
    }
    if (m.containsKey("task")) {
      v.strs(m.get("task").value(), where, "task", v.glob(where + ": task"), b::taskIds);
    }
    if (m.containsKey("resource")) {
      v.strs(m.get("resource").value(), where, "resource", v.glob(where + ": resource"), b::resources);
    }
    if (m.containsKey("actions")) {
      v.strs(m.get("actions").value(), where, "actions", null, b::actions);
    }
    if (m.containsKey("environment")) {
      v.strs(m.get("environment").value(), where, "environment", null, b::environments);
    }
    if (m.containsKey("time")) {
      time(m.get("time").value(), b, where);
    }
    if (m.containsKey("attributes")) {
      conditions.conditions(m.get("attributes").value(), where + ": attributes", b::attribute);
    }
    if (m.containsKey("risk")) {
      List<AttributeCondition> risk = conditions.condition("risk", m.get("risk").value(), where + ": risk", true);
      if (risk != null) {
        risk.forEach(b::attribute);
      }
    }
  }

  private void identity(Node in, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> id = y.mapping(in, where + ": identity", IDENTITY);
    if (id == null) {
      return;
    }
    if (id.isEmpty()) {
      y.error(in, where + ": identity: expected at least one of " + new TreeSet<>(IDENTITY));
    }
    if (id.containsKey("id")) {
      v.strs(id.get("id").value(), where, "identity id", v.identityPattern(where + ": identity id"), b::identityIds);
    }
    if (id.containsKey("trustDomain")) {
      v.strs(id.get("trustDomain").value(), where, "trustDomain", (td, n) -> RuleArguments.checkTrustDomain(td),
          b::trustDomains);
    }
    if (id.containsKey("issuer")) {
      v.strs(id.get("issuer").value(), where, "issuer", null, b::issuers);
    }
    if (id.containsKey("claims")) {
      conditions.conditions(id.get("claims").value(), where + ": claims", b::claim);
    }
  }

  private void time(Node node, Rule.Builder b, String where) {
    Map<String, YamlTree.Entry> m = y.mapping(node, where + ": time", TIME);
    if (m == null) {
      return;
    }
    if (m.containsKey("within")) {
      Node wn = m.get("within").value();
      List<TimeWindow> ws = windows.refs(wn, where + ": within");
      if (ws != null) {
        v.apply(wn, where, () -> b.within(ws.toArray(new TimeWindow[0])));
      }
    }
    if (m.containsKey("outside")) {
      Node on = m.get("outside").value();
      List<TimeWindow> ws = windows.refs(on, where + ": outside");
      if (ws != null) {
        v.apply(on, where, () -> b.outside(ws.toArray(new TimeWindow[0])));
      }
    }
    Instant from = null;
    if (m.containsKey("from")) {
      Node fn = m.get("from").value();
      Instant f = y.instant(fn, where + ": from");
      if (f != null) {
        from = f;
        v.apply(fn, where, () -> b.validFrom(f));
      }
    }
    if (m.containsKey("until")) {
      until(m.get("until").value(), b, where, from);
    }
  }

  private void until(Node un, Rule.Builder b, String where, @Nullable Instant from) {
    Instant u = y.instant(un, where + ": until");
    if (u != null) {
      if (from != null && !from.isBefore(u)) {
        y.error(un, where + ": until " + u + " must be after from " + from);
      } else {
        v.apply(un, where, () -> b.validUntil(u));
      }
    }
  }
}
