package dev.jitaccess.internal;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * For the modules' tests, like {@link ManualClock}: one public builder, checked for the rule that
 * {@code build()} resolves its defaults into the built object and never changes its builder.
 * {@link #check()} builds twice, calls a setter that was left unset (a builder whose {@code build()} wrote a
 * default back throws "already set" there), builds a third time, and requires the first two objects to show
 * what they showed before the setter and to agree with each other.
 *
 * @param name the builder's name, for messages
 * @param builder a configured builder, new on each call
 * @param build how to build it
 * @param unsetSetter a setter the configured builder left unset
 * @param observe what a built object shows (compared with {@code equals})
 * @param <B> the builder type
 * @param <T> the built type
 */
public record BuilderCase<B, T>(String name, Supplier<B> builder, Function<B, T> build, Consumer<B> unsetSetter,
    Function<T, Object> observe) {

  /** A case; the same as the constructor, with the types inferred from the arguments. */
  public static <B, T> BuilderCase<B, T> of(String name, Supplier<B> builder, Function<B, T> build,
      Consumer<B> unsetSetter, Function<T, Object> observe) {
    return new BuilderCase<>(name, builder, build, unsetSetter, observe);
  }

  /**
   * Runs the check.
   *
   * @throws AssertionError naming the builder and the step that failed
   */
  public void check() {
    B b = builder.get();
    T first = build.apply(b);
    T second = build.apply(b);
    Object seen = observe.apply(first);
    try {
      unsetSetter.accept(b);
    } catch (RuntimeException e) {
      throw new AssertionError(name + ": build() changed its builder; a setter left unset threw " + e, e);
    }
    T third = build.apply(b);
    require(seen.equals(observe.apply(first)), "the first object changed after the setter");
    require(seen.equals(observe.apply(second)), "the second object differs from the first");
    require(observe.apply(third) != null, "the builder no longer builds");
  }

  private void require(boolean holds, String what) {
    if (!holds) {
      throw new AssertionError(name + ": " + what);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
