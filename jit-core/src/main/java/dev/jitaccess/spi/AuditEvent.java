package dev.jitaccess.spi;

import dev.jitaccess.internal.GrantAuditFields;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One audit record: a type, a time and named fields (grant id, task id, identity, owner, purpose,
 * resource, deciding rules, approval id, token hash, reason). Never a token, a key or a raw credential:
 * a token appears at most as its SHA-256 ({@link #TOKEN_SHA256}).
 *
 * @param type what happened
 * @param at when, by the broker's clock
 * @param fields the named values, in a stable order
 */
public record AuditEvent(AuditEventType type, Instant at, Map<String, String> fields) {
  /** Field: grant id. */
  public static final String GRANT_ID = "grant_id";
  /** Field: task id. */
  public static final String TASK_ID = "task_id";
  /** Field: workload identity. */
  public static final String IDENTITY = "identity";
  /** Field: owner. */
  public static final String OWNER = "owner";
  /** Field: purpose. */
  public static final String PURPOSE = "purpose";
  /** Field: resource. */
  public static final String RESOURCE = "resource";
  /** Field: actions, space separated. */
  public static final String ACTIONS = "actions";
  /** Field: environment. */
  public static final String ENVIRONMENT = "environment";
  /** Field: deciding rule ids, comma separated. */
  public static final String RULES = "rules";
  /** Field: approval id. */
  public static final String APPROVAL_ID = "approval_id";
  /** Field: approvers, comma separated. */
  public static final String APPROVERS = "approvers";
  /** Field: the SHA-256 (base64url) of a token. */
  public static final String TOKEN_SHA256 = "token_sha256";
  /** Field: reasons or a revocation reason. */
  public static final String REASON = "reason";
  /** Field: expiry. */
  public static final String EXPIRES_AT = "expires_at";
  /** Field: break-glass flag. */
  public static final String BREAK_GLASS = "break_glass";
  /** Field: justification. */
  public static final String JUSTIFICATION = "justification";
  /** Field: policy version. */
  public static final String POLICY_VERSION = "policy_version";
  /**
   * Field: the correlation id of the request, when the caller gave one as the request attribute of this
   * name (the OAuth token endpoint does, and names it in its error response).
   */
  public static final String CORRELATION_ID = "correlation_id";
  /**
   * Field: the subject that a refused credential claims but that was never verified (the record then has
   * {@code identity=unverified}). Escaped by the one sanitiser for untrusted text, so it holds no control
   * character, and at most 64 characters of it are kept (quoted and followed by {@code ...} when cut).
   * Never use it to decide anything.
   */
  public static final String CLAIMED_SUBJECT = "claimed_subject";
  /**
   * Field: on a delegation's REQUESTED and DENIED records, the parent grant: a grant of this broker's
   * store (its subject is {@link #DELEGATOR}). The record's identity (or {@link #CLAIMED_SUBJECT}) is the
   * delegate that asked for the sub-grant.
   */
  public static final String PARENT_GRANT_ID = "parent_grant_id";
  /**
   * Field: on a refused delegation whose parent is not a grant of this broker (a handle from another
   * broker, or a parent token that did not verify), the grant id it claims, unverified and escaped as
   * {@link #CLAIMED_SUBJECT} is.
   */
  public static final String CLAIMED_PARENT_GRANT_ID = "claimed_parent_grant_id";
  /** Field: on a delegation's REQUESTED and DENIED records, the subject of the parent grant. */
  public static final String DELEGATOR = "delegator";

  /** Checks and copies (a map the library made immutable itself is kept as it is). */
  public AuditEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(fields, "fields");
    if (!GrantAuditFields.isImmutable(fields)) {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /** One field, if present. */
  public Optional<String> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** The grant id, if the event concerns one grant. */
  public Optional<String> grantId() {
    return field(GRANT_ID);
  }
}
