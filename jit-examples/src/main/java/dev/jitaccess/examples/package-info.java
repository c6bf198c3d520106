/**
 * Scenarios: {@link dev.jitaccess.examples.CiDeployment}, {@link dev.jitaccess.examples.NightlyBackup},
 * {@link dev.jitaccess.examples.AgentToolChain}, {@link dev.jitaccess.examples.ResourceServers},
 * {@link dev.jitaccess.examples.BreakGlass}; the {@link dev.jitaccess.examples.Demo} that runs them; and the
 * README samples {@link dev.jitaccess.examples.QuickStart} and {@link dev.jitaccess.examples.Lifecycle}.
 */
@NullMarked
package dev.jitaccess.examples;

import org.jspecify.annotations.NullMarked;
