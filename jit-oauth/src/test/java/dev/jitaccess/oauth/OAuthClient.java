package dev.jitaccess.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.oauth2.sdk.token.TypelessToken;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Date;

/** The Nimbus OAuth 2.0 SDK as a standard client of the adapter: requests, DPoP proofs, response parsing. */
final class OAuthClient {
  private final ExchangeFixture f;

  OAuthClient(ExchangeFixture f) {
    this.f = f;
  }

  /** A token-exchange request for a direct grant: the workload's identity JWT as subject token. */
  TokenRequest.Builder direct(String identityJwt, String scope, String task) {
    return new TokenRequest.Builder(f.tokenUri, new TokenExchangeGrant(new TypelessToken(identityJwt), TokenTypeURI.JWT))
        .scope(Scope.parse(scope))
        .resource(URI.create(ExchangeFixture.RESOURCE))
        .customParameter("task_id", task);
  }

  /** A token-exchange request for a sub-grant: a grant token as subject, the delegate's JWT as actor. */
  TokenRequest.Builder delegate(String parentToken, String actorJwt, String scope, String task) {
    return new TokenRequest.Builder(f.tokenUri, new TokenExchangeGrant(new TypelessToken(parentToken),
            TokenTypeURI.ACCESS_TOKEN, new TypelessToken(actorJwt), TokenTypeURI.JWT, null, null))
        .scope(Scope.parse(scope))
        .customParameter("task_id", task);
  }

  HTTPResponse send(TokenRequest request) {
    return send(request.toHTTPRequest());
  }

  HTTPResponse send(TokenRequest request, SignedJWT dpopProof) {
    HTTPRequest http = request.toHTTPRequest();
    http.setDPoP(dpopProof);
    return send(http);
  }

  static HTTPResponse send(HTTPRequest http) {
    try {
      return http.send();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A raw POST with any body and content type, for requests a well-behaved client would never send. */
  static HTTPResponse raw(URI uri, HTTPRequest.Method method, String contentType, String body) {
    HTTPRequest http = new HTTPRequest(method, uri);
    if (contentType != null) {
      http.setHeader("Content-Type", contentType);
    }
    if (body != null) {
      http.setBody(body);
    }
    return send(http);
  }

  static AccessTokenResponse success(HTTPResponse response) {
    try {
      TokenResponse parsed = TokenResponse.parse(response);
      if (!parsed.indicatesSuccess()) {
        throw new AssertionError("expected success, got " + response.getStatusCode() + " "
            + parsed.toErrorResponse().getErrorObject().toJSONObject());
      }
      return parsed.toSuccessResponse();
    } catch (ParseException e) {
      throw new AssertionError("unparseable token response", e);
    }
  }

  static ErrorObject error(HTTPResponse response) {
    try {
      return TokenErrorResponse.parse(response).getErrorObject();
    } catch (ParseException e) {
      throw new AssertionError("unparseable error response: " + response.getBody(), e);
    }
  }

  /** A DPoP proof for the token endpoint, issued now by the fixture's clock. */
  SignedJWT tokenEndpointProof(ECKey key) {
    return proof(key, "POST", f.tokenUri, null, new Date(f.clock.millis()));
  }

  static SignedJWT proof(ECKey key, String method, URI uri, String accessToken, Date iat) {
    try {
      AccessToken at = accessToken == null ? null : new DPoPAccessToken(accessToken);
      return new DefaultDPoPProofFactory(key, JWSAlgorithm.ES256).createDPoPJWT(new JWTID(), method, uri, iat, at);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  TokenIntrospectionResponse introspect(String token, ClientAuthentication auth) {
    HTTPResponse response = send(new TokenIntrospectionRequest(f.introspectionUri, auth, new TypelessAccessToken(token))
        .toHTTPRequest());
    try {
      return TokenIntrospectionResponse.parse(response);
    } catch (ParseException e) {
      throw new AssertionError("unparseable introspection response: " + response.getBody(), e);
    }
  }

  TokenIntrospectionSuccessResponse introspect(String token) {
    TokenIntrospectionResponse r = introspect(token, ExchangeFixture.resourceServer());
    if (!r.indicatesSuccess()) {
      throw new AssertionError("introspection failed: " + r.toErrorResponse().getErrorObject().toJSONObject());
    }
    return r.toSuccessResponse();
  }

  HTTPResponse revoke(String token, ClientAuthentication auth) {
    return send(new TokenRevocationRequest(f.revocationUri, auth, new TypelessAccessToken(token)).toHTTPRequest());
  }
}
