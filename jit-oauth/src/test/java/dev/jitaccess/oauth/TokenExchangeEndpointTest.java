package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.INTRUDER;
import static dev.jitaccess.oauth.ExchangeFixture.RESOURCE;
import static dev.jitaccess.oauth.ExchangeFixture.TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The RFC 8693 token endpoint over loopback HTTP, driven by the Nimbus OAuth 2.0 SDK. */
class TokenExchangeEndpointTest {
  /** These tests read the broker's reasons in error descriptions: the development option. */
  @RegisterExtension final ExchangeFixture f = new ExchangeFixture(b -> b.denialDetails(true));
  private final OAuthClient client = f.client();

  // ---------------------------------------------------------------- success

  @Test
  void bearerExchangeIssuesATaskBoundGrant() {
    HTTPResponse response = client.send(client.direct(f.identity(DEPLOYER), "read write", "task-1").build());

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(response.getCacheControl()).isEqualTo("no-store");
    assertThat(response.getPragma()).isEqualTo("no-cache");
    AccessToken token = OAuthClient.success(response).getTokens().getAccessToken();
    assertThat(token.getType()).isEqualTo(AccessTokenType.BEARER);
    assertThat(token.getIssuedTokenType()).isEqualTo(TokenTypeURI.ACCESS_TOKEN);
    assertThat(token.getLifetime()).isEqualTo(600);
    assertThat(token.getScope().toStringList()).containsExactlyInAnyOrder("read", "write");

    Verification v = f.broker.verifier().verify(token.getValue(),
        VerificationRequest.builder(RESOURCE).taskId("task-1").requiredActions("read", "write").build());
    assertThat(v).isInstanceOf(Verification.Verified.class);
    GrantInfo grant = ((Verification.Verified) v).grant();
    assertThat(grant.subject()).isEqualTo(DEPLOYER);
    assertThat(grant.purpose()).isEqualTo("deploy");
    assertThat(grant.environment()).isEqualTo("prod");
    assertThat(grant.isSenderConstrained()).isFalse();
    Verification reused = f.broker.verifier().verify(token.getValue(),
        VerificationRequest.builder(RESOURCE).taskId("task-2").build());
    assertThat(((Verification.Rejected) reused).reason()).isEqualTo(Verification.RejectionReason.WRONG_TASK);
  }

  @Test
  void extensionParametersSetPurposeEnvironmentAndTtl() {
    HTTPResponse response = client.send(client.direct(f.identity(DEPLOYER), "read", "task-ext")
        .customParameter("purpose", "backup")
        .customParameter("environment", "staging")
        .customParameter("requested_ttl", "120")
        .build());

    AccessToken token = OAuthClient.success(response).getTokens().getAccessToken();
    assertThat(token.getLifetime()).isEqualTo(120);
    GrantInfo grant = verified(token.getValue(), RESOURCE);
    assertThat(grant.purpose()).isEqualTo("backup");
    assertThat(grant.environment()).isEqualTo("staging");
    assertThat(grant.expiresAt()).isEqualTo(f.clock.instant().plusSeconds(120));
  }

  @Test
  void anIdTokenIsAcceptedAsAnOidcCredentialAndAudienceNamesTheTarget() throws Exception {
    TokenRequest request = new TokenRequest.Builder(f.tokenUri, new TokenExchangeGrant(
            new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.ID_TOKEN, null, null, null,
            List.of(new Audience("orders-api"))))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read"))
        .customParameter("task_id", "task-oidc")
        .build();

    AccessToken token = OAuthClient.success(client.send(request)).getTokens().getAccessToken();

    assertThat(verified(token.getValue(), "orders-api").subject()).isEqualTo(DEPLOYER);
    assertThat(claims(token.getValue()).getJSONObjectClaim("rctx")).containsEntry("authn", "oidc");
  }

  @Test
  void aDpopProofBindsTheTokenToTheKey() throws Exception {
    ECKey key = ExchangeFixture.newKey("holder");
    HTTPResponse response = client.send(client.direct(f.identity(DEPLOYER), "read", "task-dpop").build(),
        client.tokenEndpointProof(key));

    AccessTokenResponse ok = OAuthClient.success(response);
    AccessToken token = ok.getTokens().getAccessToken();
    assertThat(token.getType()).isEqualTo(AccessTokenType.DPOP);
    assertThat(claims(token.getValue()).getJSONObjectClaim("cnf"))
        .containsEntry("jkt", key.computeThumbprint().toString());

    Verification stolen = f.broker.verifier().verify(token.getValue(), RESOURCE);
    assertThat(((Verification.Rejected) stolen).reason()).isEqualTo(Verification.RejectionReason.PROOF_OF_POSSESSION);
    URI api = URI.create(RESOURCE);
    SignedJWT proof = OAuthClient.proof(key, "GET", api, token.getValue(), new Date(f.clock.millis()));
    Verification held = f.broker.verifier().verify(token.getValue(),
        VerificationRequest.builder(RESOURCE).dpop(proof.serialize(), "GET", api.toString()).build());
    assertThat(held.isVerified()).isTrue();
  }

  @Test
  void badDpopProofsAreRefusedWithInvalidDpopProof() {
    ECKey key = ExchangeFixture.newKey("holder");
    SignedJWT once = client.tokenEndpointProof(key);
    assertThat(client.send(client.direct(f.identity(DEPLOYER), "read", "task-p1").build(), once).getStatusCode())
        .isEqualTo(200);

    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "task-p2").build(), once),
        "invalid_dpop_proof", "already used");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "task-p3").build(),
            OAuthClient.proof(key, "POST", URI.create("https://elsewhere.example.org/token"), null, new Date(f.clock.millis()))),
        "invalid_dpop_proof", "another URI");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "task-p4").build(),
            OAuthClient.proof(key, "PUT", f.tokenUri, null, new Date(f.clock.millis()))),
        "invalid_dpop_proof", "another HTTP method");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "task-p5").build(),
            OAuthClient.proof(key, "POST", f.tokenUri, null, Date.from(f.clock.instant().minus(Duration.ofMinutes(5))))),
        "invalid_dpop_proof", "iat");
    HTTPRequest notAJwt = client.direct(f.identity(DEPLOYER), "read", "task-p6").build().toHTTPRequest();
    notAJwt.setHeader("DPoP", "not.a.jwt");
    assertError(OAuthClient.send(notAJwt), "invalid_dpop_proof", "not a signed JWT");
  }

  // ---------------------------------------------------------------- delegation

  @Test
  void delegationExchangesALiveGrantForANarrowerSubGrantWithAct() throws Exception {
    String parent = bearer(client.direct(f.identity(DEPLOYER), "read write", "task-d").build());
    GrantInfo parentGrant = verified(parent, RESOURCE);
    f.clock.advance(Duration.ofMinutes(1));

    HTTPResponse response = client.send(client.delegate(parent, f.identity(TOOL), "read", "task-d")
        .resource(URI.create(RESOURCE + "/2024"))
        .customParameter("requested_ttl", "3600")
        .build());

    AccessToken child = OAuthClient.success(response).getTokens().getAccessToken();
    assertThat(child.getScope().toStringList()).containsExactly("read");
    GrantInfo childGrant = verified(child.getValue(), RESOURCE + "/2024");
    assertThat(childGrant.subject()).isEqualTo(TOOL);
    assertThat(childGrant.actions()).containsExactly("read");
    assertThat(childGrant.taskId()).isEqualTo("task-d");
    assertThat(childGrant.delegators()).containsExactly(DEPLOYER);
    assertThat(childGrant.parentGrantId()).contains(parentGrant.grantId());
    assertThat(childGrant.expiresAt()).isBeforeOrEqualTo(parentGrant.expiresAt());
    assertThat(child.getLifetime()).isEqualTo(9 * 60);
    // RFC 8693 section 4.1: sub stays the subject (the deployer), act names the actor (the tool)
    assertThat(claims(child.getValue()).getSubject()).isEqualTo(DEPLOYER);
    assertThat(claims(child.getValue()).getJSONObjectClaim("act")).isEqualTo(Map.of("sub", TOOL));
  }

  @Test
  void delegationRefusesWhatTheParentDoesNotGrant() {
    String parent = bearer(client.direct(f.identity(DEPLOYER), "read write", "task-dx").build());
    String tool = f.identity(TOOL);

    assertError(client.send(client.delegate(parent, tool, "read admin", "task-dx").build()),
        "invalid_scope", "exceeds the subject_token's scope");
    assertError(client.send(client.delegate(parent, tool, "read", "task-dx")
        .resource(URI.create("https://db.example.org/payments")).build()), "invalid_target", "not within");
    assertError(client.send(client.delegate(parent, tool, "read", "task-dx")
        .resource(URI.create(RESOURCE + "-shadow")).build()), "invalid_target", "not within");
    assertError(client.send(client.delegate(parent, tool, "read", "another-task").build()),
        "invalid_request", "task_id does not match");
    assertError(client.send(client.delegate(parent, tool, "read", "task-dx").customParameter("environment", "dev").build()),
        "invalid_request", "environment of a sub-grant");
    assertError(client.send(client.delegate(parent, f.identity(INTRUDER), "read", "task-dx").build()),
        "invalid_request", "denied: rule deny-intruder");
    String forged = ExchangeFixture.mint(ExchangeFixture.newKey("idp-1"), ExchangeFixture.IDP, TOOL,
        f.clock.instant().plusSeconds(600));
    assertError(client.send(client.delegate(parent, forged, "read", "task-dx").build()),
        "invalid_request", "denied: identity: signature does not verify");
    TokenRequest noActor = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(parent), TokenTypeURI.ACCESS_TOKEN))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).customParameter("task_id", "task-dx").build();
    assertError(client.send(noActor), "invalid_request", "actor_token");
    assertError(client.send(client.delegate("garbage", tool, "read", "task-dx").build()),
        "invalid_request", "not a live grant");

    f.broker.revoke(verified(parent, RESOURCE).grantId());
    assertError(client.send(client.delegate(parent, tool, "read", "task-dx").build()),
        "invalid_request", "not a live grant");
  }

  @Test
  void aDpopBoundGrantIsDelegatedOnlyWithAProofByItsKey() throws Exception {
    ECKey key = ExchangeFixture.newKey("holder");
    String parent = OAuthClient.success(client.send(client.direct(f.identity(DEPLOYER), "read write", "task-db").build(),
        client.tokenEndpointProof(key))).getTokens().getAccessToken().getValue();

    assertError(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-db").build()),
        "invalid_request", "sender-constrained");
    ECKey thief = ExchangeFixture.newKey("thief");
    assertError(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-db").build(),
            OAuthClient.proof(thief, "POST", f.tokenUri, parent, new Date(f.clock.millis()))),
        "invalid_request", "sender-constrained");

    SignedJWT proof = OAuthClient.proof(key, "POST", f.tokenUri, parent, new Date(f.clock.millis()));
    AccessToken child = OAuthClient.success(client.send(client.delegate(parent, f.identity(TOOL), "read", "task-db").build(),
        proof)).getTokens().getAccessToken();
    assertThat(child.getType()).isEqualTo(AccessTokenType.DPOP);
    assertThat(claims(child.getValue()).getJSONObjectClaim("cnf")).containsEntry("jkt", key.computeThumbprint().toString());
  }

  @Test
  void delegationCanBeDisabled() {
    try (ExchangeFixture noDelegation = new ExchangeFixture(b -> b.delegation(false))) {
      OAuthClient c = new OAuthClient(noDelegation);
      String parent = OAuthClient.success(c.send(c.direct(noDelegation.identity(DEPLOYER), "read", "t").build()))
          .getTokens().getAccessToken().getValue();
      assertError(c.send(c.delegate(parent, noDelegation.identity(TOOL), "read", "t").build()),
          "invalid_request", "not enabled");
    }
  }

  // ---------------------------------------------------------------- errors

  @Test
  void aMalformedFormIsAnInvalidRequest() {
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "grant_type=urn%ZZ"), "invalid_request", "not valid application/x-www-form-urlencoded");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "grant_type=%C3%28"), "invalid_request", "not valid application/x-www-form-urlencoded");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "scope=" + "a".repeat(70_000)), "invalid_request", "larger than 65536 bytes");
  }

  @Test
  void aRepeatedParameterIsAnInvalidRequest() {
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "task-a")
        .customParameter("requested_ttl", "60", "120").build()), "invalid_request", "parameter requested_ttl is repeated");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "grant_type=a&grant_type=b"), "invalid_request", "parameter grant_type is repeated");
  }

  @Test
  void anotherGrantTypeIsUnsupported() {
    TokenRequest request = new TokenRequest.Builder(f.tokenUri, ExchangeFixture.resourceServer(), new ClientCredentialsGrant())
        .build();
    assertError(client.send(request), "unsupported_grant_type", "only the token-exchange grant type");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded", "scope=read"),
        "invalid_request", "grant_type is required");
  }

  @Test
  void aMissingSubjectTokenIsAnInvalidRequest() {
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&scope=read&task_id=t"
            + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"),
        "invalid_request", "subject_token and subject_token_type are required");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&scope=read&task_id=t&subject_token="),
        "invalid_request", "subject_token and subject_token_type are required");
  }

  @Test
  void anUnsupportedSubjectTokenTypeIsAnInvalidRequest() {
    TokenRequest request = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.SAML2))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).resource(URI.create(RESOURCE))
        .customParameter("task_id", "t").build();
    assertError(client.send(request), "invalid_request", "subject_token_type urn:ietf:params:oauth:token-type:saml2 is not supported");
  }

  @Test
  void moreThanOneTargetIsAnInvalidTarget() {
    TokenRequest twoResources = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.JWT))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read"))
        .resources(URI.create(RESOURCE), URI.create(RESOURCE + "/a"))
        .customParameter("task_id", "t").build();
    assertError(client.send(twoResources), "invalid_target", "exactly one resource or audience");
    TokenRequest resourceAndAudience = new TokenRequest.Builder(f.tokenUri, new TokenExchangeGrant(
            new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.JWT, null, null, null, List.of(new Audience("orders-api"))))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).resource(URI.create(RESOURCE))
        .customParameter("task_id", "t").build();
    assertError(client.send(resourceAndAudience), "invalid_target", "exactly one resource or audience");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        exchangeForm("read") + "&resource=relative%2Fpath"), "invalid_target", "absolute URI");
  }

  @Test
  void aMissingOrMalformedScopeIsAnInvalidScope() {
    TokenRequest noScope = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.JWT))
        .resource(URI.create(RESOURCE)).customParameter("task_id", "t").build();
    assertError(client.send(noScope), "invalid_scope", "scope is required");
    assertError(OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/x-www-form-urlencoded",
        exchangeForm("read++write")), "invalid_scope", "space-separated");
  }

  @Test
  void aMissingTaskIdIsAnInvalidRequest() {
    TokenRequest noTask = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.JWT))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).resource(URI.create(RESOURCE)).build();
    assertError(client.send(noTask), "invalid_request", "task_id is required");
  }

  @Test
  void otherBadParametersAreInvalidRequests() {
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "t").customParameter("requested_ttl", "soon").build()),
        "invalid_request", "requested_ttl must be");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "t").customParameter("requested_ttl", "0").build()),
        "invalid_request", "requested_ttl must be");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "t")
        .customParameter("requested_token_type", TokenTypeURI.REFRESH_TOKEN.getURI().toString()).build()),
        "invalid_request", "requested_token_type");
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read", "t" + "x".repeat(600)).build()),
        "invalid_request", "taskId must be at most 512 characters");
    TokenRequest withActor = new TokenRequest.Builder(f.tokenUri, new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)),
            TokenTypeURI.JWT, new TypelessToken(f.identity(TOOL)), TokenTypeURI.JWT, null, null))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).resource(URI.create(RESOURCE)).customParameter("task_id", "t")
        .build();
    assertError(client.send(withActor), "invalid_request", "actor_token is accepted only");
    TokenRequest noTarget = new TokenRequest.Builder(f.tokenUri,
            new TokenExchangeGrant(new TypelessToken(f.identity(DEPLOYER)), TokenTypeURI.JWT))
        .scope(com.nimbusds.oauth2.sdk.Scope.parse("read")).customParameter("task_id", "t").build();
    assertError(client.send(noTarget), "invalid_request", "resource or audience is required");
  }

  @Test
  void aPolicyDenialIsAnInvalidRequestThatSaysDeniedAndWhy() {
    String intruder = f.identity(INTRUDER);
    HTTPResponse response = client.send(client.direct(intruder, "read", "t").build());

    ErrorObject error = assertError(response, "invalid_request", "denied: rule deny-intruder: " + INTRUDER + " is blocked");
    assertThat(response.getBody()).doesNotContain(intruder);
    assertError(client.send(client.direct(f.identity(DEPLOYER), "read drop-tables", "t").build()),
        "invalid_request", "denied: rule actions");
    assertThat(error.getHTTPStatusCode()).isEqualTo(400);
  }

  @Test
  void aBadIdentityIsAnInvalidRequestThatNeverEchoesTheToken() {
    String forged = ExchangeFixture.mint(ExchangeFixture.newKey("idp-1"), ExchangeFixture.IDP, DEPLOYER,
        f.clock.instant().plusSeconds(600));
    HTTPResponse response = client.send(client.direct(forged, "read", "t").build());
    assertError(response, "invalid_request", "denied: identity: signature does not verify");
    assertThat(response.getBody()).doesNotContain(forged).doesNotContain(forged.split("\\.")[1]);

    String expired = ExchangeFixture.mint(f.idpKey, ExchangeFixture.IDP, DEPLOYER, f.clock.instant().minusSeconds(1));
    assertError(client.send(client.direct(expired, "read", "t").build()), "invalid_request", "denied: identity: credential expired");
    assertError(client.send(client.direct("garbage", "read", "t").build()), "invalid_request", "denied: identity: not a JWT");
  }

  @Test
  void onlyPostWithAFormIsAccepted() {
    HTTPResponse get = OAuthClient.raw(f.tokenUri, HTTPRequest.Method.GET, null, null);
    assertThat(get.getStatusCode()).isEqualTo(405);
    assertThat(get.getHeaderValue("Allow")).isEqualTo("POST");
    assertThat(OAuthClient.error(get).getCode()).isEqualTo("invalid_request");

    HTTPResponse json = OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST, "application/json", "{\"grant_type\":\"x\"}");
    assertThat(json.getStatusCode()).isEqualTo(415);
    assertThat(json.getCacheControl()).isEqualTo("no-store");
    HTTPResponse latin1 = OAuthClient.raw(f.tokenUri, HTTPRequest.Method.POST,
        "application/x-www-form-urlencoded; charset=ISO-8859-1", exchangeForm("read"));
    assertThat(latin1.getStatusCode()).isEqualTo(415);
  }

  // ---------------------------------------------------------------- helpers

  private String exchangeForm(String scope) {
    return "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&task_id=t&scope=" + scope
        + "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&subject_token=" + f.identity(DEPLOYER);
  }

  private String bearer(TokenRequest request) {
    return OAuthClient.success(client.send(request)).getTokens().getAccessToken().getValue();
  }

  private GrantInfo verified(String token, String audience) {
    Verification v = f.broker.verifier().verify(token, audience);
    assertThat(v).as("verification of the issued token").isInstanceOf(Verification.Verified.class);
    return ((Verification.Verified) v).grant();
  }

  static JWTClaimsSet claims(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet();
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  static ErrorObject assertError(HTTPResponse response, String code, String descriptionPart) {
    ErrorObject error = OAuthClient.error(response);
    assertThat(error.getCode()).as("error code of %s", response.getBody()).isEqualTo(code);
    assertThat(error.getDescription()).contains(descriptionPart);
    assertThat(response.getStatusCode()).isEqualTo(400);
    assertThat(response.getCacheControl()).isEqualTo("no-store");
    assertThat(response.getPragma()).isEqualTo("no-cache");
    assertThat(response.getHeaderValue("Content-Type")).startsWith("application/json");
    return error;
  }
}
