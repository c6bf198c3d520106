package dev.jitaccess.policy;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.PolicyContext;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A request description for tests, turned into a {@link PolicyContext}: a deploy to prod by a SPIFFE CI
 * identity on a Tuesday morning, each part replaceable. The request's parts are {@link GrantRequest.Builder}
 * calls kept by name (a later call of the same name replaces the default), so this class holds no copy of
 * the request's fields.
 */
final class Requests {
  /** Tuesday 2025-03-04 10:00 Europe/Berlin. */
  static final Instant TUESDAY_10 = Instant.parse("2025-03-04T09:00:00Z");

  private String id = "spiffe://prod.example.org/ci/deploy";
  private String issuer;
  private String owner;
  private final Map<String, Object> claims = new LinkedHashMap<>();
  private final Map<String, Consumer<GrantRequest.Builder>> parts = new LinkedHashMap<>();
  private Instant now = TUESDAY_10;

  private Requests() {
    purpose("deploy").task("task-1").resource("https://api.example.org").actions("deploy").environment("prod")
        .ttl(Duration.ofHours(1));
  }

  static Requests request() {
    return new Requests();
  }

  /** The identity's id (a SPIFFE ID, or any other id with an OIDC-like issuer). */
  Requests id(String v) {
    id = v;
    return this;
  }

  /** The identity's issuer; by default the SPIFFE trust domain of the id, or an OIDC issuer. */
  Requests issuer(String v) {
    issuer = v;
    return this;
  }

  /** The identity's owner. */
  Requests owner(String v) {
    owner = v;
    return this;
  }

  /** Adds an identity claim. */
  Requests claim(String k, Object v) {
    claims.put(k, v);
    return this;
  }

  Requests purpose(String v) {
    return part("purpose", b -> b.purpose(v));
  }

  Requests task(String v) {
    return part("task", b -> b.taskId(v));
  }

  Requests resource(String v) {
    return part("resource", b -> b.resource(v));
  }

  Requests actions(String... v) {
    return part("actions", b -> b.actions(v));
  }

  Requests environment(String v) {
    return part("environment", b -> b.environment(v));
  }

  Requests ttl(Duration v) {
    return part("ttl", b -> b.ttl(v));
  }

  /** Adds a request attribute. */
  Requests attribute(String k, Object v) {
    return part("attribute " + k, b -> b.attribute(k, v));
  }

  /** Removes a request attribute set before. */
  Requests withoutAttribute(String k) {
    parts.remove("attribute " + k);
    return this;
  }

  Requests breakGlass() {
    return part("breakGlass", b -> b.breakGlass(true).justification("incident"));
  }

  /** The evaluation instant. */
  Requests at(String instant) {
    now = Instant.parse(instant);
    return this;
  }

  /** Sets a request part, replacing the one of the same name. */
  private Requests part(String name, Consumer<GrantRequest.Builder> call) {
    parts.put(name, call);
    return this;
  }

  /** The request alone. */
  GrantRequest grantRequest() {
    GrantRequest.Builder rb = GrantRequest.builder().credential(Credential.jwtSvid("test-token"));
    parts.values().forEach(call -> call.accept(rb));
    return rb.build();
  }

  PolicyContext context() {
    String td = SpiffePattern.trustDomainOf(id);
    String iss = issuer != null ? issuer : td != null ? "spiffe://" + td : "https://issuer.example";
    WorkloadIdentity.Builder ib = WorkloadIdentity.builder(id, iss).attributes(claims);
    if (owner != null) {
      ib.owner(owner);
    }
    return new PolicyContext(ib.build(), grantRequest(), now);
  }
}
