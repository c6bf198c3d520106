package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The compiled conditions of a rule. Each test answers {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN}
 * (cannot be evaluated: missing attribute, wrong type) and explains a failure only when asked, so the
 * explanation costs nothing for rules that match.
 */
final class Checks {
  static final int TRUE = 0;
  static final int FALSE = 1;
  static final int UNKNOWN = 2;
  private static final int MAX_SHOWN = 80;

  private Checks() {}

  /** What one evaluation sees: the request, the identity, and lazily computed derived values. */
  static final class Ctx {
    final String id;
    final String issuer;
    final @Nullable String trustDomain;
    final Map<String, Object> claims;
    final String purpose;
    final String taskId;
    final String resource;
    final String[] actions;
    final String environment;
    final Map<String, Object> attributes;
    final Instant now;
    private final ZoneId[] zones;
    private final LocalDateTime[] local;

    Ctx(dev.jitaccess.spi.PolicyContext c, String[] actions, ZoneId[] zones) {
      this.id = c.identity().id();
      this.issuer = c.identity().issuer();
      this.trustDomain = SpiffePattern.trustDomainOf(id);
      this.claims = c.identity().attributes();
      this.purpose = c.request().purpose();
      this.taskId = c.request().taskId();
      this.resource = c.request().resource();
      this.actions = actions;
      this.environment = c.request().environment();
      this.attributes = c.request().attributes();
      this.now = c.now();
      this.zones = zones;
      this.local = new LocalDateTime[zones.length];
    }

    LocalDateTime local(int zone) {
      LocalDateTime t = local[zone];
      if (t == null) {
        t = LocalDateTime.ofInstant(now, zones[zone]);
        local[zone] = t;
      }
      return t;
    }
  }

  /** One condition. */
  abstract static class Check {
    abstract int eval(Ctx c);

    /** Why it was FALSE or UNKNOWN, with the actual value. Called only for explanations. */
    abstract String explain(Ctx c);
  }

  static String show(Object v) {
    String s = String.valueOf(v);
    if (s.length() > MAX_SHOWN) {
      s = s.substring(0, MAX_SHOWN) + "...";
    }
    return v instanceof String ? "'" + s + "'" : s;
  }

  static final class IdentityIds extends Check {
    private final List<SpiffePattern> spiffe;
    private final List<Glob> other;
    private final List<String> patterns;

    IdentityIds(Rule r) {
      spiffe = r.spiffeIds;
      other = r.otherIds;
      patterns = r.identityIds;
    }

    @Override
    int eval(Ctx c) {
      for (SpiffePattern p : spiffe) {
        if (p.matches(c.id)) {
          return TRUE;
        }
      }
      for (Glob g : other) {
        if (g.matches(c.id)) {
          return TRUE;
        }
      }
      return FALSE;
    }

    @Override
    String explain(Ctx c) {
      return "identity was " + show(c.id) + ", expected one of " + patterns;
    }
  }

  static final class TrustDomains extends Check {
    private final Set<String> domains;

    TrustDomains(Set<String> domains) {
      this.domains = domains;
    }

    @Override
    int eval(Ctx c) {
      return c.trustDomain != null && domains.contains(c.trustDomain) ? TRUE : FALSE;
    }

    @Override
    String explain(Ctx c) {
      return c.trustDomain == null
          ? "identity " + show(c.id) + " is not a SPIFFE ID, expected trust domain one of " + domains
          : "trust domain was " + show(c.trustDomain) + ", expected one of " + domains;
    }
  }

  /** Exact membership of one request field in a set. */
  static final class InSet extends Check {
    enum Field { ISSUER, PURPOSE, ENVIRONMENT }

    private final Field field;
    private final Set<String> values;

    InSet(Field field, Set<String> values) {
      this.field = field;
      this.values = values;
    }

    private String value(Ctx c) {
      return switch (field) {
        case ISSUER -> c.issuer;
        case PURPOSE -> c.purpose;
        default -> c.environment;
      };
    }

    @Override
    int eval(Ctx c) {
      return values.contains(value(c)) ? TRUE : FALSE;
    }

    @Override
    String explain(Ctx c) {
      return field.name().toLowerCase(java.util.Locale.ROOT) + " was " + show(value(c)) + ", expected one of " + values;
    }
  }

  /** Glob match of the task id or the resource. */
  static final class Globs extends Check {
    private final boolean task;
    private final List<Glob> globs;

    Globs(boolean task, List<Glob> globs) {
      this.task = task;
      this.globs = globs;
    }

    @Override
    int eval(Ctx c) {
      String v = task ? c.taskId : c.resource;
      for (Glob g : globs) {
        if (g.matches(v)) {
          return TRUE;
        }
      }
      return FALSE;
    }

    @Override
    String explain(Ctx c) {
      return (task ? "task id was " + show(c.taskId) : "resource was " + show(c.resource))
          + ", expected one of " + globs;
    }
  }

  /** At least one requested action is in the rule's action filter. */
  static final class Actions extends Check {
    private final Set<String> filter;

    Actions(Set<String> filter) {
      this.filter = filter;
    }

    @Override
    int eval(Ctx c) {
      for (String a : c.actions) {
        if (filter.contains(a)) {
          return TRUE;
        }
      }
      return FALSE;
    }

    @Override
    String explain(Ctx c) {
      return "actions were " + List.of(c.actions) + ", expected any of " + filter;
    }
  }

  /** Inside one of the windows ({@code within}) or outside all of them ({@code outside}). */
  static final class Windows extends Check {
    private final List<TimeWindow> windows;
    private final int[] zones;
    private final boolean inside;

    Windows(List<TimeWindow> windows, int[] zones, boolean inside) {
      this.windows = windows;
      this.zones = zones;
      this.inside = inside;
    }

    private int hit(Ctx c) {
      for (int i = 0; i < windows.size(); i++) {
        if (windows.get(i).contains(c.local(zones[i]))) {
          return i;
        }
      }
      return -1;
    }

    @Override
    int eval(Ctx c) {
      return (hit(c) >= 0) == inside ? TRUE : FALSE;
    }

    @Override
    String explain(Ctx c) {
      if (inside) {
        TimeWindow w = windows.get(0);
        LocalDateTime t = c.local(zones[0]);
        return "time was " + t.getDayOfWeek().name().substring(0, 3) + " " + t.toLocalTime().withNano(0)
            + " " + w.zone() + ", expected within " + names();
      }
      TimeWindow w = windows.get(hit(c));
      LocalDateTime t = c.local(zones[windows.indexOf(w)]);
      return "time was " + t.getDayOfWeek().name().substring(0, 3) + " " + t.toLocalTime().withNano(0)
          + " " + w.zone() + ", inside " + w.describe() + ", expected outside " + names();
    }

    private String names() {
      StringBuilder sb = new StringBuilder("[");
      for (TimeWindow w : windows) {
        sb.append(sb.length() == 1 ? "" : ", ").append(w.describe());
      }
      return sb.append(']').toString();
    }
  }

  static final class Dates extends Check {
    private final @Nullable Instant from;
    private final @Nullable Instant until;

    Dates(@Nullable Instant from, @Nullable Instant until) {
      this.from = from;
      this.until = until;
    }

    @Override
    int eval(Ctx c) {
      if (from != null && c.now.isBefore(from)) {
        return FALSE;
      }
      return until != null && !c.now.isBefore(until) ? FALSE : TRUE;
    }

    @Override
    String explain(Ctx c) {
      return "time was " + c.now + ", expected from " + (from == null ? "-" : from) + " until "
          + (until == null ? "-" : until);
    }
  }

  /** A typed condition on a request attribute or an identity claim. */
  static final class Attribute extends Check {
    private final boolean claim;
    private final AttributeCondition condition;
    private final @Nullable Glob glob;
    private final Cidr @Nullable [] cidrs;
    private final double number; // the operand of a numeric test

    Attribute(boolean claim, AttributeCondition condition) {
      this.claim = claim;
      this.condition = condition;
      Object operand = condition.operand();
      this.glob = condition.operator() == AttributeCondition.Operator.GLOB && operand instanceof String pattern
          ? Glob.compile(pattern) : null;
      this.number = operand instanceof Number n ? n.doubleValue() : Double.NaN;
      if (condition.operator() == AttributeCondition.Operator.CIDR && operand instanceof List<?> blocks) {
        cidrs = new Cidr[blocks.size()];
        for (int i = 0; i < cidrs.length; i++) {
          cidrs[i] = Cidr.parse((String) blocks.get(i));
        }
      } else {
        cidrs = null;
      }
    }

    private @Nullable Object value(Ctx c) {
      return (claim ? c.claims : c.attributes).get(condition.name());
    }

    @Override
    int eval(Ctx c) {
      Object v = value(c);
      switch (condition.operator()) {
        case PRESENT -> {
          return v != null ? TRUE : FALSE;
        }
        case ABSENT -> {
          return v == null ? TRUE : FALSE;
        }
        default -> {}
      }
      if (v == null) {
        return UNKNOWN;
      }
      if (v instanceof Collection) {
        int result = FALSE;
        for (Object e : (Collection<?>) v) {
          int r = e == null ? UNKNOWN : one(e);
          if (r == TRUE) {
            return TRUE;
          }
          if (r == UNKNOWN) {
            result = UNKNOWN;
          }
        }
        return result;
      }
      return one(v);
    }

    private int one(Object v) {
      switch (condition.operator()) {
        case EQUALS -> {
          return v instanceof String ? (v.equals(condition.operand()) ? TRUE : FALSE) : UNKNOWN;
        }
        case GLOB -> {
          return v instanceof String s && glob != null ? (glob.matches(s) ? TRUE : FALSE) : UNKNOWN;
        }
        case IS -> {
          return v instanceof Boolean ? (v.equals(condition.operand()) ? TRUE : FALSE) : UNKNOWN;
        }
        case CIDR -> {
          if (!(v instanceof String text)) {
            return UNKNOWN;
          }
          byte[] address = Cidr.parseAddress(text);
          if (address == null || cidrs == null) {
            return UNKNOWN;
          }
          for (Cidr cidr : cidrs) {
            if (cidr.contains(address)) {
              return TRUE;
            }
          }
          return FALSE;
        }
        default -> {
          if (!(v instanceof Number n)) {
            return UNKNOWN;
          }
          double x = n.doubleValue();
          if (!Double.isFinite(x)) {
            return UNKNOWN; // NaN and ±Infinity are no score: a deny applies, an allow does not match
          }
          double y = number;
          boolean r;
          switch (condition.operator()) {
            case LT:
              r = x < y;
              break;
            case LE:
              r = x <= y;
              break;
            case GT:
              r = x > y;
              break;
            case GE:
              r = x >= y;
              break;
            default:
              r = x == y;
              break;
          }
          return r ? TRUE : FALSE;
        }
      }
    }

    @Override
    String explain(Ctx c) {
      Object v = value(c);
      String what = (claim ? "claim '" : "attribute '") + condition.name() + "'";
      if (v == null) {
        return what + " is missing, expected " + condition.describe();
      }
      if (eval(c) == UNKNOWN) {
        return what + " was " + show(v) + " (" + typeName(v) + "), expected " + condition.describe()
            + " (" + expectedType() + ")";
      }
      return what + " was " + show(v) + ", expected " + condition.describe();
    }

    private String expectedType() {
      return switch (condition.operator()) {
        case EQUALS, GLOB -> "a string";
        case IS -> "a boolean";
        case CIDR -> "an IP address";
        default -> "a number";
      };
    }

    private static String typeName(Object v) {
      if (v instanceof String) {
        return "a string";
      }
      if (v instanceof Number n) {
        return Double.isFinite(n.doubleValue()) ? "a number" : "not a finite number";
      }
      if (v instanceof Boolean) {
        return "a boolean";
      }
      return v instanceof Collection ? "a list" : "a " + v.getClass().getSimpleName();
    }
  }
}
