package dev.jitaccess.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * For any chain of sub-grants built through token exchanges: each token's scope is a subset of its
 * parent's, its {@code exp} is not after its parent's, its {@code act} chain grows by one, an expired parent
 * cannot be exchanged; and revoking any
 * link through the revocation endpoint makes it and every descendant inactive while its ancestors stay active.
 */
class SubGrantChainProperties {
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final AtomicInteger TASKS = new AtomicInteger();
  private ExchangeFixture f;

  @BeforeProperty
  void start() {
    f = new ExchangeFixture();
  }

  @AfterProperty
  void stop() {
    f.close();
  }

  record Step(int actionMask, int ttlSeconds, int advanceSeconds, boolean deeper) {}

  @Provide
  Arbitrary<List<Step>> chains() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 15),
            Arbitraries.integers().between(1, 3600),
            Arbitraries.integers().between(0, 120),
            Arbitraries.of(true, false))
        .as(Step::new)
        .list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 25)
  void aSubGrantIsNeverWiderOrLongerLivedThanItsParentAndDiesWithAnyAncestor(
      @ForAll("chains") List<Step> steps,
      @ForAll @IntRange(min = 600, max = 1800) int rootTtl,
      @ForAll @IntRange(min = 0, max = 4) int revokeAt) {
    String task = "chain-" + TASKS.incrementAndGet();
    String resource = ExchangeFixture.RESOURCE;
    Map<String, String> root = new LinkedHashMap<>();
    root.put("subject_token", f.identity(ExchangeFixture.DEPLOYER));
    root.put("subject_token_type", TokenExchange.JWT_TYPE);
    root.put("scope", "admin deploy read write");
    root.put("resource", resource);
    root.put("requested_ttl", String.valueOf(rootTtl));
    List<String> chain = new ArrayList<>();
    chain.add(issue(task, root));

    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      f.clock.advance(Duration.ofSeconds(step.advanceSeconds()));
      String parent = chain.get(chain.size() - 1);
      JWTClaimsSet parentClaims = TokenExchangeEndpointTest.claims(parent);
      List<String> parentScope = new ArrayList<>(new TreeSet<>(scope(parentClaims)));
      Set<String> asked = new LinkedHashSet<>();
      for (int bit = 0; bit < parentScope.size(); bit++) {
        if ((step.actionMask() >> bit & 1) == 1) {
          asked.add(parentScope.get(bit));
        }
      }
      if (asked.isEmpty()) {
        asked.add(parentScope.get(0));
      }
      if (step.deeper()) {
        resource = resource + "/level" + i;
      }
      String actor = "spiffe://example.org/agent/tool-" + i;
      Map<String, String> form = new LinkedHashMap<>();
      form.put("subject_token", parent);
      form.put("subject_token_type", TokenExchange.ACCESS_TOKEN_TYPE);
      form.put("actor_token", f.identity(actor));
      form.put("actor_token_type", TokenExchange.JWT_TYPE);
      form.put("scope", String.join(" ", asked));
      form.put("resource", resource);
      form.put("requested_ttl", String.valueOf(step.ttlSeconds()));
      if (!f.clock.instant().isBefore(parentClaims.getExpirationTime().toInstant())) {
        HttpResponse refused = exchange(task, form);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("not a live grant");
        break;
      }
      String child = issue(task, form);
      JWTClaimsSet childClaims = TokenExchangeEndpointTest.claims(child);

      assertThat(scope(parentClaims)).containsAll(scope(childClaims));
      assertThat(scope(childClaims)).isEqualTo(asked);
      assertThat(childClaims.getExpirationTime()).isBeforeOrEqualTo(parentClaims.getExpirationTime());
      assertThat(childClaims.getExpirationTime().toInstant())
          .isBeforeOrEqualTo(f.clock.instant().plusSeconds(step.ttlSeconds()));
      // RFC 8693 section 4.1: sub stays the deployer, act names the current actor
      assertThat(childClaims.getSubject()).isEqualTo(ExchangeFixture.DEPLOYER);
      assertThat(((Map<?, ?>) childClaims.getClaim("act")).get("sub")).isEqualTo(actor);
      assertThat(actDepth(childClaims)).isEqualTo(i + 1);
      assertThat(childClaims.getAudience()).containsExactly(resource);
      chain.add(child);
    }

    int revoked = revokeAt % chain.size();
    HttpResponse revocation = f.exchange.revoke(withAuth("token=" + encode(chain.get(revoked))));
    assertThat(revocation.status()).isEqualTo(200);
    for (int i = 0; i < chain.size(); i++) {
      boolean unexpired = f.clock.instant().isBefore(
          TokenExchangeEndpointTest.claims(chain.get(i)).getExpirationTime().toInstant());
      assertThat(active(chain.get(i))).as("link %d of %d after revoking link %d", i, chain.size(), revoked)
          .isEqualTo(i < revoked && unexpired);
    }
  }

  private String issue(String task, Map<String, String> parameters) {
    HttpResponse response = exchange(task, parameters);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return (String) json(response.body()).get("access_token");
  }

  private HttpResponse exchange(String task, Map<String, String> parameters) {
    StringBuilder body = new StringBuilder("grant_type=").append(encode(TokenExchange.GRANT_TYPE))
        .append("&task_id=").append(encode(task));
    parameters.forEach((k, v) -> body.append('&').append(k).append('=').append(encode(v)));
    return f.exchange.exchange(HttpRequest.fromForm(body.toString(), FORM, Map.of()));
  }

  private boolean active(String token) {
    HttpResponse response = f.exchange.introspect(withAuth("token=" + encode(token)));
    assertThat(response.status()).isEqualTo(200);
    return Boolean.TRUE.equals(json(response.body()).get("active"));
  }

  private static HttpRequest withAuth(String body) {
    return HttpRequest.fromForm(body, FORM,
        Map.of("Authorization", List.of(ExchangeFixture.resourceServer().toHTTPAuthorizationHeader())));
  }

  private static Set<String> scope(JWTClaimsSet claims) {
    return new LinkedHashSet<>(List.of(((String) claims.getClaim("scope")).split(" ")));
  }

  private static int actDepth(JWTClaimsSet claims) {
    int depth = 0;
    Object act = claims.getClaim("act");
    while (act instanceof Map) {
      depth++;
      act = ((Map<?, ?>) act).get("act");
    }
    return depth;
  }

  private static Map<String, Object> json(String body) {
    try {
      return JSONObjectUtils.parse(body);
    } catch (java.text.ParseException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
