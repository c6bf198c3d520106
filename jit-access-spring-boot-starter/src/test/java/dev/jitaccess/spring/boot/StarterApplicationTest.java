package dev.jitaccess.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.oauth.TokenExchange;
import dev.jitaccess.policy.LoadResult;
import dev.jitaccess.policy.Policy;
import dev.jitaccess.spring.boot.sample.ReportsApplication;
import dev.jitaccess.testkit.TestTrustDomain;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's sample application ({@link ReportsApplication} with the test resources' application.yaml)
 * in a real application context with a real Tomcat on a random port, called over HTTP: a workload
 * exchanges a JWT-SVID at the token endpoint and calls a protected controller with the grant through
 * Spring Security's resource server. One context for every test of this class.
 */
class StarterApplicationTest {
  static final String SPIFFE_ID = "spiffe://prod.example.org/ci/build";
  static final String RESOURCE = "https://reports.example.org";
  static final String POLICY = """
      version: 1
      maxTtl: 1h
      rules:
        - id: ci-reads-reports
          owner: platform-team
          effect: allow
          match:
            identity: {id: "spiffe://prod.example.org/ci/*"}
            resource: "https://reports.example.org"
            actions: [read]
          grant: {maxTtl: 10m}
        - id: ci-exports-once
          owner: platform-team
          effect: allow
          match:
            identity: {id: "spiffe://prod.example.org/ci/*"}
            resource: "https://reports.example.org"
            actions: [export]
          grant: {maxTtl: 10m, singleUse: true}
      """;

  @TempDir
  static Path dir;
  static TestTrustDomain spire;
  static ConfigurableApplicationContext app;
  static HttpClient http = HttpClient.newHttpClient();
  static String base;

  @BeforeAll
  static void start() throws Exception {
    spire = TestTrustDomain.create("prod.example.org", Clock.systemUTC());
    Files.writeString(dir.resolve("policy.yaml"), POLICY);
    Files.writeString(dir.resolve("bundle.json"), bundleJson(spire));
    Files.writeString(dir.resolve("signing-key.jwk"), new ECKeyGenerator(Curve.P_256).keyID("broker-1").generate()
        .toJSONString());
    app = new SpringApplicationBuilder(ReportsApplication.class)
        .properties(
            "server.port=0",
            "JIT_POLICY=" + dir.resolve("policy.yaml"),
            "JIT_SPIFFE_BUNDLE=" + dir.resolve("bundle.json"),
            "JIT_SIGNING_KEY=" + dir.resolve("signing-key.jwk"))
        .run();
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** The trust bundle in the SPIFFE format: the test trust domain's JWT authority. */
  static String bundleJson(TestTrustDomain domain) {
    String keys = domain.bundle().jwtAuthorities().entrySet().stream()
        .map(e -> new ECKey.Builder(Curve.P_256, (ECPublicKey) e.getValue()).keyID(e.getKey())
            .keyUse(new KeyUse("jwt-svid")).build().toJSONString())
        .collect(Collectors.joining(","));
    return "{\"keys\":[" + keys + "],\"spiffe_sequence\":1}";
  }

  static HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", TokenExchange.FORM_CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path, String token, String task) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (task != null) {
      b.header("Jit-Task", task);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A workload's token exchange: its JWT-SVID for a grant on the reports service. */
  static String exchange(String task, String scope) throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", TokenExchange.GRANT_TYPE);
    form.put("subject_token", spire.jwtSvid(SPIFFE_ID, "jit-broker"));
    form.put("subject_token_type", TokenExchange.JWT_TYPE);
    form.put("resource", RESOURCE);
    form.put("scope", scope);
    form.put(TokenExchange.TASK_ID, task);
    HttpResponse<String> r = post("/oauth2/token", form);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    return m.group(1);
  }

  static String grantId(String token) throws Exception {
    return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
  }

  @Test
  void aWorkloadExchangesItsSvidAndCallsTheProtectedControllerWithTheGrant() throws Exception {
    String token = exchange("build-1", "read");
    HttpResponse<String> r = get("/reports/daily", token, "build-1");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).startsWith("daily report for " + SPIFFE_ID + " [").contains("SCOPE_read")
        .doesNotContain("SCOPE_export");
    assertThat(get("/reports/daily", token, "build-1").statusCode()).as("reusable grant").isEqualTo(200);
  }

  @Test
  void aRevokedGrantIsRefusedAtOnce() throws Exception {
    String token = exchange("build-2", "read");
    assertThat(get("/reports/daily", token, "build-2").statusCode()).isEqualTo(200);
    assertThat(app.getBean(GrantBroker.class).revoke(grantId(token))).isTrue();
    HttpResponse<String> r = get("/reports/daily", token, "build-2");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().contains("revoked")
        .doesNotContain(token);
  }

  @Test
  void aSingleUseGrantIsRefusedTheSecondTime() throws Exception {
    String token = exchange("build-3", "export");
    assertThat(get("/reports/daily", token, "build-3").statusCode()).isEqualTo(200);
    HttpResponse<String> second = get("/reports/daily", token, "build-3");
    assertThat(second.statusCode()).isEqualTo(401);
    assertThat(second.headers().firstValue("WWW-Authenticate")).get().asString().contains("replayed");
  }

  @Test
  void anotherTasksTokenIsRefused() throws Exception {
    String token = exchange("build-4", "read");
    HttpResponse<String> r = get("/reports/daily", token, "build-5");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().contains("wrong_task");
  }

  @Test
  void aTamperedTokenIsRefused() throws Exception {
    String token = exchange("build-6", "read");
    String[] parts = token.split("\\.");
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
        .replace("\"read\"", "\"read write\"");
    String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(get("/reports/daily", forged, "build-6").statusCode()).isEqualTo(401);
    char last = parts[2].charAt(0);
    String badSignature = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
    assertThat(get("/reports/daily", badSignature, "build-6").statusCode()).isEqualTo(401);
    assertThat(get("/reports/daily", null, "build-6").statusCode()).as("no token").isEqualTo(401);
  }

  @Test
  void aRefusedExchangeIssuesNothing() throws Exception {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", TokenExchange.GRANT_TYPE);
    form.put("subject_token", spire.jwtSvid("spiffe://prod.example.org/ci/build", "someone-else"));
    form.put("subject_token_type", TokenExchange.JWT_TYPE);
    form.put("resource", RESOURCE);
    form.put("scope", "read");
    form.put(TokenExchange.TASK_ID, "build-7");
    HttpResponse<String> r = post("/oauth2/token", form);
    assertThat(r.statusCode()).isBetween(400, 403);
    assertThat(r.body()).doesNotContain("access_token");
  }

  /** Changes the policy file on disk and waits (with a deadline, no sleep) for the watcher's reload. */
  static LoadResult rewritePolicy(String yaml) throws Exception {
    Path file = dir.resolve("policy.yaml");
    if (Files.readString(file).equals(yaml)) {
      return Policy.parse("policy.yaml", yaml); // the same bytes: the watcher rightly reloads nothing
    }
    CompletableFuture<LoadResult> next = app.getBean(PolicyState.class).nextReload();
    Files.writeString(file, yaml);
    return next.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aPolicyFileChangedOnDiskIsReloadedAndABadOneIsRefusedKeepingTheLastGood() throws Exception {
    try {
      String onlyExport = POLICY.substring(0, POLICY.indexOf("  - id: ci-reads-reports"))
          + POLICY.substring(POLICY.indexOf("  - id: ci-exports-once"));
      assertThat(rewritePolicy(onlyExport)).isInstanceOf(LoadResult.Loaded.class);
      Map<String, String> form = new LinkedHashMap<>();
      form.put("grant_type", TokenExchange.GRANT_TYPE);
      form.put("subject_token", spire.jwtSvid(SPIFFE_ID, "jit-broker"));
      form.put("subject_token_type", TokenExchange.JWT_TYPE);
      form.put("resource", RESOURCE);
      form.put("scope", "read");
      form.put(TokenExchange.TASK_ID, "reload-1");
      assertThat(post("/oauth2/token", form).statusCode()).as("read is no longer granted").isBetween(400, 403);

      LoadResult refused = rewritePolicy("version: 1\nrules:\n  - id: broken\n    effect: perhaps\n");
      assertThat(refused).isInstanceOf(LoadResult.Invalid.class);
      assertThat(exchange("reload-2", "export")).as("the last good policy stays in force").isNotBlank();
      HttpResponse<String> health = get("/actuator/health", null, null);
      assertThat(health.body()).contains("policyReloadRefused").containsPattern("policy\\.yaml:\\d+:\\d+: error");
    } catch (Exception | AssertionError e) {
      try {
        rewritePolicy(POLICY);
      } catch (Exception restore) {
        e.addSuppressed(restore);
      }
      throw e;
    }
    assertThat(rewritePolicy(POLICY)).isInstanceOf(LoadResult.Loaded.class);
    assertThat(exchange("reload-3", "read")).isNotBlank();
  }

  @Test
  void healthShowsTheBrokersChecks() throws Exception {
    HttpResponse<String> r = get("/actuator/health", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("\"jit\"").contains("\"policyVersion\"").contains("\"store\":\"reachable\"")
        .contains("\"keys\":1").contains("\"bundleAgeSeconds\"");
  }

  @Test
  void metricsShowTheGrantsIssued() throws Exception {
    exchange("build-8", "read");
    HttpResponse<String> r = get("/actuator/metrics/jit.grants.issued", null, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Matcher m = Pattern.compile("\"statistic\"\\s*:\\s*\"COUNT\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.]+)").matcher(r.body());
    assertThat(m.find()).as(r.body()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(1);
    HttpResponse<String> timer = get("/actuator/metrics/jit.grant.request", null, null);
    assertThat(timer.statusCode()).as(timer.body()).isEqualTo(200);
    assertThat(timer.body()).contains("\"outcome\"").contains("allowed");
    HttpResponse<String> keyAge = get("/actuator/metrics/jit.key.age", null, null);
    assertThat(keyAge.statusCode()).as(keyAge.body()).isEqualTo(200);
    Matcher age = Pattern.compile("\"statistic\"\\s*:\\s*\"VALUE\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.]+)")
        .matcher(keyAge.body());
    assertThat(age.find()).as(keyAge.body()).isTrue();
    assertThat(Double.parseDouble(age.group(1))).isGreaterThanOrEqualTo(0);
  }
}
