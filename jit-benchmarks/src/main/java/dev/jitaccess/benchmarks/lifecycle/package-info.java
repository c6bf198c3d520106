/** Lifecycle at scale: heap per live grant, expiry-callback lateness and bulk revocation time. */
package dev.jitaccess.benchmarks.lifecycle;
