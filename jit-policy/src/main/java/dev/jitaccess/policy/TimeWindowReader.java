package dev.jitaccess.policy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeType;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads time windows: the named ones under {@code timeWindows}, and references or inline windows in a rule. */
final class TimeWindowReader {
  private static final Set<String> WINDOW = Set.of("zone", "days", "hours");

  private final ValueReader v;
  private final YamlTree y;

  TimeWindowReader(ValueReader v) {
    this.v = v;
    this.y = v.y;
  }

  /** Reads the {@code timeWindows} mapping into the shared named windows. */
  void named(Node node) {
    Map<String, YamlTree.Entry> ws = y.mapping(node, "timeWindows", null);
    if (ws != null) {
      ws.forEach((name, e) -> {
        TimeWindow w = window(name, e.value(), "time window '" + name + "'");
        if (w != null) {
          v.windows.put(name, w);
        }
      });
    }
  }

  /** A window name, an inline window, or a list of them; errors start with {@code what}. */
  @Nullable List<TimeWindow> refs(Node node, String what) {
    List<Node> items = node instanceof ScalarNode || node.getNodeType() == NodeType.MAPPING
        ? List.of(node) : y.sequence(node, what);
    if (items == null) {
      return null;
    }
    if (items.isEmpty()) {
      y.error(node, what + ": expected at least one time window");
      return null;
    }
    List<TimeWindow> out = new ArrayList<>();
    boolean ok = true;
    for (Node n : items) {
      TimeWindow w = n instanceof ScalarNode ? ref(n, what) : window("", n, what + ": time window");
      ok &= w != null;
      if (w != null) {
        out.add(w);
      }
    }
    return ok ? out : null;
  }

  private @Nullable TimeWindow ref(Node n, String what) {
    String name = y.string(n, what);
    TimeWindow w = name == null ? null : v.windows.get(name);
    if (name != null && w == null) {
      y.error(n, what + ": unknown time window '" + name + "'" + Suggestions.didYouMean(name, v.windows.keySet())
          + ", expected one of " + new TreeSet<>(v.windows.keySet()) + " (defined under timeWindows) or an inline window");
    }
    return w;
  }

  /** One window mapping; errors start with {@code what}. */
  private @Nullable TimeWindow window(String name, Node node, String what) {
    Map<String, YamlTree.Entry> m = y.mapping(node, what, WINDOW);
    if (m == null) {
      return null;
    }
    boolean ok = true;
    if (!m.containsKey("zone")) {
      y.error(node, what + ": missing key 'zone', expected a time zone such as Europe/Berlin");
      ok = false;
    }
    if (!m.containsKey("days")) {
      y.error(node, what + ": missing key 'days', expected days such as MON-FRI");
      ok = false;
    }
    ZoneId zone = null;
    if (m.containsKey("zone")) {
      Node zn = m.get("zone").value();
      String z = y.string(zn, what + ": zone");
      zone = z == null ? null : parsed(zn, what + ": zone", () -> TimeWindow.zone(z));
      ok &= zone != null;
    }
    Set<DayOfWeek> days = null;
    if (m.containsKey("days")) {
      Node dn = m.get("days").value();
      List<String> ds = y.strings(dn, what + ": days");
      days = ds == null ? null : parsed(dn, what + ": days", () -> TimeWindow.days(String.join(",", ds)));
      ok &= days != null;
    }
    LocalTime[] hours = {LocalTime.MIDNIGHT, LocalTime.MIDNIGHT};
    if (m.containsKey("hours")) {
      Node hn = m.get("hours").value();
      String h = y.string(hn, what + ": hours");
      hours = h == null ? null : parsed(hn, what + ": hours", () -> TimeWindow.hours(h));
      ok &= hours != null;
    }
    if (!ok || zone == null || days == null || hours == null) { // ok is false when one of them is null
      return null;
    }
    ZoneId z = zone;
    Set<DayOfWeek> d = days;
    LocalTime[] h = hours;
    return parsed(node, what, () -> new TimeWindow(name, z, d, h[0], h[1]));
  }

  /** A parser's result, or null after recording its IllegalArgumentException at the node. */
  private <T> @Nullable T parsed(Node node, String what, java.util.function.Supplier<T> parser) {
    try {
      return parser.get();
    } catch (IllegalArgumentException e) {
      y.error(node, what + ": " + e.getMessage());
      return null;
    }
  }
}
