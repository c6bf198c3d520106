package dev.jitaccess.spiffe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where verifiers find the bundle of a trust domain. Implementations are thread-safe. A trust domain
 * without a bundle means every SVID from it is rejected.
 *
 * <p>Static sources: {@link #of(SpiffeBundle...)}, {@link BundleSet}, {@link #fromFile}. A source that
 * re-reads a file or fetches a bundle endpoint on the bundle's refresh hint: {@link
 * RefreshingBundleSource}.
 */
public interface BundleSource {

  /** The current bundle of {@code trustDomain}, if this source has one. */
  Optional<SpiffeBundle> bundleFor(TrustDomain trustDomain);

  /**
   * A fixed in-memory source.
   *
   * @throws IllegalArgumentException if two bundles have the same trust domain
   */
  static BundleSource of(SpiffeBundle... bundles) {
    return BundleSet.of(bundles);
  }

  /**
   * Reads one bundle from a file, once.
   *
   * @throws InvalidBundleException if the file is larger than {@link SpiffeBundle#MAX_DOCUMENT_BYTES}
   *     or cannot be parsed
   * @throws UncheckedIOException if it cannot be read
   */
  static BundleSource fromFile(TrustDomain trustDomain, Path file, BundleFormat format) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(format, "format");
    return BundleSet.of(SpiffeBundle.parse(trustDomain, readLimited(file), format));
  }

  /** Reads a file, refusing it once it exceeds the document size limit. */
  static byte[] readLimited(Path file) {
    Objects.requireNonNull(file, "file");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(SpiffeBundle.MAX_DOCUMENT_BYTES + 1);
      SpiffeBundle.checkSize(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundle file " + file, e);
    }
  }
}
