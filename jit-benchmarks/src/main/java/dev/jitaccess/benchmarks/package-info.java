/**
 * JMH benchmarks of jit-access. Each benchmark runs the library and its floor (the same cryptographic
 * work done with bare Nimbus JOSE+JWT) in the same JMH run, so their ratio holds on a noisy machine.
 * {@link dev.jitaccess.benchmarks.Suite} runs them all and prints the ratios against the targets of
 * {@code BENCHMARKS.md}; {@link dev.jitaccess.benchmarks.lifecycle.LifecycleScale} measures a million live
 * grants.
 */
package dev.jitaccess.benchmarks;
