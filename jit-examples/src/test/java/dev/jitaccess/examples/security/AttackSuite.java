package dev.jitaccess.examples.security;

import dev.jitaccess.oauth.TokenExchange;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The one setup of the attack suites that run their whole catalogue against one shared {@link Target}: the
 * target, the {@link Loopback} that attack tokens name as their key URL, task ids unique per suite, and the
 * token endpoint the OAuth suites call. Registered as a static extension
 * ({@code @RegisterExtension static final AttackSuite SUITE = new AttackSuite("oa")}); after the last test
 * it asserts that nothing connected to the loopback, closes both and adds the suite's count to
 * {@link Attacks#report()}.
 */
final class AttackSuite implements AfterAllCallback {
  /** The token endpoint URL every OAuth attack suite's {@link TokenExchange} is built with. */
  static final URI TOKEN_ENDPOINT = URI.create("https://jit.test/token");

  /** The broker, verifiers and signing material under attack. */
  final Target target;
  /** The listener nothing may ever connect to. */
  final Loopback loopback;
  private final String taskPrefix;
  private final AtomicInteger tasks = new AtomicInteger();

  /** A fresh target and loopback; task ids are {@code taskPrefix-1}, {@code taskPrefix-2}, ... */
  AttackSuite(String taskPrefix) {
    this.taskPrefix = taskPrefix;
    this.target = new Target();
    this.loopback = new Loopback();
  }

  /** A task id no other case of this suite uses. */
  String task() {
    return taskPrefix + "-" + tasks.incrementAndGet();
  }

  /** The token-exchange adapter over the target's broker, with the suites' purpose, environment and endpoint. */
  TokenExchange tokenExchange() {
    return TokenExchange.builder(target.broker).clock(target.clock).defaultPurpose("deploy")
        .defaultEnvironment("prod").tokenEndpoint(TOKEN_ENDPOINT).build();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      loopback.assertNoConnection();
    } finally {
      loopback.close();
      target.close();
      Attacks.report();
    }
  }
}
