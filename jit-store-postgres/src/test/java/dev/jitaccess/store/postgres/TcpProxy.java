package dev.jitaccess.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP forwarder in front of the real PostgreSQL server, so a test can make the database
 * unreachable for some replicas (every connection through it reset, new ones refused) and reachable again
 * on the same port, without touching the server the other tests use. The bytes are the real protocol;
 * only the path is cut.
 */
final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = bind(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  /** A proxy in front of the server of {@link TestDatabase#URL}. */
  static TcpProxy toTestDatabase() throws IOException {
    java.net.URI uri = java.net.URI.create(TestDatabase.URL.substring("jdbc:".length()));
    return new TcpProxy(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
  }

  /** The JDBC URL of the test database through this proxy. */
  String jdbcUrl() {
    java.net.URI uri = java.net.URI.create(TestDatabase.URL.substring("jdbc:".length()));
    return "jdbc:postgresql://127.0.0.1:" + port + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void accept(ServerSocket s) {
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try {
          Socket client = s.accept();
          Socket upstream = new Socket(targetHost, targetPort);
          sockets.add(client);
          sockets.add(upstream);
          pump(client, upstream);
          pump(upstream, client);
        } catch (IOException e) {
          // closed by cut() or close()
        }
      }
    }, "tcp-proxy-accept-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "tcp-proxy-pump-" + port);
    t.setDaemon(true);
    t.start();
  }

  /** The database becomes unreachable: new connections are refused, open ones are cut. */
  synchronized void cut() {
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** The database is reachable again, on the same port. */
  synchronized void restore() throws IOException {
    if (server.isClosed()) {
      server = bind(port);
      accept(server);
    }
  }

  @Override
  public void close() {
    cut();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
