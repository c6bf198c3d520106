package dev.jitaccess.spiffe;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A SPIFFE trust domain, such as {@code prod.example.org}: lowercase {@code [a-z0-9.\-_]}, at most
 * 255 bytes. Uppercase is rejected, not folded (go-spiffe's behaviour). Immutable.
 */
public final class TrustDomain {
  private final String name;

  private TrustDomain(String name) {
    this.name = name;
  }

  static TrustDomain ofCheckedName(String name) {
    return new TrustDomain(name);
  }

  /**
   * Parses a bare trust-domain name ({@code example.org}) or takes the trust domain of a SPIFFE ID
   * ({@code spiffe://example.org/workload}). As in go-spiffe, input containing {@code ":/"} is parsed
   * as an ID, anything else as a name.
   *
   * @throws NullPointerException if {@code idOrName} is null
   * @throws InvalidSpiffeIdException if it is neither
   */
  public static TrustDomain parse(String idOrName) {
    Objects.requireNonNull(idOrName, "idOrName");
    if (idOrName.isEmpty()) {
      throw new InvalidSpiffeIdException(SpiffeIdSyntax.MISSING_TRUST_DOMAIN);
    }
    if (idOrName.contains(":/")) {
      return SpiffeId.parse(idOrName).trustDomain();
    }
    return new TrustDomain(SpiffeIdSyntax.checkTrustDomainName(idOrName));
  }

  /** The name, for example {@code example.org}. */
  public String name() {
    return name;
  }

  /** The trust domain's own SPIFFE ID, {@code spiffe://<name>}. */
  public SpiffeId id() {
    return SpiffeId.fromPath(this, "");
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TrustDomain trustDomain && trustDomain.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** The name. */
  @Override
  public String toString() {
    return name;
  }
}
