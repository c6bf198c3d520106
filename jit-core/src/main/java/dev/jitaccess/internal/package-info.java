/** Implementation details of jit-core. Not exported; may change without notice. */
package dev.jitaccess.internal;
