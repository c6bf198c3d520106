/** Implementation details of jit-core. Not exported; may change without notice. */
@NullMarked
package dev.jitaccess.internal;

import org.jspecify.annotations.NullMarked;
