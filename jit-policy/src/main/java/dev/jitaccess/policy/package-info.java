/** Rule-based policies: rules, YAML documents, evaluation with explanations, approvals, break-glass. */
@NullMarked
package dev.jitaccess.policy;

import org.jspecify.annotations.NullMarked;
