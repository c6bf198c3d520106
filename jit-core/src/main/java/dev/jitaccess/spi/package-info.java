/**
 * Extension points of jit-access: identity verification, policy, approvals, grant storage, audit,
 * lifecycle listeners and the scheduler. Each is a small interface; most offer a static default.
 */
@NullMarked
package dev.jitaccess.spi;

import org.jspecify.annotations.NullMarked;
