package dev.jitaccess.spiffe;

import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.internal.Arguments;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityResult.Code;
import dev.jitaccess.spi.IdentityVerifier;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Verifies X.509-SVID chains ({@link Credential.CertificateChain}, leaf first, as presented over
 * mutual TLS). Each failure is a {@link IdentityResult.Rejected} whose rule is the
 * checklist rule:
 *
 * <ol>
 *   <li>chain length at most {@code maxChainLength} (C13, a resource limit);
 *   <li>leaf: exactly one URI SAN (C1), a valid SPIFFE ID (C2) with a path (C4); {@code cA=false}
 *       (C3); a KeyUsage extension (C7) with digitalSignature (C6) and without keyCertSign or cRLSign
 *       (C5); if it has an ExtendedKeyUsage, it includes clientAuth or anyExtendedKeyUsage (C8); with
 *       an empty subject the SAN extension is critical (C9);
 *   <li>every signing certificate in the chain: {@code cA=true} and keyCertSign (C10), and a SPIFFE ID,
 *       if it has one, without a path (C11);
 *   <li>RFC 5280 path validation with the JDK's PKIX validator to a root in the bundle of the leaf's own
 *       trust domain (C13, D11), revocation off, at the injected clock's time; an empty bundle trusts
 *       nothing (C15).
 * </ol>
 *
 * <p>KeyUsage criticality is not checked, nor is anything about the trust anchors themselves (bundle
 * roots are trusted as configured). The verified identity: id = the SPIFFE ID, issuer = the trust
 * domain ID, kind {@code x509-svid}, expiry = the leaf's notAfter, certificate thumbprint = base64url
 * SHA-256 of the leaf (RFC 8705 {@code x5t#S256}), attributes {@code trust_domain}, {@code path} and
 * {@code x5t#S256}. Never throws for bad input.
 */
public final class X509SvidVerifier implements IdentityVerifier {
  /** The kind of the identities this verifier produces. */
  public static final String KIND = "x509-svid";

  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_EKU = "2.5.29.37.0";

  private final BundleSource bundles;
  private final Clock clock;
  private final int maxChainLength;
  private final @Nullable Function<SpiffeId, Optional<String>> ownerMapping;

  private X509SvidVerifier(Builder b) {
    this.bundles = b.options.bundles();
    this.clock = b.options.clock();
    this.maxChainLength = b.maxChainLength == 0 ? 5 : b.maxChainLength;
    this.ownerMapping = b.options.ownerMapping();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean supports(Credential credential) {
    return credential instanceof Credential.CertificateChain;
  }

  @Override
  public IdentityResult verify(Credential credential) {
    if (!supports(credential)) {
      return IdentityResult.rejected(Code.UNSUPPORTED_CREDENTIAL, "not an X.509-SVID credential");
    }
    try {
      return check(((Credential.CertificateChain) credential).chain());
    } catch (RuntimeException | CertificateParsingException e) {
      return IdentityResult.rejected(Code.ERROR, "X.509-SVID verification failed: " + e.getClass().getSimpleName());
    }
  }

  private static IdentityResult reject(Code code, String rule, String reason) {
    return IdentityResult.rejected(code, reason, rule);
  }

  private IdentityResult check(List<X509Certificate> chain) throws CertificateParsingException {
    if (chain.size() > maxChainLength) {
      return reject(Code.TOO_LARGE, "C13", "chain of " + chain.size() + " certificates exceeds the limit of " + maxChainLength);
    }
    X509Certificate leaf = chain.get(0);
    // C1, C2
    List<String> uris = uriSans(leaf);
    if (uris.isEmpty()) {
      return reject(Code.BAD_CERTIFICATE, "C1", "leaf certificate has no URI SAN");
    }
    if (uris.size() > 1) {
      return reject(Code.BAD_CERTIFICATE, "C1", "leaf certificate has " + uris.size() + " URI SANs, exactly one is allowed");
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (InvalidSpiffeIdException e) {
      return reject(Code.BAD_SUBJECT, "C2", "leaf URI SAN is not a valid SPIFFE ID: " + e.getMessage());
    }
    // C3
    if (leaf.getBasicConstraints() >= 0) {
      return reject(Code.BAD_CERTIFICATE, "C3", "leaf certificate has cA=true");
    }
    // C4
    if (id.isTrustDomainId()) {
      return reject(Code.BAD_SUBJECT, "C4", "leaf SPIFFE ID has no path");
    }
    // C5, C6, C7
    boolean[] ku = leaf.getKeyUsage();
    if (ku == null) {
      return reject(Code.BAD_CERTIFICATE, "C7", "leaf certificate has no KeyUsage extension");
    }
    if (bit(ku, KEY_CERT_SIGN)) {
      return reject(Code.BAD_CERTIFICATE, "C5", "leaf certificate has keyCertSign");
    }
    if (bit(ku, CRL_SIGN)) {
      return reject(Code.BAD_CERTIFICATE, "C5", "leaf certificate has cRLSign");
    }
    if (!bit(ku, DIGITAL_SIGNATURE)) {
      return reject(Code.BAD_CERTIFICATE, "C6", "leaf certificate lacks digitalSignature");
    }
    // C8
    List<String> eku = leaf.getExtendedKeyUsage();
    if (eku != null && !eku.contains(CLIENT_AUTH) && !eku.contains(ANY_EKU)) {
      return reject(Code.BAD_CERTIFICATE, "C8", "leaf ExtendedKeyUsage lacks clientAuth");
    }
    // C9
    if (leaf.getSubjectX500Principal().getEncoded().length <= 2
        && (leaf.getCriticalExtensionOIDs() == null || !leaf.getCriticalExtensionOIDs().contains("2.5.29.17"))) {
      return reject(Code.BAD_CERTIFICATE, "C9", "leaf has an empty subject and a non-critical SAN extension");
    }
    // C10, C11
    for (int i = 1; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      if (c.getBasicConstraints() < 0) {
        return reject(Code.BAD_CERTIFICATE, "C10", "signing certificate " + i + " has cA=false");
      }
      boolean[] cku = c.getKeyUsage();
      if (cku == null || !bit(cku, KEY_CERT_SIGN)) {
        return reject(Code.BAD_CERTIFICATE, "C10", "signing certificate " + i + " lacks keyCertSign");
      }
      for (String uri : uriSans(c)) {
        if (uri.startsWith("spiffe://")) {
          try {
            if (!SpiffeId.parse(uri).isTrustDomainId()) {
              return reject(Code.BAD_CERTIFICATE, "C11", "signing certificate " + i + " SPIFFE ID has a path");
            }
          } catch (InvalidSpiffeIdException e) {
            return reject(Code.BAD_CERTIFICATE, "C11", "signing certificate " + i + " has an invalid SPIFFE ID: " + e.getMessage());
          }
        }
      }
    }
    // C13, C15, D11
    TrustDomain td = id.trustDomain();
    Optional<SpiffeBundle> bundle = bundles.bundleFor(td);
    if (bundle.isEmpty()) {
      return reject(Code.UNTRUSTED_ISSUER, "C13", "no bundle for trust domain " + td);
    }
    if (bundle.get().x509Authorities().isEmpty()) {
      return reject(Code.UNTRUSTED_ISSUER, "C15", "bundle of trust domain " + td + " has no X.509 authorities");
    }
    PathProblem pathProblem = validatePath(chain, bundle.get().x509Authorities());
    if (pathProblem != null) {
      return reject(pathProblem.code(), "C13",
          "chain does not validate to a root of trust domain " + td + ": " + pathProblem.reason());
    }
    return IdentityResult.verified(identity(id, leaf));
  }

  /** Why a chain does not validate. */
  private record PathProblem(Code code, String reason) {}

  private @Nullable PathProblem validatePath(List<X509Certificate> chain, List<X509Certificate> roots) {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate r : roots) {
      anchors.add(new TrustAnchor(r, null));
    }
    List<X509Certificate> path = new ArrayList<>(chain);
    // a presented copy of a bundle root is not part of the path to validate
    while (path.size() > 1 && roots.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    Instant now = clock.instant();
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      return null;
    } catch (CertPathValidatorException e) {
      CertPathValidatorException.Reason reason = e.getReason();
      int index = e.getIndex();
      X509Certificate at = index >= 0 && index < path.size() ? path.get(index) : null;
      if (reason == CertPathValidatorException.BasicReason.EXPIRED) {
        return new PathProblem(Code.EXPIRED, "certificate " + index + " has expired"
            + (at == null ? "" : " (not after " + at.getNotAfter().toInstant() + ", now " + now + ")"));
      }
      if (reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        return new PathProblem(Code.NOT_YET_VALID, "certificate " + index + " is not yet valid"
            + (at == null ? "" : " (not before " + at.getNotBefore().toInstant() + ", now " + now + ")"));
      }
      if (reason == PKIXReason.NO_TRUST_ANCHOR) {
        return new PathProblem(Code.BAD_CERTIFICATE, "no trusted root (unknown authority)");
      }
      if (reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
        return new PathProblem(Code.BAD_SIGNATURE, "invalid signature on certificate " + index);
      }
      return new PathProblem(Code.BAD_CERTIFICATE, reason + " at certificate " + index);
    } catch (GeneralSecurityException | RuntimeException e) {
      return new PathProblem(Code.BAD_CERTIFICATE, e.getClass().getSimpleName());
    }
  }

  private WorkloadIdentity identity(SpiffeId id, X509Certificate leaf) {
    String thumbprint = thumbprint(leaf);
    WorkloadIdentity.Builder b = WorkloadIdentity.builder(id.toString(), id.trustDomain().id().toString())
        .kind(KIND)
        .expiresAt(leaf.getNotAfter().toInstant())
        .issuedAt(leaf.getNotBefore().toInstant())
        .certificateThumbprint(thumbprint)
        .attribute("trust_domain", id.trustDomain().name())
        .attribute("path", id.path())
        .attribute("x5t#S256", thumbprint);
    SvidOptions.mappedOwner(ownerMapping, id).ifPresent(b::owner);
    return b.build();
  }

  /** The RFC 8705 {@code x5t#S256} thumbprint: base64url (no padding) SHA-256 of the DER certificate. */
  static String thumbprint(X509Certificate cert) {
    try {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static boolean bit(boolean[] bits, int i) {
    return bits.length > i && bits[i];
  }

  private static List<String> uriSans(X509Certificate cert) throws CertificateParsingException {
    List<String> out = new ArrayList<>();
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans != null) {
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          out.add(String.valueOf(san.get(1)));
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "X509SvidVerifier[maxChainLength=" + maxChainLength + "]";
  }

  /** Builds an {@link X509SvidVerifier}. Not thread-safe. */
  public static final class Builder {
    private final SvidOptions options = new SvidOptions();
    private int maxChainLength;

    private Builder() {}

    /** Where the bundles come from (required). */
    public Builder bundleSource(BundleSource source) {
      options.bundleSource(source);
      return this;
    }

    /** The clock whose time validity is checked at; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /** The longest chain accepted (leaf and intermediates), 1 to 10; default 5. */
    public Builder maxChainLength(int maxChainLength) {
      Arguments.requireState(this.maxChainLength == 0, "maxChainLength was already set");
      this.maxChainLength = Arguments.requireInRange(maxChainLength, 1, 10, "maxChainLength");
      return this;
    }

    /** Maps a verified SPIFFE ID to its owner. */
    public Builder ownerMapping(Function<SpiffeId, Optional<String>> mapping) {
      options.ownerMapping(mapping);
      return this;
    }

    /**
     * Builds the verifier; the builder is not changed.
     *
     * @throws IllegalStateException if the bundle source is missing
     */
    public X509SvidVerifier build() {
      options.bundles();
      return new X509SvidVerifier(this);
    }
  }
}
