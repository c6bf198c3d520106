package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The canonical form of a policy, independent of YAML formatting, comments, key order and rule order:
 * one line per field, values quoted and escaped, lists sorted where order does not matter. Its SHA-256
 * is the policy version.
 */
final class Canonical {
  private Canonical() {}

  static String version(String name, Duration maxTtl, List<Rule> sortedRules) {
    StringBuilder sb = new StringBuilder(256 + sortedRules.size() * 200);
    sb.append("jit-policy canonical 1\n");
    field(sb, "name", q(name));
    field(sb, "maxTtl", maxTtl.toString());
    for (Rule r : sortedRules) {
      rule(sb, r);
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder("sha256:");
      for (byte b : hash) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private static void rule(StringBuilder sb, Rule r) {
    field(sb, "rule", q(r.id));
    field(sb, " owner", q(r.owner));
    field(sb, " description", q(r.description));
    field(sb, " effect", r.effect.yamlName());
    field(sb, " overridable", Boolean.toString(r.overridable));
    field(sb, " shadow", Boolean.toString(r.shadow));
    field(sb, " identityIds", list(r.identityIds, true));
    field(sb, " trustDomains", list(r.trustDomains, true));
    field(sb, " issuers", list(r.issuers, true));
    field(sb, " claims", conditions(r.claims));
    field(sb, " purposes", list(r.purposes, true));
    field(sb, " taskIds", globs(r.taskIds));
    field(sb, " resources", globs(r.resources));
    field(sb, " actions", list(r.actions, true));
    field(sb, " environments", list(r.environments, true));
    field(sb, " within", windows(r.within));
    field(sb, " outside", windows(r.outside));
    field(sb, " validFrom", String.valueOf(r.validFrom));
    field(sb, " validUntil", String.valueOf(r.validUntil));
    field(sb, " attributes", conditions(r.attributes));
    field(sb, " maxTtl", String.valueOf(r.maxTtl));
    field(sb, " idleTimeout", String.valueOf(r.idleTimeout));
    field(sb, " singleUse", Boolean.toString(r.singleUse));
    field(sb, " renewable", Boolean.toString(r.renewable));
    field(sb, " grantActions", list(r.grantActions, true));
    field(sb, " maxDelegationDepth", Integer.toString(r.maxDelegationDepth));
    if (r.sharedTask) { // written only when set, so versions of policies without it do not change
      field(sb, " sharedTask", "true");
    }
    if (r.credentialExpiryGrace != null) {
      field(sb, " capAtCredentialExpiry", r.credentialExpiryGrace.toString());
    }
    field(sb, " approval", r.approverGroup == null ? "none"
        : q(r.approverGroup) + " " + r.approvals + " " + r.approvalTimeout);
  }

  private static void field(StringBuilder sb, String key, String value) {
    sb.append(key).append('=').append(value).append('\n');
  }

  private static String globs(List<Glob> globs) {
    List<String> s = new ArrayList<>();
    globs.forEach(g -> s.add(g.pattern()));
    return list(s, true);
  }

  private static String conditions(List<AttributeCondition> conditions) {
    List<String> s = new ArrayList<>();
    for (AttributeCondition c : conditions) {
      s.add(q(c.name()) + " " + c.operator().yamlName() + " "
          + (c.operand() instanceof String ? q((String) c.operand()) : String.valueOf(c.operand())));
    }
    return list(s, false);
  }

  private static String windows(List<TimeWindow> windows) {
    List<String> s = new ArrayList<>();
    for (TimeWindow w : windows) {
      s.add(q(w.name()) + " " + w.zone().getId() + " " + w.dayText() + " " + w.from() + " " + w.until());
    }
    return list(s, false);
  }

  private static String list(Collection<String> values, boolean quote) {
    List<String> s = new ArrayList<>();
    for (String v : values) {
      s.add(quote ? q(v) : v);
    }
    s.sort(null);
    return s.toString();
  }

  static String q(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
