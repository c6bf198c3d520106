package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static dev.jitaccess.oauth.ExchangeFixture.TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.token.AccessToken;
import dev.jitaccess.Verification;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The adapter reaches the broker through its public contracts only: in front of a decorated
 * {@code GrantBroker} (a plain delegating wrapper) introspection, revocation and delegation work as in front
 * of jit-core's own broker, and introspection reads a single-use grant without consuming it.
 */
class DecoratedBrokerTest {
  private DelegatingBroker decorated;
  @RegisterExtension final ExchangeFixture f =
      new ExchangeFixture(b -> (decorated = new DelegatingBroker(b)).broker, b -> b);
  private final OAuthClient client = f.client();

  private String grant(String task, String purpose) {
    return OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read write", task)
        .customParameter("purpose", purpose).build())).getTokens().getAccessToken().getValue();
  }

  @Test
  void aLiveGrantIsActiveBehindADecoratedBroker() {
    String token = grant("task-deco", "deploy");
    assertThat(client.introspect(token).isActive()).isTrue();
    assertThat(decorated.calls.get()).isPositive();
  }

  @Test
  void revocationWorksBehindADecoratedBroker() {
    String token = grant("task-deco-r", "deploy");
    assertThat(client.revoke(token, ExchangeFixture.resourceServer()).getStatusCode()).isEqualTo(200);
    assertThat(client.introspect(token).isActive()).isFalse();
    assertThat(f.broker.verifier().verify(token, RESOURCE).isVerified()).isFalse();
  }

  @Test
  void delegationWorksBehindADecoratedBroker() {
    String parent = grant("task-deco-d", "deploy");
    AccessToken child = OAuthClient.success(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-deco-d")
        .resource(URI.create(RESOURCE + "/2024")).build())).getTokens().getAccessToken();
    assertThat(f.broker.verifier().verify(child.getValue(), RESOURCE + "/2024").isVerified()).isTrue();
  }

  @Test
  void introspectionDoesNotConsumeASingleUseGrantAndReportsItInactiveOnceUsed() {
    String token = grant("task-deco-s", "single");
    assertThat(client.introspect(token).isActive()).isTrue();
    assertThat(client.introspect(token).isActive()).isTrue();

    assertThat(f.broker.verifier().verify(token, RESOURCE).isVerified()).as("its one use").isTrue();
    assertThat(client.introspect(token).isActive()).as("used up").isFalse();
    Verification again = f.broker.verifier().verify(token, RESOURCE);
    assertThat(((Verification.Rejected) again).reason()).isEqualTo(Verification.RejectionReason.REPLAYED);
  }

  @Test
  void aUsedSingleUseGrantDelegatesNothingOverHttp() {
    String parent = grant("task-deco-su", "single");
    assertThat(f.broker.verifier().verify(parent, RESOURCE).isVerified()).as("its one use").isTrue();
    assertThat(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-deco-su").build()).getStatusCode())
        .isEqualTo(400);
  }
}
