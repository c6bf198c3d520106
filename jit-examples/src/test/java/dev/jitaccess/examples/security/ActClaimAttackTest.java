package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.Actor;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.oauth.HttpResponse;
import dev.jitaccess.oauth.TokenExchange;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.minidev.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 #16: the {@code act} claim follows RFC 8693 section 4.1. A resource server that reads a
 * sub-grant's token the standard way (here the Nimbus OAuth SDK's {@link Actor} parser) sees {@code sub} =
 * the subject on whose behalf the call is made, {@code act} = the current actor and each nested
 * {@code act} a prior actor; through {@code broker.delegate()} and through the token endpoint, at depth 1
 * and 3. The broker's verifier reads the same shape back, and the audit trail names both parties.
 */
class ActClaimAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();
  private static final String TOOL_1 = "spiffe://example.org/tools/one";
  private static final String TOOL_2 = "spiffe://example.org/tools/two";
  private static final String TOOL_3 = "spiffe://example.org/tools/three";

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static String task() {
    return "act-" + TASKS.incrementAndGet();
  }

  static JWTClaimsSet claims(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet();
  }

  /** The act claim as the OAuth SDK reads it from the token's top level. */
  static Actor actor(JWTClaimsSet claims) throws Exception {
    return Actor.parseTopLevel(new JSONObject(claims.toJSONObject()));
  }

  static Grant delegate(Target t, Grant parent, String delegate) {
    return t.broker.delegate(DelegationRequest.builder(parent).credential(Credential.jwtSvid(t.svid(delegate)))
        .actions("read").ttl(Duration.ofMinutes(5)).build());
  }

  @Test
  void actNamesTheCurrentActorAndSubStaysTheSubjectAtDepthOne() throws Exception {
    try (Target t = new Target()) {
      Grant workload = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task(), "agent").actions("read").build());
      Grant tool = delegate(t, workload, TOOL_1);
      JWTClaimsSet c = claims(tool.token());
      assertThat(c.getSubject()).as("sub: on whose behalf").isEqualTo(Target.WORKLOAD);
      Actor act = actor(c);
      assertThat(act.getSubject().getValue()).as("act.sub: the current actor").isEqualTo(TOOL_1);
      assertThat(act.getParent()).as("no prior actor").isNull();
      // the broker's verifier reads the same shape back: the holder is the actor, its delegator the subject
      Verification v = t.broker.verifier().verify(tool.token(), VerificationRequest.builder(Target.RESOURCE).build());
      GrantInfo read = ((Verification.Verified) v).grant();
      assertThat(read.subject()).isEqualTo(TOOL_1);
      assertThat(read.delegators()).containsExactly(Target.WORKLOAD);
      // the audit trail names both parties
      AuditEvent delegated = t.audit.events(AuditEventType.DELEGATED).get(0);
      assertThat(delegated.fields().get(AuditEvent.IDENTITY)).isEqualTo(TOOL_1);
      assertThat(delegated.fields().get(AuditEvent.REASON)).contains("delegated by " + Target.WORKLOAD)
          .contains("on behalf of " + Target.WORKLOAD);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void nestedActNamesEachPriorActorAtDepthThree() throws Exception {
    try (Target t = new Target()) {
      Grant workload = t.broker.request(t.request(Credential.jwtSvid(t.svid()), task(), "deep-agent").actions("read").build());
      Grant one = delegate(t, workload, TOOL_1);
      Grant two = delegate(t, one, TOOL_2);
      Grant three = delegate(t, two, TOOL_3);
      JWTClaimsSet c = claims(three.token());
      assertThat(c.getSubject()).isEqualTo(Target.WORKLOAD);
      Actor act = actor(c);
      assertThat(act.getSubject().getValue()).isEqualTo(TOOL_3);
      assertThat(act.getParent().getSubject().getValue()).isEqualTo(TOOL_2);
      assertThat(act.getParent().getParent().getSubject().getValue()).isEqualTo(TOOL_1);
      assertThat(act.getParent().getParent().getParent()).isNull();
      GrantInfo read = ((Verification.Verified) t.broker.verifier().verify(three.token(),
          VerificationRequest.builder(Target.RESOURCE).build())).grant();
      assertThat(read.subject()).isEqualTo(TOOL_3);
      assertThat(read.delegators()).containsExactly(TOOL_2, TOOL_1, Target.WORKLOAD);
      Attacks.tried("broker.delegate");
    }
  }

  @Test
  void theTokenEndpointMintsTheSameShape() throws Exception {
    try (Target t = new Target()) {
      TokenExchange x = TokenExchange.builder(t.broker).clock(t.clock).defaultPurpose("agent").defaultEnvironment("prod")
          .tokenEndpoint(URI.create("https://jit.test/token")).build();
      String taskId = task();
      Grant workload = t.broker.request(t.request(Credential.jwtSvid(t.svid()), taskId, "agent").actions("read").build());
      Map<String, String> p = new LinkedHashMap<>();
      p.put("grant_type", TokenExchange.GRANT_TYPE);
      p.put("subject_token", workload.token());
      p.put("subject_token_type", TokenExchange.ACCESS_TOKEN_TYPE);
      p.put("actor_token", t.svid(TOOL_1));
      p.put("actor_token_type", TokenExchange.JWT_TYPE);
      p.put("scope", "read");
      p.put("resource", Target.RESOURCE);
      p.put("task_id", taskId);
      HttpResponse r = x.exchange(OAuthAttackTest.form(p).build());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      String token = (String) com.nimbusds.jose.util.JSONObjectUtils.parse(r.body()).get("access_token");
      JWTClaimsSet c = claims(token);
      assertThat(c.getSubject()).as("sub stays the workload (subject_token)").isEqualTo(Target.WORKLOAD);
      Actor act = actor(c);
      assertThat(act.getSubject().getValue()).as("act names the actor (actor_token)").isEqualTo(TOOL_1);
      assertThat(act.getParent()).isNull();
      assertThat(List.of(c.getStringClaim("client_id"))).containsExactly(TOOL_1);
      Attacks.tried("TokenExchange.exchange");
    }
  }
}
