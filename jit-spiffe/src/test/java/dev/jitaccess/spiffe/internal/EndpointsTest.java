package dev.jitaccess.spiffe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one loopback rule for plain-http key and bundle endpoints: every resolved address loopback. */
class EndpointsTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "0:0:0:0:0:0:0:1"})
  void loopbackHostsAreLoopback(String host) {
    assertThat(Endpoints.isLoopback(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "192.168.1.1", "8.8.8.8", "0.0.0.0", "::", "[2001:db8::1]", "169.254.1.1",
      "no-such-host.invalid", "", " ", "[::1", "localhost.evil.invalid"})
  void otherHostsAreNotLoopback(String host) {
    assertThat(Endpoints.isLoopback(host)).isFalse();
  }
}
