package dev.jitaccess.oauth;

import dev.jitaccess.GrantBroker;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A decorated {@link GrantBroker}, as a user writes one (metrics, tracing): {@link #broker} forwards every
 * call to the inner broker and counts it ({@code close()} is forwarded uncounted). It is a dynamic proxy of
 * the public interface, so it is no class of jit-core and implements nothing else: an adapter that reached
 * the broker by downcast would fail in front of it.
 */
final class DelegatingBroker implements InvocationHandler {
  private final GrantBroker inner;
  final AtomicInteger calls = new AtomicInteger();
  /** The decorated broker. */
  final GrantBroker broker;

  DelegatingBroker(GrantBroker inner) {
    this.inner = inner;
    this.broker = (GrantBroker) Proxy.newProxyInstance(GrantBroker.class.getClassLoader(),
        new Class<?>[] {GrantBroker.class}, this);
  }

  @Override
  public @Nullable Object invoke(Object proxy, Method method, @Nullable Object @Nullable [] args) throws Throwable {
    switch (method.getName()) {
      case "equals" -> {
        return args != null && args.length == 1 && proxy == args[0];
      }
      case "hashCode" -> {
        return System.identityHashCode(proxy);
      }
      case "toString" -> {
        return "DelegatingBroker[" + calls.get() + " calls]";
      }
      case "close" -> { } // forwarded, not counted
      default -> calls.incrementAndGet();
    }
    try {
      return method.invoke(inner, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
