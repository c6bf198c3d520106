package dev.jitaccess.spiffe;

import dev.jitaccess.internal.Arguments;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The options both SVID verifiers' builders take (bundle source, clock, owner mapping): one set of
 * setters with the project's one builder-argument check ({@link Arguments}), one place for their defaults,
 * and one rule for a mapped owner. Not thread-safe; read only by {@code build()}, which never changes it.
 */
final class SvidOptions {
  private @Nullable BundleSource bundles;
  private @Nullable Clock clock;
  private @Nullable Function<SpiffeId, Optional<String>> ownerMapping;

  void bundleSource(BundleSource source) {
    Arguments.requireNonNull(source, "bundleSource");
    Arguments.requireUnset(bundles, "bundleSource");
    this.bundles = source;
  }

  void clock(Clock clock) {
    Arguments.requireNonNull(clock, "clock");
    Arguments.requireUnset(this.clock, "clock");
    this.clock = clock;
  }

  void ownerMapping(Function<SpiffeId, Optional<String>> mapping) {
    Arguments.requireNonNull(mapping, "ownerMapping");
    Arguments.requireUnset(ownerMapping, "ownerMapping");
    this.ownerMapping = mapping;
  }

  /** The bundle source (required). */
  BundleSource bundles() {
    return Arguments.requireSet(bundles, "bundleSource");
  }

  /** The clock; default {@link Clock#systemUTC()}. */
  Clock clock() {
    return clock == null ? Clock.systemUTC() : clock;
  }

  /** The owner mapping, or null. */
  @Nullable Function<SpiffeId, Optional<String>> ownerMapping() {
    return ownerMapping;
  }

  /** The owner {@code mapping} gives {@code id}: present and not blank, else empty (also for no mapping). */
  static Optional<String> mappedOwner(@Nullable Function<SpiffeId, Optional<String>> mapping, SpiffeId id) {
    if (mapping == null) {
      return Optional.empty();
    }
    Optional<String> owner = mapping.apply(id);
    return owner == null ? Optional.empty() : owner.filter(text -> !text.isBlank());
  }
}
