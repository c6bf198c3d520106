package dev.jitaccess.examples;

import dev.jitaccess.Decision;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.Verification;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.TreeSet;

/** Readable console output for the scenarios: never a token, at most the first bytes of its SHA-256. */
final class Narrator {
  private final PrintStream out;

  Narrator(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  void title(String title) {
    out.println();
    out.println("=== " + title + " " + "=".repeat(Math.max(3, 96 - title.length())));
  }

  void say(String text) {
    out.println("  " + text);
  }

  void step(String label, String text) {
    out.printf("  %-10s %s%n", label, text);
  }

  void decision(Decision d) {
    String kind = d instanceof Decision.Allow ? "ALLOW" : d instanceof Decision.Deny ? "DENY" : "NEEDS APPROVAL";
    step("decision", kind + " by " + (d.ruleIds().isEmpty() ? "no rule (default deny)" : d.ruleIds()));
    for (String reason : d.reasons()) {
      if (!reason.startsWith("rule ")) { // leave out the candidate rules that did not match
        step("", "why: " + reason);
      }
    }
  }

  void grant(Grant grant) {
    GrantInfo i = grant.info();
    step("grant", i.grantId() + " for " + i.subject() + " (owner " + i.owner().orElse("-") + ")");
    step("", "may " + new TreeSet<>(i.actions()) + " on " + i.resource() + " for task " + i.taskId()
        + ", " + human(Duration.between(i.issuedAt(), i.expiresAt())) + " until " + i.expiresAt());
    step("", "token: a signed JWT, sha256 " + hash(grant.token()) + "... (never printed)");
  }

  void verification(String who, Verification v) {
    if (v instanceof Verification.Verified) {
      step("use", who + ": token accepted");
    } else {
      Verification.Rejected r = (Verification.Rejected) v;
      step("use", who + ": token REJECTED, " + r.reason() + " (" + r.detail() + ")");
    }
  }

  /**
   * The first 12 characters of the token's SHA-256 (base64url), the start of the {@code token_sha256}
   * field of its audit events: enough to find it in the audit trail, useless to an attacker.
   */
  static String hash(String token) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  static String human(Duration d) {
    if (d.toSecondsPart() != 0 || d.isZero()) {
      return d.toSeconds() + "s";
    }
    return d.toHours() > 0 && d.toMinutesPart() == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
  }
}
