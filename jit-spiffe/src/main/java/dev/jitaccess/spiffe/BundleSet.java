package dev.jitaccess.spiffe;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Bundles keyed by trust domain, for federation (Trust-Domain-and-Bundle §3, D11): an SVID is checked
 * only against the bundle of its own trust domain. Immutable; a fixed {@link BundleSource}.
 */
public final class BundleSet implements BundleSource {
  private final Map<TrustDomain, SpiffeBundle> bundles;

  private BundleSet(Map<TrustDomain, SpiffeBundle> bundles) {
    this.bundles = Collections.unmodifiableMap(bundles);
  }

  /**
   * A set of bundles.
   *
   * @throws IllegalArgumentException if two bundles have the same trust domain
   */
  public static BundleSet of(SpiffeBundle... bundles) {
    Objects.requireNonNull(bundles, "bundles");
    return of(Arrays.asList(bundles));
  }

  /**
   * A set of bundles.
   *
   * @throws IllegalArgumentException if two bundles have the same trust domain
   */
  public static BundleSet of(Collection<SpiffeBundle> bundles) {
    Objects.requireNonNull(bundles, "bundles");
    Map<TrustDomain, SpiffeBundle> map = new LinkedHashMap<>();
    for (SpiffeBundle b : bundles) {
      Objects.requireNonNull(b, "bundle");
      if (map.putIfAbsent(b.trustDomain(), b) != null) {
        throw new IllegalArgumentException("duplicate bundle for trust domain " + b.trustDomain());
      }
    }
    return new BundleSet(map);
  }

  /**
   * Parses a SPIFFE bundle map ({@code {"trust_domains": {"<td>": <bundle>, ...}}},
   * Trust-Domain-and-Bundle §5.1.1). Keys are trust-domain names or trust-domain IDs. Duplicate keys,
   * including two spellings of one trust domain, are refused (D10). Per-bundle {@code
   * spiffe_refresh_hint} and {@code spiffe_sequence} are dropped: bundle-map consumers must not use them.
   *
   * @throws InvalidBundleException if the document is too large, malformed or has duplicate keys
   */
  public static BundleSet parseBundleMap(byte[] json) {
    Map<String, Object> doc = BundleParser.toJsonObject(json);
    Object tds = doc.get("trust_domains");
    if (!(tds instanceof Map)) {
      throw new InvalidBundleException("D10: bundle map has no 'trust_domains' object");
    }
    Map<TrustDomain, SpiffeBundle> map = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) tds).entrySet()) {
      TrustDomain td;
      try {
        td = TrustDomain.parse((String) e.getKey());
        if (((String) e.getKey()).contains(":/") && !SpiffeId.parse((String) e.getKey()).isTrustDomainId()) {
          throw new InvalidSpiffeIdException("trust domain key has a path");
        }
      } catch (InvalidSpiffeIdException ex) {
        throw new InvalidBundleException("D10: bundle map key is not a trust domain: " + ex.getMessage());
      }
      if (!(e.getValue() instanceof Map)) {
        throw new InvalidBundleException("D10: bundle of " + td + " is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> bundleDoc = (Map<String, Object>) e.getValue();
      SpiffeBundle bundle = BundleParser.read(td, bundleDoc, true).withoutHints();
      if (map.putIfAbsent(td, bundle) != null) {
        throw new InvalidBundleException("D10: duplicate trust domain " + td + " in bundle map");
      }
    }
    return new BundleSet(map);
  }

  @Override
  public Optional<SpiffeBundle> bundleFor(TrustDomain trustDomain) {
    return Optional.ofNullable(bundles.get(Objects.requireNonNull(trustDomain, "trustDomain")));
  }

  /** The trust domains present, in insertion order. */
  public Set<TrustDomain> trustDomains() {
    return bundles.keySet();
  }

  /** The bundles, in insertion order. */
  public List<SpiffeBundle> bundles() {
    return List.copyOf(bundles.values());
  }

  @Override
  public String toString() {
    return "BundleSet" + bundles.keySet();
  }
}
