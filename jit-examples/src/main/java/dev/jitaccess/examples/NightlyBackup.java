package dev.jitaccess.examples;

import dev.jitaccess.Credential;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.RevocationReason;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.GrantListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Scenario 2, nightly backup: the backup job ({@value #JOB}) gets a 30-minute read grant automatically
 * (policy rule {@code nightly-backup}, no approval) with a 5-minute idle timeout. It renews the grant by
 * heartbeat while it works ({@code grant.renew()}), inside {@link GrantBroker#runWithGrant}, which ends the
 * grant when the job returns. A second run hangs: it stops heart-beating, the manual clock moves on, and
 * the grant is lost early, long before its 30 minutes, with the {@code onExpired} callback.
 */
public final class NightlyBackup {
  /** The backup job's SPIFFE ID. */
  public static final String JOB = "spiffe://prod.example.org/jobs/backup";
  /** The database backed up. */
  public static final String DATABASE = "postgres://orders-db.prod.example.org/orders";
  /** How often the job heart-beats. */
  public static final Duration HEARTBEAT = Duration.ofMinutes(4);

  private NightlyBackup() {}

  /**
   * What happened.
   *
   * @param grantedTtl the hard TTL of the first run's grant
   * @param heartbeats how many heartbeats the first run sent (each accepted)
   * @param firstRun how the first run's grant ended (COMPLETED by runWithGrant), or null if no revocation was seen
   * @param secondRunExpiredAt when the second run's grant expired for want of a heartbeat, by the callback, or
   *     null if it did not expire
   * @param secondRunHardExpiry when it would have expired had the job kept heart-beating
   * @param afterHang the second run's token presented after the hang
   * @param secondRunError what the hung job saw when it woke up (the exception's message, which may be null)
   * @param audit every audit event
   */
  public record Result(
      Duration grantedTtl,
      int heartbeats,
      @Nullable RevocationReason firstRun,
      @Nullable Instant secondRunExpiredAt,
      Instant secondRunHardExpiry,
      Verification afterHang,
      @Nullable String secondRunError,
      List<AuditEvent> audit) {
    /** Copies the list. */
    public Result {
      audit = List.copyOf(audit);
    }
  }

  /** Runs the scenario, printing what happens to {@code out}. */
  public static Result run(PrintStream out) {
    Narrator n = new Narrator(out);
    n.title("2. Nightly backup: an automatic 30-minute read grant kept alive by heartbeat");
    Scene scene = new Scene(out);
    Map<String, RevocationReason> ended = new ConcurrentHashMap<>();
    AtomicReference<Instant> expiredAt = new AtomicReference<>();
    GrantListener lifecycle = new GrantListener() {
      @Override
      public void onRevoked(GrantInfo grant, RevocationReason reason) {
        ended.put(grant.grantId(), reason);
        n.step("revoked", grant.grantId() + ", reason " + reason);
      }

      @Override
      public void onExpired(GrantInfo grant) {
        expiredAt.set(scene.clock.instant());
        n.step("EXPIRED", "callback: grant " + grant.grantId() + " lost at " + scene.clock.instant()
            + ", no heartbeat for 5m (hard expiry was " + grant.expiresAt() + ")");
      }
    };
    try (GrantBroker broker = scene.broker().listener(lifecycle).build()) {
      GrantVerifier database = broker.verifier();

      // Run 1: the job heart-beats every 4 minutes and finishes after 16 minutes.
      GrantRequest tonight = backupRequest(scene, "backup-2030-01-15");
      n.step("request", JOB + " wants " + tonight.actions() + " on " + DATABASE + " for 30m");
      n.decision(broker.evaluate(tonight));
      String[] firstGrant = new String[1];
      Duration[] ttl = new Duration[1];
      int heartbeats = broker.runWithGrant(tonight, grant -> {
        n.grant(grant);
        firstGrant[0] = grant.id();
        ttl[0] = Duration.between(grant.info().issuedAt(), grant.expiresAt());
        int beats = 0;
        for (int chunk = 1; chunk <= 4; chunk++) {
          n.verification("chunk " + chunk + "/4, orders-db", database.verify(grant.token(),
              VerificationRequest.builder(DATABASE).taskId(grant.info().taskId()).requiredActions("read").build()));
          scene.clock.advance(HEARTBEAT); // copying takes 4 minutes
          if (!grant.renew()) {
            throw new IllegalStateException("lost the grant during chunk " + chunk);
          }
          beats++;
          n.step("heartbeat", "at " + scene.clock.instant() + ": idle deadline moved, hard expiry stays "
              + grant.expiresAt());
        }
        return beats;
      });
      n.step("done", "backup finished after " + heartbeats + " heartbeats; runWithGrant ended the grant");

      // Run 2: the job hangs after one chunk and stops heart-beating.
      GrantRequest retry = backupRequest(scene, "backup-2030-01-15-retry");
      n.step("request", "a second run, task " + retry.taskId());
      String[] token = new String[1];
      Instant[] hardExpiry = new Instant[1];
      String error;
      try {
        broker.runWithGrant(retry, grant -> {
          n.grant(grant);
          token[0] = grant.token();
          hardExpiry[0] = grant.expiresAt();
          scene.clock.advance(HEARTBEAT);
          grant.renew();
          n.step("heartbeat", "at " + scene.clock.instant());
          n.step("hang", "the job blocks on a stuck NFS mount for 6 minutes...");
          scene.clock.advance(Duration.ofMinutes(6));
          if (!grant.renew()) {
            throw new IllegalStateException("heartbeat refused: the grant is gone, backup aborted");
          }
          return "finished"; // never reached in this scenario; GrantTask results are non-null
        });
        error = "none";
      } catch (IllegalStateException e) {
        error = e.getMessage();
        n.step("job", "woke up: " + error);
      }
      Verification afterHang = database.verify(token[0], VerificationRequest.builder(DATABASE).build());
      n.verification("the hung run's token", afterHang);
      n.say("audit of run 1: " + scene.auditOf(firstGrant[0]));
      return new Result(ttl[0], heartbeats, ended.get(firstGrant[0]), expiredAt.get(), hardExpiry[0], afterHang,
          error, scene.audit());
    }
  }

  private static GrantRequest backupRequest(Scene scene, String taskId) {
    return GrantRequest.builder()
        .credential(Credential.jwtSvid(scene.svid("/jobs/backup", "storage-team")))
        .taskId(taskId)
        .purpose("backup")
        .resource(DATABASE)
        .actions("read")
        .environment("prod")
        .ttl(Duration.ofMinutes(30))
        .build();
  }

  /** Runs the scenario on standard output. */
  public static void main(String[] args) {
    run(System.out);
  }
}
