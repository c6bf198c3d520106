package dev.jitaccess.oidc;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A JWKS endpoint on 127.0.0.1, on an ephemeral port, whose answer a test can change. */
final class JwksServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile String body = "{\"keys\":[]}";
  private volatile int status = 200;
  private volatile String location;

  private JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (location != null) {
        exchange.getResponseHeaders().set("Location", location);
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  static JwksServer start(String jwks) throws IOException {
    JwksServer server = new JwksServer();
    server.serve(jwks);
    return server;
  }

  /** A URL on 127.0.0.1 where nothing listens: the port of a server that was started and stopped. */
  static String deadUrl() throws IOException {
    JwksServer server = new JwksServer();
    String url = server.url();
    server.close();
    return url;
  }

  void serve(String jwks) {
    this.body = jwks;
    this.status = 200;
    this.location = null;
  }

  void fail(int status) {
    this.status = status;
  }

  void redirectTo(String target) {
    this.status = 302;
    this.location = target;
  }

  int requests() {
    return requests.get();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks";
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** A server for every test of a class: {@code @RegisterExtension static final Served KEYS = served(jwks)}. */
  static Served served(String jwks) {
    return new Served(jwks);
  }

  /** Starts a {@link JwksServer} before a test class's tests and stops it after them. */
  static final class Served implements org.junit.jupiter.api.extension.BeforeAllCallback,
      org.junit.jupiter.api.extension.AfterAllCallback {
    private final String jwks;
    private @org.jspecify.annotations.Nullable JwksServer server;

    private Served(String jwks) {
      this.jwks = jwks;
    }

    @Override
    public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) throws IOException {
      server = start(jwks);
    }

    @Override
    public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
      if (server != null) {
        server.close();
      }
    }

    /** The running server's JWKS URL. */
    String url() {
      return java.util.Objects.requireNonNull(server, "the server runs only during the class's tests").url();
    }
  }
}
