package dev.jitaccess.testkit;

import dev.jitaccess.GrantBroker;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh {@link JitTestKit} and closes it after the test.
 * Declare a parameter of type {@link JitTestKit}, {@link GrantBroker}, {@link ManualClock}, {@link
 * RecordingAuditSink}, {@link RecordingListener}, {@link TestTrustDomain} or {@link TestOidcIssuer} on a
 * test, {@code @BeforeEach} or {@code @AfterEach} method; all parameters of one test come from the same
 * kit.
 * <pre>{@code
 * @ExtendWith(JitTestKitExtension.class)
 * class DeployTest {
 *   @Test
 *   void deploys(JitTestKit kit, RecordingAuditSink audit) { ... }
 * }
 * }</pre>
 * For a kit with other defaults, register an instance: {@code @RegisterExtension static
 * JitTestKitExtension jit = JitTestKitExtension.using(() -> JitTestKit.builder().policy(yaml).build());}
 *
 * <p>Constructor parameters are not resolved: the kit lives exactly as long as one test method.
 */
public final class JitTestKitExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(JitTestKitExtension.class);
  private static final Set<Class<?>> TYPES = Set.of(JitTestKit.class, GrantBroker.class, ManualClock.class,
      RecordingAuditSink.class, RecordingListener.class, TestTrustDomain.class, TestOidcIssuer.class);

  private final Supplier<JitTestKit> factory;

  /** An extension creating each kit with {@link JitTestKit#create()}; used by {@code @ExtendWith}. */
  public JitTestKitExtension() {
    this(JitTestKit::create);
  }

  private JitTestKitExtension(Supplier<JitTestKit> factory) {
    this.factory = factory;
  }

  /** An extension creating each test's kit with {@code factory}, for {@code @RegisterExtension}. */
  public static JitTestKitExtension using(Supplier<JitTestKit> factory) {
    return new JitTestKitExtension(Objects.requireNonNull(factory, "factory"));
  }

  /** Whether the parameter is one of the kit's types, on a method (not a constructor). */
  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Executable owner = parameterContext.getDeclaringExecutable();
    return owner instanceof Method && TYPES.contains(parameterContext.getParameter().getType());
  }

  /** The current test's kit, or the part of it the parameter asks for; creates the kit on first use. */
  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    JitTestKit kit = kit(extensionContext);
    Class<?> type = parameterContext.getParameter().getType();
    if (type == JitTestKit.class) {
      return kit;
    } else if (type == GrantBroker.class) {
      return kit.broker();
    } else if (type == ManualClock.class) {
      return kit.clock();
    } else if (type == RecordingAuditSink.class) {
      return kit.audit();
    } else if (type == RecordingListener.class) {
      return kit.listener();
    } else if (type == TestTrustDomain.class) {
      return kit.trustDomain();
    } else if (type == TestOidcIssuer.class) {
      return kit.oidcIssuer();
    }
    throw new ParameterResolutionException("JitTestKitExtension cannot resolve a " + type.getName());
  }

  /** Closes the test's kit, if one was created. */
  @Override
  public void afterEach(ExtensionContext context) {
    JitTestKit kit = store(context).remove(JitTestKit.class, JitTestKit.class);
    if (kit != null) {
      kit.close();
    }
  }

  private JitTestKit kit(ExtensionContext context) {
    JitTestKit kit = store(context).getOrComputeIfAbsent(JitTestKit.class, k -> {
      JitTestKit created = factory.get();
      if (created == null) {
        throw new ParameterResolutionException("the JitTestKit factory returned null");
      }
      return created;
    }, JitTestKit.class);
    return kit;
  }

  /** The store of the test method, shared by its @BeforeEach, @Test and @AfterEach methods. */
  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(NAMESPACE);
  }
}
