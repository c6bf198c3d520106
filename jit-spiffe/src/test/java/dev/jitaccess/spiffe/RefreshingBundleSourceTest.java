package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.jitaccess.internal.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RefreshingBundleSourceTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final String GO = "files/go-spiffe/bundle/spiffebundle/testdata/";

  @TempDir Path tmp;
  final ManualClock clock = ManualClock.at("2030-01-01T00:00:00Z");
  final List<SpiffeBundle> updates = new CopyOnWriteArrayList<>();
  final List<Exception> failures = new CopyOnWriteArrayList<>();
  final BundleListener listener = new BundleListener() {
    @Override
    public void onUpdate(SpiffeBundle bundle) {
      updates.add(bundle);
    }

    @Override
    public void onFailure(TrustDomain trustDomain, Exception cause) {
      failures.add(cause);
    }
  };
  HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String bundleJson(long seq, long hint, String kid) {
    String key = "{\"use\":\"jwt-svid\",\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"P-256\","
        + "\"x\":\"ngLYQnlfF6GsojUwqtcEE3WgTNG2RUlsGhK73RNEl5k\",\"y\":\"tKbiDSUSsQ3F1P7wteeHNXIcU-cx6CgSbroeQrQHTLM\"}";
    return "{\"keys\":[" + key + "],\"spiffe_sequence\":" + seq + ",\"spiffe_refresh_hint\":" + hint + "}";
  }

  @Test
  void fileSourceReReadsOnTheRefreshHint() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, bundleJson(1, 60, "a"));
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file)
        .clock(clock).scheduler(clock).listener(listener).build()) {
      assertThat(source.bundleFor(TD).orElseThrow().jwtAuthorities()).containsOnlyKeys("a");
      assertThat(source.bundleFor(TrustDomain.parse("other.org"))).isEmpty();
      assertThat(updates).hasSize(1);
      Files.writeString(file, bundleJson(2, 60, "b"));
      clock.advance(Duration.ofSeconds(59));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("a");
      clock.advance(Duration.ofSeconds(1));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
      assertThat(updates).hasSize(2);
      // an unchanged document is not an update
      clock.advance(Duration.ofSeconds(60));
      assertThat(updates).hasSize(2);
      assertThat(failures).isEmpty();
      assertThat(clock.pendingTasks()).isEqualTo(1);
    }
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void failedRefreshKeepsTheLastGoodBundleAndRetries() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, bundleJson(1, 60, "a"));
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file)
        .clock(clock).scheduler(clock).listener(listener).retryInterval(Duration.ofSeconds(15)).build()) {
      Files.writeString(file, "{ not json");
      clock.advance(Duration.ofSeconds(60));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("a");
      assertThat(failures).hasSize(1);
      assertThat(failures.get(0)).isInstanceOf(InvalidBundleException.class);
      Files.delete(file);
      clock.advance(Duration.ofSeconds(15));
      assertThat(failures).hasSize(2);
      assertThat(source.current()).isPresent();
      Files.writeString(file, bundleJson(2, 60, "c"));
      clock.advance(Duration.ofSeconds(15));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("c");
    }
  }

  @Test
  void d2SequenceRollbackIsRefused() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, bundleJson(5, 60, "new"));
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file)
        .clock(clock).scheduler(clock).listener(listener).build()) {
      Files.writeString(file, bundleJson(4, 60, "old"));
      assertThat(source.refresh()).isFalse();
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("new");
      assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessageStartingWith("D2:"));
      Files.writeString(file, bundleJson(6, 60, "newer"));
      assertThat(source.refresh()).isTrue();
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("newer");
    }
  }

  @Test
  void firstLoadFailureFailsBuildByDefault() {
    Path file = tmp.resolve("missing.json");
    assertThatThrownBy(() -> RefreshingBundleSource.fromFile(TD, file).clock(clock).scheduler(clock)
            .listener(listener).build())
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("the first load of the bundle of trust domain example.org from " + file + " failed")
        .hasMessageContaining("cannot read bundle file")
        .hasMessageContaining("startDegraded()")
        .hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
    assertThat(failures).hasSize(1);
    assertThat(clock.pendingTasks()).as("no retry is left scheduled by a source that was never returned").isZero();
  }

  @Test
  void firstLoadOfABrokenDocumentFailsBuild() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, "{ not json");
    assertThatThrownBy(() -> RefreshingBundleSource.fromFile(TD, file).clock(clock).scheduler(clock).build())
        .isInstanceOf(InvalidBundleException.class)
        .hasCauseInstanceOf(InvalidBundleException.class);
  }

  @Test
  void failureWarningIsHonestAboutWhetherABundleIsKept() throws IOException {
    Exception cause = new java.nio.file.NoSuchFileException("/etc/spiffe/bundle.json");
    assertThat(RefreshingBundleSource.failureText(TD, null, Duration.ofSeconds(30), cause))
        .isEqualTo("bundle load for trust domain example.org failed; there is no bundle yet, so every SVID of "
            + "this trust domain is refused until a load succeeds; retrying in PT30S: " + cause)
        .doesNotContain("last good");
    SpiffeBundle kept = SpiffeBundle.parse(TD, bundleJson(7, 60, "a").getBytes(StandardCharsets.UTF_8),
        BundleFormat.SPIFFE);
    assertThat(RefreshingBundleSource.failureText(TD, kept, Duration.ofSeconds(30), cause))
        .contains("keeping the last good bundle (spiffe_sequence 7)");
  }

  @Test
  void startDegradedLeavesNoBundleAndRetries() throws IOException {
    Path file = tmp.resolve("missing.json");
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file).startDegraded()
        .clock(clock).scheduler(clock).listener(listener).build()) {
      assertThat(source.bundleFor(TD)).isEmpty();
      assertThat(failures).hasSize(1);
      Files.writeString(file, bundleJson(1, 60, "a"));
      clock.advance(Duration.ofSeconds(30));
      assertThat(source.bundleFor(TD)).isPresent();
    }
  }

  @Test
  void hintsBelowTheMinimumAreClampedAndDefaultsApply() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, bundleJson(1, 0, "a"));
    AtomicInteger reads = new AtomicInteger();
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file).clock(clock)
        .scheduler(clock).minRefreshInterval(Duration.ofSeconds(5))
        .listener(new BundleListener() {
          @Override
          public void onFailure(TrustDomain td, Exception e) {
            reads.incrementAndGet();
          }
        }).build()) {
      Files.writeString(file, bundleJson(2, 0, "b"));
      clock.advance(Duration.ofSeconds(4));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("a");
      clock.advance(Duration.ofSeconds(1));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
      // no hint: default interval (5 min)
      Files.writeString(file, "{\"keys\":[]}");
      clock.advance(Duration.ofSeconds(5));
      assertThat(source.current().orElseThrow().isEmpty()).isTrue();
      Files.writeString(file, bundleJson(3, 60, "c"));
      clock.advance(Duration.ofSeconds(299));
      assertThat(source.current().orElseThrow().isEmpty()).isTrue();
      clock.advance(Duration.ofSeconds(1));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("c");
    }
    assertThat(reads).hasValue(0);
  }

  @Test
  void listenerExceptionsDoNotBreakRefreshing() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.writeString(file, bundleJson(1, 60, "a"));
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file).clock(clock)
        .scheduler(clock).listener(new BundleListener() {
          @Override
          public void onUpdate(SpiffeBundle bundle) {
            throw new IllegalStateException("listener bug");
          }
        }).build()) {
      Files.writeString(file, bundleJson(2, 60, "b"));
      clock.advance(Duration.ofSeconds(60));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
    }
  }

  @Test
  void pemFileSource() throws IOException {
    Path file = tmp.resolve("roots.pem");
    Files.write(file, ConformanceData.bytes("files/go-spiffe/bundle/x509bundle/testdata/certs.pem"));
    try (RefreshingBundleSource source = RefreshingBundleSource.fromFile(TD, file)
        .format(BundleFormat.PEM).clock(clock).scheduler(clock).build()) {
      assertThat(source.current().orElseThrow().x509Authorities()).hasSize(2);
    }
  }

  @Test
  void staticFileSourceReadsOnceAndRefusesOversizedFiles() throws IOException {
    Path file = tmp.resolve("bundle.json");
    Files.write(file, ConformanceData.bytes(GO + "spiffebundle_valid_2.json"));
    BundleSource s = BundleSource.fromFile(TD, file, BundleFormat.SPIFFE);
    assertThat(s.bundleFor(TD).orElseThrow().jwtAuthorities()).hasSize(6);
    Path big = tmp.resolve("big.json");
    Files.write(big, new byte[SpiffeBundle.MAX_DOCUMENT_BYTES + 10]);
    assertThatThrownBy(() -> BundleSource.fromFile(TD, big, BundleFormat.SPIFFE))
        .isInstanceOf(InvalidBundleException.class)
        .hasMessageContaining("more than the limit");
  }

  private URI serve(AtomicReference<byte[]> body, AtomicInteger status) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/bundle", exchange -> {
      byte[] b = body.get();
      exchange.sendResponseHeaders(status.get(), b.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(b);
      }
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bundle");
  }

  @Test
  void httpEndpointSourceFetchesAndKeepsLastGoodOnFailure() throws IOException {
    AtomicReference<byte[]> body =
        new AtomicReference<>(bundleJson(1, 60, "a").getBytes(StandardCharsets.UTF_8));
    AtomicInteger status = new AtomicInteger(200);
    URI uri = serve(body, status);
    try (RefreshingBundleSource source = RefreshingBundleSource.fromEndpoint(TD, uri).allowPlainHttp()
        .clock(clock).scheduler(clock).listener(listener).requestTimeout(Duration.ofSeconds(5)).build()) {
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("a");
      body.set(bundleJson(2, 60, "b").getBytes(StandardCharsets.UTF_8));
      clock.advance(Duration.ofSeconds(60));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
      status.set(500);
      clock.advance(Duration.ofSeconds(60));
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
      assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("HTTP 500"));
      status.set(200);
      body.set(new byte[SpiffeBundle.MAX_DOCUMENT_BYTES + 1]);
      clock.advance(Duration.ofSeconds(30));
      assertThat(failures).hasSize(2);
      assertThat(failures.get(1)).hasMessageContaining("more than the limit");
      assertThat(source.current().orElseThrow().jwtAuthorities()).containsOnlyKeys("b");
    }
  }

  @Test
  void endpointMustBeHttpsUnlessPlainHttpIsExplicitlyAllowed() {
    assertThatThrownBy(() -> RefreshingBundleSource.fromEndpoint(TD, URI.create("http://127.0.0.1:1/b"))
            .clock(clock).scheduler(clock).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must be https");
    assertThatThrownBy(() -> RefreshingBundleSource.fromEndpoint(TD, URI.create("ftp://x/b"))
            .allowPlainHttp().clock(clock).scheduler(clock).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RefreshingBundleSource.fromFile(TD, Path.of("x")).allowPlainHttp().build())
        .isInstanceOf(IllegalStateException.class);
  }

  // plainHttpIsAllowedOnlyForLoopbackEndpoints moved to the attack suite (jit-examples'
  // SpiffeBundleAttackTest.plainHttpBundleEndpointIsRefusedUnlessLoopback, issue 14 #12)

  @Test
  void builderIsStrict() {
    RefreshingBundleSource.Builder b = RefreshingBundleSource.fromFile(TD, Path.of("x"));
    b.clock(clock);
    assertThatThrownBy(() -> b.clock(clock)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.retryInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> b.listener(null)).isInstanceOf(NullPointerException.class).hasMessage("listener");
    b.startDegraded();
    assertThatThrownBy(b::startDegraded).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RefreshingBundleSource.fromFile(TD, Path.of("x")).clock(clock).scheduler(clock)
            .minRefreshInterval(Duration.ofHours(1)).build())
        .isInstanceOf(IllegalStateException.class);
  }
}
