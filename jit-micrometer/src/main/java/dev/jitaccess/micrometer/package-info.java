/**
 * Micrometer metrics for jit-access: {@link dev.jitaccess.micrometer.JitMetrics} counts grants issued,
 * denied, revoked and expired, gauges live grants, times grant lifetimes, and counts token verifications
 * and approvals, all with low-cardinality tags (never an identity, task or grant id).
 */
@NullMarked
package dev.jitaccess.micrometer;

import org.jspecify.annotations.NullMarked;
