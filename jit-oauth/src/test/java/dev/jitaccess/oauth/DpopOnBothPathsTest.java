package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import java.net.URI;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One DPoP checker for the token endpoint and the resource-server path: an Ed25519 proof is accepted at
 * both, a proof with {@code crit} is refused at both, and {@code htu} is compared the same way.
 */
class DpopOnBothPathsTest {
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture();
  private final OAuthClient client = f.client();

  private HTTPResponse exchangeWithProof(String task, String proof) {
    HTTPRequest http = client.direct(f.identity(DEPLOYER), "read", task).build().toHTTPRequest();
    http.setHeader("DPoP", proof);
    return OAuthClient.send(http);
  }

  private Date now() {
    return new Date(f.clock.millis());
  }

  @Test
  void anEd25519KeyObtainsABoundTokenAndUsesItAtTheResourceServer() throws Exception {
    Ed25519Proofs holder = new Ed25519Proofs();
    AccessTokenResponse ok = OAuthClient.success(exchangeWithProof("task-ed", holder.proof("POST", f.tokenUri, null, now(), false)));
    String token = ok.getTokens().getAccessToken().getValue();
    assertThat(ok.getTokens().getAccessToken().getType()).isEqualTo(AccessTokenType.DPOP);
    assertThat(TokenExchangeEndpointTest.claims(token).getJSONObjectClaim("cnf")).containsEntry("jkt", holder.thumbprint());

    URI api = URI.create(RESOURCE);
    Verification held = f.broker.verifier().verify(token, VerificationRequest.builder(RESOURCE)
        .dpop(holder.proof("GET", api, token, now(), false), "GET", api.toString()).build());
    assertThat(held.isVerified()).isTrue();
  }

  @Test
  void anEd25519ProofWithCritIsRefusedAtTheTokenEndpoint() {
    Ed25519Proofs holder = new Ed25519Proofs();
    ErrorObject e = OAuthClient.error(exchangeWithProof("task-crit", holder.proof("POST", f.tokenUri, null, now(), true)));
    assertThat(e.getCode()).isEqualTo("invalid_dpop_proof");
    assertThat(e.getDescription()).contains("crit");
  }

  @Test
  void anEd25519ProofWithCritIsRefusedAtTheResourceServer() {
    Ed25519Proofs holder = new Ed25519Proofs();
    String token = OAuthClient.success(exchangeWithProof("task-crit-rs", holder.proof("POST", f.tokenUri, null, now(), false)))
        .getTokens().getAccessToken().getValue();
    URI api = URI.create(RESOURCE);
    Verification v = f.broker.verifier().verify(token, VerificationRequest.builder(RESOURCE)
        .dpop(holder.proof("GET", api, token, now(), true), "GET", api.toString()).build());
    assertThat(v).isInstanceOfSatisfying(Verification.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Verification.RejectionReason.PROOF_OF_POSSESSION);
      assertThat(r.detail()).contains("crit");
    });
  }

  @Test
  void aProofForAnUnderscoreHostDoesNotVerifyAtAnotherUnderscoreHost() {
    ECKey key = ExchangeFixture.newKey("holder");
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-htu").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();
    SignedJWT proof = OAuthClient.proof(key, "GET", URI.create("https://billing_api.internal:8443/v1"), token, now());
    Verification v = f.broker.verifier().verify(token, VerificationRequest.builder(RESOURCE)
        .dpop(proof.serialize(), "GET", "https://orders_db.internal/v1").build());
    assertThat(v).isInstanceOfSatisfying(Verification.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Verification.RejectionReason.PROOF_OF_POSSESSION));
  }

  @Test
  void anOpaqueHtuDoesNotMatchAnotherOpaqueUri() {
    ECKey key = ExchangeFixture.newKey("holder");
    String token = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read", "task-urn").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();
    SignedJWT proof = OAuthClient.proof(key, "GET", URI.create("urn:a"), token, now());
    Verification v = f.broker.verifier().verify(token, VerificationRequest.builder(RESOURCE)
        .dpop(proof.serialize(), "GET", "urn:b").build());
    assertThat(v.isVerified()).isFalse();
  }

  @Test
  void aTokenEndpointUrlThatCannotBeComparedIsRefusedByTheBuilder() {
    GrantBroker broker = f.broker;
    assertThatThrownBy(() -> TokenExchange.builder(broker).tokenEndpoint(URI.create("https://token_ep.internal/token")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token_ep.internal");
    assertThatThrownBy(() -> TokenExchange.builder(broker).tokenEndpoint(URI.create("urn:token")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
