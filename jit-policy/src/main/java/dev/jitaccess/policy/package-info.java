/** Rule-based policies: rules, YAML documents, evaluation with explanations, approvals, break-glass. */
package dev.jitaccess.policy;
