/**
 * PostgreSQL-backed shared state for several replicas of a service that embeds jit-access: grants,
 * revocations, quotas, one-time values, signing keys, pending approvals and the audit trail.
 */
@NullMarked
package dev.jitaccess.store.postgres;

import org.jspecify.annotations.NullMarked;
