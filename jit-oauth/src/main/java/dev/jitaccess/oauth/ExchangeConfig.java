package dev.jitaccess.oauth;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link TokenExchange.Builder#build()} resolved: every option with its default applied, immutable
 * (Failsafe's builder -> config). The parts of the adapter read their settings from here.
 *
 * @param broker the broker behind the endpoints
 * @param clock the clock for DPoP freshness and {@code expires_in}
 * @param defaultPurpose the purpose when a request names none, or null (then it is required)
 * @param defaultEnvironment the environment when a request names none, or null (then it is required)
 * @param defaultTtl the TTL asked for when a request names none
 * @param tokenTypes the subject and actor token types accepted as identity credentials
 * @param delegation whether grant tokens may be exchanged for sub-grants
 * @param authorizer who may call introspection and revocation, or null (nobody)
 * @param tokenEndpoint the token endpoint's URL for DPoP {@code htu}, or null (DPoP refused)
 * @param maxFormBytes the largest form accepted
 * @param denialDetails whether a refusal's description gives the broker's reasons
 */
record ExchangeConfig(GrantBroker broker, Clock clock, @Nullable String defaultPurpose,
    @Nullable String defaultEnvironment, Duration defaultTtl, Map<String, Credential.TokenType> tokenTypes,
    boolean delegation, @Nullable CallerAuthorizer authorizer, @Nullable URI tokenEndpoint, int maxFormBytes,
    boolean denialDetails) {
  /** Checks and copies. */
  ExchangeConfig {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    tokenTypes = Collections.unmodifiableMap(new LinkedHashMap<>(tokenTypes));
  }

  /** The token endpoint's URL as DPoP proofs name it, or null when DPoP is not enabled. */
  @Nullable String htu() {
    return tokenEndpoint == null ? null : tokenEndpoint.toString();
  }
}
