/** Implementation details of jit-spiffe shared by its packages. Not exported; may change without notice. */
@NullMarked
package dev.jitaccess.spiffe.internal;

import org.jspecify.annotations.NullMarked;
