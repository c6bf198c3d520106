/**
 * JMH benchmarks of jit-access. Each benchmark runs the library and its baseline in the same JMH run, so
 * their ratio holds on a noisy machine: the floor (the same cryptographic work done with bare Nimbus
 * JOSE+JWT) for grants and verification, the same broker without its credential cache for repeated
 * presentation, jCasbin for policy decisions and java-spiffe for JWT-SVID validation.
 * {@link dev.jitaccess.benchmarks.Suite} runs them all and prints the ratios against the targets of
 * {@code BENCHMARKS.md}; {@link dev.jitaccess.benchmarks.CpuPaired} measures the same ratios in process
 * CPU time; {@link dev.jitaccess.benchmarks.lifecycle.LifecycleScale} measures a million live grants.
 */
package dev.jitaccess.benchmarks;
