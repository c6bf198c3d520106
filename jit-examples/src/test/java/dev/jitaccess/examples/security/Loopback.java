package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A loopback listener that attack tokens name in {@code jku}/{@code x5u} headers and key URLs: nothing
 * may ever connect to it. {@link #assertNoConnection()} waits a bounded 200 ms for a queued connection.
 */
final class Loopback implements AutoCloseable {
  private final ServerSocket socket;

  Loopback() {
    try {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + socket.getLocalPort();
  }

  String httpsUrl() {
    return "https://127.0.0.1:" + socket.getLocalPort();
  }

  void assertNoConnection() {
    try {
      socket.setSoTimeout(200);
      try (Socket s = socket.accept()) {
        assertThat(s).as("a connection to the attacker's URL %s (a jku/x5u/key URL was fetched)", url()).isNull();
      } catch (SocketTimeoutException expected) {
        // nothing connected: good
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
