package dev.jitaccess.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.jitaccess.Credential;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.SigningAlgorithm;
import dev.jitaccess.Verification;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.store.postgres.PostgresAuditSink;
import dev.jitaccess.store.postgres.PostgresGrantStore;
import dev.jitaccess.store.postgres.PostgresSchema;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The issue-15 targets with PostgreSQL, paired in one JVM so the ratios hold on a noisy machine: the
 * in-memory store and the PostgreSQL store are measured round by round, alternately, with the same
 * algorithm (ES256), the same identity verifier and the same allow-all policy ({@link Brokers}).
 *
 * <ul>
 *   <li>{@code verify}: {@code broker.verifier().verify} of one live token, PostgreSQL against in-memory, after
 *       three unmeasured rounds of each;
 *   <li>{@code grant}: {@code broker.request} from 8 threads, PostgreSQL against in-memory, after
 *       unmeasured rounds of the four grant paths below until the JIT compiler's threads take less than 2%
 *       of a round's CPU (at least 3 rounds, at most 60; how many it took is printed), every request
 *       for the same identity (the hardest case for the PostgreSQL store: one identity's quota) and a new
 *       task, grants of one hour (none expires during the run); each broker has the same policy, the same
 *       dropping audit sink, and the PostgreSQL one a pool of 8 connections, of which its store's change feed
 *       holds one for good (no {@code listenerDataSource} given), so 7 serve the 8 client threads
 *       (JIT_BENCH_POOL sets how many); then the
 *       same with the PostgreSQL audit sink linked to the store (each grant row commits with its {@code
 *       ISSUED} record, as a deployment with replicas runs it), once appending to 16 chains (the default)
 *       and once to 1 (one head row every append waits on, as before schema version 8), each broker with
 *       its own store and pool of 8;
 *   <li>{@code revoke}: latency from {@code revoke} returning on replica A to replica B's verifier
 *       refusing the token (p50/p99);
 *   <li>{@code revokeTask}: 10,000 grants of one task issued over 3 replicas, {@code revokeTask} on one,
 *       time from the call until every replica's verifier refuses a sample of them (each replica verified
 *       the whole sample before, so each had them cached as live; each replica's checker runs on its own
 *       thread from before the call, so a replica's refusal is timed when it happens, not after the
 *       revoking replica has returned), and separately when the call returned;
 *   <li>{@code recovery}: every server connection of the three replicas (pools and change feeds) killed
 *       at once with {@code pg_terminate_backend}, as a server restart does to them, the server still
 *       accepting connections; time until the first successful grant on a replica (median and worst of
 *       several kills).
 * </ul>
 *
 * <p>Run: {@code java -cp jit-benchmarks/target/benchmarks.jar dev.jitaccess.benchmarks.ReplicaBench
 * [rounds] [grants] [restart]}, against JIT_PG_URL / JIT_PG_USER / JIT_PG_PASSWORD (defaults: the local test
 * database). Each run works in a fresh schema and drops it. Recovery is measured after killing the
 * replicas' connections; with {@code restart}, also once after a real server restart (as root: {@code
 * pg_ctlcluster --skip-systemctl-redirect 15 main restart}, or the command in JIT_PG_RESTART), timed from
 * the moment a new connection succeeds to each replica's first grant.
 */
public final class ReplicaBench {
  private static final SigningAlgorithm ALGORITHM = SigningAlgorithm.ES256;
  /** The client threads of a grant round (the target's 8). */
  private static final int GRANT_THREADS = 8;
  /** Unmeasured rounds of each verify path before the measured ones. */
  private static final int VERIFY_WARMUP_ROUNDS = 3;
  /** The fewest unmeasured rounds of the four grant paths before the measured ones. */
  private static final int GRANT_WARMUP_MIN_ROUNDS = 3;
  /** The most ({@link #main}): a JIT that is still busy after these is reported, not waited for. */
  private static final int GRANT_WARMUP_MAX_ROUNDS = 60;
  /** The JIT counts as done with the grant paths when its threads took less than this share of a round's CPU. */
  private static final double JIT_QUIET = 0.02;

  private ReplicaBench() {}

  /** The figures of one run. */
  record Figures(double verifyRatio, double grantRatio, double revokeP50Millis, double revokeP99Millis,
      double revokeTaskMillis, int revokedByTask, double recoveryP50Millis, double recoveryMaxMillis) {}

  /** Runs every measurement and prints the figures. */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int grants = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    boolean restart = args.length > 2 && args[2].equals("restart");
    run(System.out, rounds, grants, Duration.ofMillis(500), restart, GRANT_WARMUP_MAX_ROUNDS);
  }

  /** A run without the server restart, with the fewest grant warm-up rounds, busy JIT or not (the smoke test). */
  static Figures run(PrintStream out, int rounds, int taskGrants, Duration roundLength) {
    return run(out, rounds, taskGrants, roundLength, false, GRANT_WARMUP_MIN_ROUNDS);
  }

  static Figures run(PrintStream out, int rounds, int taskGrants, Duration roundLength, boolean restart,
      int maxGrantWarmup) {
    // a broker's pool: its connections for grants and the one its store's change feed holds
    int poolSize = grantConnections(env("JIT_BENCH_POOL", String.valueOf(GRANT_THREADS - 1))) + 1;
    String schema = "jit_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    List<HikariDataSource> pools = new ArrayList<>();
    try {
      HikariDataSource migrate = pool("migrate", 2);
      pools.add(migrate);
      PostgresSchema.of(migrate, schema).migrate();
      Clock clock = Clock.systemUTC();
      JwtSvids svids = new JwtSvids(Crypto.Ecdsa.BOUNCY_CASTLE, clock);
      String key = sharedKey();
      List<GrantBroker> replicas = new ArrayList<>();
      List<GrantBroker> audited = new ArrayList<>();
      List<PostgresGrantStore> auditedStores = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        HikariDataSource p = pool(schema + "-replica-" + r, poolSize);
        pools.add(p);
        GrantStore store = PostgresGrantStore.builder().dataSource(p).schema(schema).clock(clock).build();
        replicas.add(Brokers.builder(ALGORITHM, svids.identityVerifier()).store(store).signingKey(key).build());
      }
      GrantBroker memory = Brokers.builder(ALGORITHM, svids.identityVerifier()).signingKey(key).build();
      for (int chains : new int[] {PostgresAuditSink.CHAINS, 1}) {
        HikariDataSource p = pool(schema + "-audited-" + chains, poolSize);
        pools.add(p);
        PostgresGrantStore store = PostgresGrantStore.builder().dataSource(p).schema(schema).clock(clock).build();
        PostgresAuditSink audit = PostgresAuditSink.builder().dataSource(p).schema(schema).grantStore(store)
            .chains(chains).build();
        audited.add(Brokers.builder(ALGORITHM, svids.identityVerifier(), audit).store(store).signingKey(key).build());
        auditedStores.add(store);
      }
      // the two audited brokers are for the grant rounds only: closed after them, so that the revocation
      // figures are those of the 3 replicas the targets name (their change feeds would be two more
      // catch-ups on the same 2 cores)
      Runnable closeAudited = () -> {
        audited.forEach(GrantBroker::close);
        auditedStores.forEach(PostgresGrantStore::close);
      };
      try {
        Credential credential = Credential.jwtSvid(svids.mint(JwtSvids.WORKLOAD, Duration.ofDays(1)));
        Figures f = measure(out, rounds, taskGrants, roundLength, maxGrantWarmup, credential, memory, replicas,
            audited, closeAudited);
        double[] recovery = recovery(migrate, schema, credential, replicas, Math.max(3, rounds));
        if (restart) {
          restart(out, credential, replicas);
        }
        f = new Figures(f.verifyRatio(), f.grantRatio(), f.revokeP50Millis(), f.revokeP99Millis(),
            f.revokeTaskMillis(), f.revokedByTask(), percentile(recovery, 0.5), recovery[recovery.length - 1]);
        out.printf("verify PG/in-memory %.3f, grant@8 PG/in-memory %.3f, revoke->refused p50 %.2f ms p99 %.2f ms,"
            + " revokeTask(%d over 3 replicas) until all refuse %.1f ms, first grant after every connection"
            + " was killed p50 %.1f ms max %.1f ms%n", f.verifyRatio(), f.grantRatio(),
            f.revokeP50Millis(), f.revokeP99Millis(), f.revokedByTask(), f.revokeTaskMillis(),
            f.recoveryP50Millis(), f.recoveryMaxMillis());
        return f;
      } finally {
        memory.close();
        replicas.forEach(GrantBroker::close);
        closeAudited.run();
      }
    } finally {
      if (!pools.isEmpty()) {
        try (Connection c = pools.get(0).getConnection(); Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
          out.println("could not drop schema " + schema + ": " + e.getMessage());
        }
      }
      pools.forEach(HikariDataSource::close);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the revokeTask checkers", e);
    }
  }

  private static Figures measure(PrintStream out, int rounds, int taskGrants, Duration roundLength,
      int maxGrantWarmup, Credential credential, GrantBroker memory, List<GrantBroker> replicas,
      List<GrantBroker> audited, Runnable closeAudited) {
    GrantBroker a = replicas.get(0);
    GrantBroker b = replicas.get(1);
    String memToken = memory.request(Brokers.request(credential, "verify-mem", Duration.ofHours(1))).token();
    String pgToken = a.request(Brokers.request(credential, "verify-pg", Duration.ofHours(1))).token();
    GrantVerifier memVerifier = memory.verifier();
    GrantVerifier pgVerifier = a.verifier();
    double[] verifyRatios = new double[rounds];
    double[] grantRatios = new double[rounds];
    AtomicInteger task = new AtomicInteger();
    // unmeasured warm-up of both verify paths (the same for each): the target is the steady-state hot path,
    // and in the first rounds of a JVM the second-measured path was still being compiled
    for (int i = 0; i < VERIFY_WARMUP_ROUNDS; i++) {
      opsPerSecond(roundLength, () -> verified(memVerifier.verify(memToken, Brokers.RESOURCE)));
      opsPerSecond(roundLength, () -> verified(pgVerifier.verify(pgToken, Brokers.RESOURCE)));
    }
    // the grant paths (all four measured below) until the JIT has finished with them, not for a fixed count:
    // with 8 grant threads, the compiler threads get a ninth of the cores at best, and on one core (run.sh
    // replicas' second run) they were still compiling the request path a minute in, taking up to 40% of a
    // PostgreSQL round's CPU (the path with the most code, the driver's) against 10-15% of an in-memory one
    int warm = 0;
    double jitShare;
    do {
      long jit = CpuPaired.compilerCpuNanos();
      long cpu = processCpuNanos();
      grantsPerSecond(memory, credential, task, roundLength);
      grantsPerSecond(a, credential, task, roundLength);
      grantsPerSecond(audited.get(0), credential, task, roundLength);
      grantsPerSecond(audited.get(1), credential, task, roundLength);
      jitShare = (double) (CpuPaired.compilerCpuNanos() - jit) / Math.max(1, processCpuNanos() - cpu);
      warm++;
    } while (warm < GRANT_WARMUP_MIN_ROUNDS || (jitShare >= JIT_QUIET && warm < maxGrantWarmup));
    out.printf("grant warm-up: %d rounds of the four grant paths, %.1f%% of the last one's JVM CPU in the JIT"
        + " compiler%s%n", warm, jitShare * 100, jitShare >= JIT_QUIET ? " (still compiling: the rounds below"
        + " measure some of it)" : "");
    for (int i = 0; i < rounds; i++) {
      double mem = opsPerSecond(roundLength, () -> verified(memVerifier.verify(memToken, Brokers.RESOURCE)));
      double pg = opsPerSecond(roundLength, () -> verified(pgVerifier.verify(pgToken, Brokers.RESOURCE)));
      verifyRatios[i] = pg / mem;
      GrantRate memGrants = grantsPerSecond(memory, credential, task, roundLength);
      GrantRate pgGrants = grantsPerSecond(a, credential, task, roundLength);
      grantRatios[i] = pgGrants.perSecond() / memGrants.perSecond();
      double audited16 = grantsPerSecond(audited.get(0), credential, task, roundLength).perSecond();
      double audited1 = grantsPerSecond(audited.get(1), credential, task, roundLength).perSecond();
      out.printf("round %d: verify %.0f/s in-memory, %.0f/s PG; grant@8 %s in-memory, %s PG, PG with its"
          + " audit sink %.0f/s (16 chains) %.0f/s (1 chain); load %.2f%n", i + 1, mem, pg, memGrants, pgGrants,
          audited16, audited1, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
    closeAudited.run();
    int samples = Math.max(20, rounds * 20);
    double[] revokeMillis = new double[samples];
    for (int i = 0; i < samples; i++) {
      Grant g = a.request(Brokers.request(credential, "revoke-" + i, Duration.ofHours(1)));
      verified(b.verifier().verify(g.token(), Brokers.RESOURCE));
      long start = System.nanoTime();
      a.revoke(g.id());
      while (b.verifier().verify(g.token(), Brokers.RESOURCE) instanceof Verification.Verified) {
        Thread.onSpinWait();
      }
      revokeMillis[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(revokeMillis);
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < taskGrants; i++) {
      Grant g = replicas.get(i % replicas.size()).request(Brokers.request(credential, "big-task", Duration.ofHours(1)));
      if (i % Math.max(1, taskGrants / 30) == 0) {
        sample.add(g.token());
      }
    }
    // every replica has verified (and cached) every sampled token before the revocation: what is timed is how
    // long each replica keeps accepting a grant it knew as live, not first-time signature checks
    for (GrantBroker r : replicas) {
      for (String t : sample) {
        verified(r.verifier().verify(t, Brokers.RESOURCE));
      }
    }
    // each replica checked on its own thread, as separate hosts would be, and from before the call: what is
    // timed is when each replica refuses, which for the other replicas does not wait for the revoking
    // replica to finish reporting each grant (its REVOKED record, listeners) and return
    ExecutorService checkers = Executors.newFixedThreadPool(replicas.size());
    CountDownLatch ready = new CountDownLatch(replicas.size());
    CountDownLatch go = new CountDownLatch(1);
    long[] start = new long[1];
    List<CompletableFuture<Double>> checks = new ArrayList<>();
    for (GrantBroker r : replicas) {
      checks.add(CompletableFuture.supplyAsync(() -> {
        ready.countDown();
        awaitQuietly(go);
        for (String t : sample) {
          while (r.verifier().verify(t, Brokers.RESOURCE) instanceof Verification.Verified) {
            LockSupport.parkNanos(100_000); // 0.1 ms: three checkers must not starve the feeds of two cores
          }
        }
        return (System.nanoTime() - start[0]) / 1e6;
      }, checkers));
    }
    awaitQuietly(ready);
    start[0] = System.nanoTime();
    go.countDown(); // the latch publishes start[0] to the checkers
    int revoked = replicas.get(2).revokeTask("big-task");
    double returned = (System.nanoTime() - start[0]) / 1e6;
    checkers.shutdown();
    StringBuilder refused = new StringBuilder();
    double revokeTaskMillis = 0;
    for (CompletableFuture<Double> check : checks) {
      double ms = check.join();
      refused.append(String.format(" %.1f", ms));
      revokeTaskMillis = Math.max(revokeTaskMillis, ms);
    }
    out.printf("revokeTask(%d): returned after %.1f ms; replicas 0, 1, 2 refused the sample by (ms):%s;"
        + " load average %.2f%n", revoked, returned, refused,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return new Figures(median(verifyRatios), median(grantRatios), percentile(revokeMillis, 0.50),
        percentile(revokeMillis, 0.99), revokeTaskMillis, revoked, 0, 0);
  }

  /**
   * Kills every server connection of the replicas ({@code application_name} starting with the schema)
   * {@code kills} times; each time measures how long until a grant on one replica succeeds again. Sorted.
   */
  private static double[] recovery(HikariDataSource admin, String schema, Credential credential,
      List<GrantBroker> replicas, int kills) {
    double[] millis = new double[kills];
    for (int k = 0; k < kills; k++) {
      GrantBroker r = replicas.get(k % replicas.size());
      untilGranted(r, credential, "warm-" + k); // the previous kill may have left this replica's pool broken
      try (Connection c = admin.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE starts_with(application_name, ?)")) {
        ps.setString(1, schema);
        ps.executeQuery().close();
      } catch (SQLException e) {
        throw new IllegalStateException("could not kill the replicas' connections", e);
      }
      long start = System.nanoTime();
      untilGranted(r, credential, "recover-" + k);
      millis[k] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(millis);
    return millis;
  }

  /**
   * Restarts the real server once ({@code pg_ctlcluster --skip-systemctl-redirect 15 main restart}, as
   * root, or the command in JIT_PG_RESTART) and prints how long the restart took, when a new connection
   * first succeeded, and when each replica issued its first grant after that.
   */
  private static void restart(PrintStream out, Credential credential, List<GrantBroker> replicas) {
    String command = env("JIT_PG_RESTART", "pg_ctlcluster --skip-systemctl-redirect 15 main restart");
    long start = System.nanoTime();
    try {
      Process p = new ProcessBuilder(command.split(" ")).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(command + " failed: " + output);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting the server", e);
    }
    double restarted = (System.nanoTime() - start) / 1e6;
    long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        java.sql.DriverManager.getConnection(env("JIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/jit_test"),
            env("JIT_PG_USER", "jit"), env("JIT_PG_PASSWORD", "jit")).close();
        break;
      } catch (SQLException e) {
        if (System.nanoTime() > giveUp) {
          throw new IllegalStateException("the server did not accept connections within 60 s of its restart", e);
        }
      }
    }
    long accepting = System.nanoTime();
    StringBuilder firsts = new StringBuilder();
    for (int r = 0; r < replicas.size(); r++) {
      untilGranted(replicas.get(r), credential, "after-restart-" + r);
      firsts.append(String.format(" %.1f", (System.nanoTime() - accepting) / 1e6));
    }
    out.printf("real server restart: command returned after %.1f ms, accepting connections %.1f ms after that;"
        + " first grant on replicas 0, 1, 2 after accepting (ms, one after the other):%s%n", restarted,
        (accepting - start) / 1e6 - restarted, firsts);
  }

  /** Requests a grant until one is issued (at most 30 s). */
  private static void untilGranted(GrantBroker r, Credential credential, String task) {
    long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        r.request(Brokers.request(credential, task, Duration.ofMinutes(1)));
        return;
      } catch (dev.jitaccess.AccessDeniedException e) {
        if (System.nanoTime() > giveUp) {
          throw new IllegalStateException("no grant within 30 s of killing every connection", e);
        }
      }
    }
  }

  private static double opsPerSecond(Duration length, Runnable op) {
    long end = System.nanoTime() + length.toNanos();
    long start = System.nanoTime();
    long n = 0;
    while (System.nanoTime() < end) {
      op.run();
      n++;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * One grant round: grants per second, and where the machine's CPU went per grant: this JVM's CPU time
   * (the brokers, the driver; and the part of it the JIT compiler's threads took), a local PostgreSQL
   * server's (its backends, WAL writer and the rest) and everything else's (the kernel's own threads, any
   * other process), from {@code /proc}; {@code NaN} where the platform does not say.
   */
  record GrantRate(double perSecond, double jvmMillisPerGrant, double jitMillisPerGrant,
      double serverMillisPerGrant, double restMillisPerGrant, double busy) {
    @Override
    public String toString() {
      return String.format("%.0f/s (CPU per grant: this JVM %.2f ms of which the JIT %.2f ms, a local server's"
          + " processes %.2f ms, the rest %.2f ms; machine %.0f%% busy)", perSecond, jvmMillisPerGrant,
          jitMillisPerGrant, serverMillisPerGrant, restMillisPerGrant, busy * 100);
    }
  }

  /**
   * The CPU time in ns of every process of this machine named {@code postgres} (a local server's
   * postmaster, backends, WAL writer and the rest) that is alive now, from {@code /proc}; -1 where there is
   * none. A process that exits between two readings takes its time with it, so a round's figure may miss a
   * connection closed during it (the pools here keep theirs).
   */
  private static long serverCpuNanos() {
    return ProcCpu.nanos(java.nio.file.Path.of("/proc"), "[0-9]*", "postgres"::equals);
  }

  /** The machine's busy and idle CPU time so far in ns, from {@code /proc/stat}; empty where there is none. */
  private static long[] machineCpu() {
    try {
      String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long tick = 10_000_000L; // USER_HZ 100 on Linux
      long idle = (Long.parseLong(f[4]) + Long.parseLong(f[5])) * tick;
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]) * tick;
      }
      return new long[] {busy, idle};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[0];
    }
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  private static GrantRate grantsPerSecond(GrantBroker broker, Credential credential, AtomicInteger task,
      Duration length) {
    ExecutorService threads = Executors.newFixedThreadPool(GRANT_THREADS);
    try {
      long[] machineBefore = machineCpu();
      long processBefore = processCpuNanos();
      long jitBefore = CpuPaired.compilerCpuNanos();
      long serverBefore = serverCpuNanos();
      long start = System.nanoTime();
      long end = start + length.toNanos();
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < GRANT_THREADS; t++) {
        futures.add(threads.submit(() -> {
          int n = 0;
          while (System.nanoTime() < end) {
            // an hour: no grant of a round expires inside a later round, where its store's expiry work (for
            // PostgreSQL a read, an update and the other replicas' feeds) would slow whichever store is measured
            broker.request(Brokers.request(credential, "grant-" + task.incrementAndGet(), Duration.ofHours(1)));
            n++;
          }
          return n;
        }));
      }
      long total = 0;
      for (Future<Integer> f : futures) {
        total += f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long process = processCpuNanos() - processBefore;
      long jit = CpuPaired.compilerCpuNanos() - jitBefore;
      long server = serverBefore < 0 ? -1 : serverCpuNanos() - serverBefore;
      long[] machineAfter = machineCpu();
      double jvm = processBefore < 0 ? Double.NaN : process / 1e6 / total;
      double serverMillis = serverBefore < 0 ? Double.NaN : server / 1e6 / total;
      double rest = Double.NaN;
      double busy = Double.NaN;
      if (machineBefore.length == 2 && machineAfter.length == 2) {
        long machineBusy = machineAfter[0] - machineBefore[0];
        rest = (machineBusy - process - Math.max(0, server)) / 1e6 / total;
        busy = (double) machineBusy / (machineBusy + machineAfter[1] - machineBefore[1]);
      }
      return new GrantRate(total / seconds, jvm, jit / 1e6 / total, serverMillis, rest, busy);
    } catch (Exception e) {
      throw new IllegalStateException("grant round failed", e);
    } finally {
      threads.shutdownNow();
    }
  }

  private static void verified(Verification v) {
    if (!(v instanceof Verification.Verified)) {
      throw new IllegalStateException("token refused: " + ((Verification.Rejected) v).reason());
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /**
   * The connections a broker's pool has for grants, besides the one its change feed holds, from {@code value}
   * (JIT_BENCH_POOL; default 7, a pool of 8 as in every run since session 5). With the server on one core, 8
   * did worse (its 8 backends contend for that core: grant@8 0.63-0.69 against 0.79-0.84) and 4 too (0.68):
   * BENCHMARKS.md, "Session 13".
   *
   * @throws IllegalArgumentException if {@code value} is not a whole number of 1 or more
   */
  static int grantConnections(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("JIT_BENCH_POOL must be a whole number of connections, 1 or more, got " + value);
  }

  static HikariDataSource pool(String name, int size) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(env("JIT_PG_URL", "jdbc:postgresql://127.0.0.1:5432/jit_test"));
    cfg.setUsername(env("JIT_PG_USER", "jit"));
    cfg.setPassword(env("JIT_PG_PASSWORD", "jit"));
    cfg.setMaximumPoolSize(size);
    cfg.setPoolName("bench-" + name);
    cfg.addDataSourceProperty("ApplicationName", name);
    return new HikariDataSource(cfg);
  }

  private static String sharedKey() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("bench-replicas").generate().toJSONString();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
