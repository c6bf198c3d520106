package dev.jitaccess.internal;

import dev.jitaccess.GrantInfo;
import dev.jitaccess.spi.AuditEvent;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The audit fields of a grant, in their one order: grant id, task, identity, owner, purpose, resource,
 * actions, environment, rules, approval, approvers, expiry, break-glass. Every record about a grant uses
 * them, whether the broker writes it or a shared store's sweeper does, so the two cannot drift apart.
 */
public final class GrantAuditFields {
  private GrantAuditFields() {}

  /**
   * The fields of {@code g} followed by one more field ({@code key}: {@code value}), as an immutable map
   * that is built on its first read: the same entries in the same order as {@link #of} plus that put, but
   * a grant end recorded to a sink that drops it, or reads it later, costs one small object on the ending
   * thread instead of two maps ({@link AuditEvent} keeps this map as it is, since nothing can change it).
   */
  public static Map<String, String> with(GrantInfo g, String key, String value) {
    return new Deferred(Objects.requireNonNull(g, "g"), Objects.requireNonNull(key, "key"),
        Objects.requireNonNull(value, "value"));
  }

  /**
   * Whether {@code fields} is a map of {@link #with}: immutable, so {@link AuditEvent} need not copy it.
   */
  public static boolean isImmutable(Map<String, String> fields) {
    return fields instanceof Deferred;
  }

  /** The map of {@link #with}: immutable; its entries are built once, on the first read, from immutable facts. */
  private static final class Deferred extends AbstractMap<String, String> {
    private final GrantInfo grant;
    private final String key;
    private final String value;
    /** The built entries (an unmodifiable view of a map nothing else holds); null until the first read. */
    private volatile @Nullable Map<String, String> built;

    Deferred(GrantInfo grant, String key, String value) {
      this.grant = grant;
      this.key = key;
      this.value = value;
    }

    private Map<String, String> built() {
      Map<String, String> b = built;
      if (b == null) {
        Map<String, String> f = of(grant);
        f.put(key, value);
        b = Collections.unmodifiableMap(f); // two racing first reads build equal maps; either may win
        built = b;
      }
      return b;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      return built().entrySet();
    }

    @Override
    public @Nullable String get(Object k) {
      return built().get(k);
    }

    @Override
    public boolean containsKey(Object k) {
      return built().containsKey(k);
    }

    @Override
    public int size() {
      return built().size();
    }
  }

  /** A new, modifiable map of the fields of {@code g}, sized so that callers can add a few without rehashing. */
  public static Map<String, String> of(GrantInfo g) {
    Map<String, String> f = new LinkedHashMap<>(32);
    f.put(AuditEvent.GRANT_ID, g.grantId());
    f.put(AuditEvent.TASK_ID, g.taskId());
    f.put(AuditEvent.IDENTITY, g.subject());
    g.owner().ifPresent(o -> f.put(AuditEvent.OWNER, o));
    f.put(AuditEvent.PURPOSE, g.purpose());
    f.put(AuditEvent.RESOURCE, g.resource());
    f.put(AuditEvent.ACTIONS, String.join(" ", g.actions()));
    f.put(AuditEvent.ENVIRONMENT, g.environment());
    if (!g.ruleIds().isEmpty()) {
      f.put(AuditEvent.RULES, String.join(",", g.ruleIds()));
    }
    g.approvalId().ifPresent(a -> f.put(AuditEvent.APPROVAL_ID, a));
    if (!g.approvals().isEmpty()) {
      List<String> by = new ArrayList<>();
      g.approvals().forEach(a -> by.add(a.approver()));
      f.put(AuditEvent.APPROVERS, String.join(",", by));
    }
    f.put(AuditEvent.EXPIRES_AT, IsoInstants.format(g.expiresAt()));
    if (g.breakGlass()) {
      f.put(AuditEvent.BREAK_GLASS, "true");
    }
    return f;
  }
}
