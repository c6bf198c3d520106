package dev.jitaccess.policy;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.PolicyContext;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A mutable request description for tests, turned into a {@link PolicyContext}. */
final class Requests {
  /** Tuesday 2025-03-04 10:00 Europe/Berlin. */
  static final Instant TUESDAY_10 = Instant.parse("2025-03-04T09:00:00Z");

  String id = "spiffe://prod.example.org/ci/deploy";
  String issuer;
  String owner;
  Map<String, Object> claims = new LinkedHashMap<>();
  String purpose = "deploy";
  String task = "task-1";
  String resource = "https://api.example.org";
  List<String> actions = List.of("deploy");
  String environment = "prod";
  Duration ttl = Duration.ofHours(1);
  Map<String, Object> attributes = new LinkedHashMap<>();
  boolean breakGlass;
  Instant now = TUESDAY_10;

  static Requests request() {
    return new Requests();
  }

  Requests id(String v) {
    id = v;
    return this;
  }

  Requests issuer(String v) {
    issuer = v;
    return this;
  }

  Requests owner(String v) {
    owner = v;
    return this;
  }

  Requests claim(String k, Object v) {
    claims.put(k, v);
    return this;
  }

  Requests purpose(String v) {
    purpose = v;
    return this;
  }

  Requests task(String v) {
    task = v;
    return this;
  }

  Requests resource(String v) {
    resource = v;
    return this;
  }

  Requests actions(String... v) {
    actions = List.of(v);
    return this;
  }

  Requests environment(String v) {
    environment = v;
    return this;
  }

  Requests ttl(Duration v) {
    ttl = v;
    return this;
  }

  Requests attribute(String k, Object v) {
    attributes.put(k, v);
    return this;
  }

  Requests breakGlass() {
    breakGlass = true;
    return this;
  }

  Requests at(String instant) {
    now = Instant.parse(instant);
    return this;
  }

  PolicyContext context() {
    String iss = issuer != null ? issuer
        : SpiffePattern.trustDomainOf(id) != null ? "spiffe://" + SpiffePattern.trustDomainOf(id) : "https://issuer.example";
    WorkloadIdentity.Builder ib = WorkloadIdentity.builder(id, iss).attributes(claims);
    if (owner != null) {
      ib.owner(owner);
    }
    GrantRequest.Builder rb = GrantRequest.builder()
        .credential(Credential.jwtSvid("test-token"))
        .purpose(purpose)
        .taskId(task)
        .resource(resource)
        .actions(actions)
        .environment(environment)
        .ttl(ttl);
    attributes.forEach(rb::attribute);
    if (breakGlass) {
      rb.breakGlass(true).justification("incident");
    }
    return new PolicyContext(ib.build(), rb.build(), now);
  }
}
