/**
 * The jit-access API: build a {@link dev.jitaccess.GrantBroker}, send it {@link dev.jitaccess.GrantRequest}s,
 * receive short-lived {@link dev.jitaccess.Grant}s and check their tokens with a {@link dev.jitaccess.GrantVerifier}.
 */
@NullMarked
package dev.jitaccess;

import org.jspecify.annotations.NullMarked;
