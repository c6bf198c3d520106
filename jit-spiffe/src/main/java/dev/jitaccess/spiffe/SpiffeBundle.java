package dev.jitaccess.spiffe;

import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The trust material of one trust domain: X.509 authorities (roots for X.509-SVIDs) and JWT
 * authorities (public keys by key ID for JWT-SVIDs), with the bundle's optional sequence number and
 * refresh hint. Immutable.
 *
 * <p>Parsers, all refusing documents over {@link #MAX_DOCUMENT_BYTES} before reading them:
 *
 * <ul>
 *   <li>{@link #parse(TrustDomain, byte[])}: the SPIFFE bundle format. Keys with a missing or unknown
 *       {@code use} (including {@code wit-svid}) or an unknown or unsupported {@code kty} are ignored
 *       (D5, D6). An {@code x509-svid} entry without {@code x5c} is ignored; with several {@code x5c}
 *       values the first is used (X509-SVID §6.2; go-spiffe fails the whole bundle instead). A
 *       {@code jwt-svid} entry without {@code kid}, or two with the same {@code kid}, make the whole
 *       bundle invalid (D8, as both reference libraries do). {@code keys} must be present (D1).
 *   <li>{@link #parseJwks(TrustDomain, byte[])}: a plain JWK Set (go's jwtbundle, java's JwtBundle).
 *   <li>{@link #parsePem(TrustDomain, byte[])}: X.509 roots as PEM or DER; empty input is an empty
 *       bundle (go-spiffe's behaviour).
 * </ul>
 *
 * <p>Only RSA and EC P-256/P-384/P-521 keys can be JWT authorities (the JWT-SVID algorithms); other key
 * types are ignored. Only public key material is kept.
 */
public final class SpiffeBundle {
  /** Bundle documents larger than this (1 MiB) are refused before parsing. */
  public static final int MAX_DOCUMENT_BYTES = 1 << 20;

  private final TrustDomain trustDomain;
  private final List<X509Certificate> x509Authorities;
  private final Map<String, PublicKey> jwtAuthorities;
  private final @Nullable Long sequence;
  private final @Nullable Duration refreshHint;

  private SpiffeBundle(Builder b) {
    this.trustDomain = b.trustDomain;
    this.x509Authorities = List.copyOf(b.x509Authorities);
    this.jwtAuthorities = Collections.unmodifiableMap(new LinkedHashMap<>(b.jwtAuthorities));
    this.sequence = b.sequence;
    this.refreshHint = b.refreshHint;
  }

  /** Starts an in-memory bundle for {@code trustDomain}. */
  public static Builder builder(TrustDomain trustDomain) {
    return new Builder(trustDomain);
  }

  /** Parses a document of the given format. */
  public static SpiffeBundle parse(TrustDomain trustDomain, byte[] document, BundleFormat format) {
    Objects.requireNonNull(format, "format");
    return switch (format) {
      case SPIFFE -> parse(trustDomain, document);
      case JWKS -> parseJwks(trustDomain, document);
      case PEM -> parsePem(trustDomain, document);
      default -> throw new IllegalArgumentException("format: " + format);
    };
  }

  /**
   * Parses the SPIFFE bundle format.
   *
   * @throws InvalidBundleException if the document is too large, malformed, or breaks D1/D2/D3/D8
   */
  public static SpiffeBundle parse(TrustDomain trustDomain, byte[] json) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return BundleParser.read(trustDomain, BundleParser.toJsonObject(json), true);
  }

  /**
   * Parses a plain JWK Set; {@code use} is ignored and every usable key is a JWT authority.
   *
   * @throws InvalidBundleException if the document is too large or malformed, or a key has no kid
   */
  public static SpiffeBundle parseJwks(TrustDomain trustDomain, byte[] json) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return BundleParser.read(trustDomain, BundleParser.toJsonObject(json), false);
  }

  /**
   * Parses X.509 roots from PEM {@code CERTIFICATE} blocks or concatenated DER. Empty input gives an
   * empty bundle; input without any PEM block, or with a block of another type, is refused.
   *
   * @throws InvalidBundleException if the document is too large or cannot be parsed
   */
  public static SpiffeBundle parsePem(TrustDomain trustDomain, byte[] pemOrDer) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    checkSize(pemOrDer);
    Builder b = builder(trustDomain);
    for (X509Certificate c : BundleCertificates.certificates(pemOrDer)) {
      b.x509Authority(c);
    }
    return b.build();
  }

  /**
   * Refuses a document over {@link #MAX_DOCUMENT_BYTES}, before anything reads it.
   *
   * @throws InvalidBundleException with the size if it is too large
   */
  static void checkSize(byte[] document) {
    Objects.requireNonNull(document, "document");
    if (document.length > MAX_DOCUMENT_BYTES) {
      throw new InvalidBundleException(
          "bundle document is " + document.length + " bytes, more than the limit of " + MAX_DOCUMENT_BYTES);
    }
  }

  /** The trust domain the bundle belongs to. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The X.509 authorities (trust anchors for X.509-SVIDs), immutable. */
  public List<X509Certificate> x509Authorities() {
    return x509Authorities;
  }

  /** The JWT authorities by key ID, immutable. */
  public Map<String, PublicKey> jwtAuthorities() {
    return jwtAuthorities;
  }

  /** The JWT authority with this key ID, if present. */
  public Optional<PublicKey> jwtAuthority(String keyId) {
    return Optional.ofNullable(jwtAuthorities.get(Objects.requireNonNull(keyId, "keyId")));
  }

  /** The {@code spiffe_sequence}, if the document had one. */
  public OptionalLong sequence() {
    return sequence == null ? OptionalLong.empty() : OptionalLong.of(sequence);
  }

  /** The {@code spiffe_refresh_hint}, if the document had one. */
  public Optional<Duration> refreshHint() {
    return Optional.ofNullable(refreshHint);
  }

  /** Whether the bundle has no authority at all: every SVID of its trust domain is then invalid (C15). */
  public boolean isEmpty() {
    return x509Authorities.isEmpty() && jwtAuthorities.isEmpty();
  }

  /** The same authorities without sequence and refresh hint (bundle maps must not use them, D3). */
  SpiffeBundle withoutHints() {
    Builder b = builder(trustDomain);
    x509Authorities.forEach(b::x509Authority);
    jwtAuthorities.forEach(b::jwtAuthority);
    return b.build();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof SpiffeBundle that)) {
      return false;
    }
    return trustDomain.equals(that.trustDomain)
        && Objects.equals(sequence, that.sequence)
        && Objects.equals(refreshHint, that.refreshHint)
        && encodedCerts().equals(that.encodedCerts())
        && encodedKeys().equals(that.encodedKeys());
  }

  private List<List<Byte>> encodedCerts() {
    List<List<Byte>> out = new ArrayList<>();
    for (X509Certificate c : x509Authorities) {
      try {
        out.add(boxed(c.getEncoded()));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("certificate cannot be encoded", e);
      }
    }
    return out;
  }

  private Map<String, List<Byte>> encodedKeys() {
    Map<String, List<Byte>> out = new LinkedHashMap<>();
    jwtAuthorities.forEach((k, v) -> out.put(k, boxed(v.getEncoded())));
    return out;
  }

  private static List<Byte> boxed(byte[] bytes) {
    List<Byte> out = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      out.add(b);
    }
    return out;
  }

  @Override
  public int hashCode() {
    return Objects.hash(trustDomain, sequence, x509Authorities.size(), jwtAuthorities.keySet());
  }

  /**
   * This bundle as a document in the SPIFFE bundle format (SPIFFE Trust Domain and Bundle, section 4), the
   * form a bundle endpoint serves and a bundle file holds: a JWK Set whose {@code x509-svid} entries carry
   * one authority certificate each ({@code x5c}) and whose {@code jwt-svid} entries carry a key and its
   * {@code kid}, with {@code spiffe_sequence} and {@code spiffe_refresh_hint} when they are set.
   * {@code parse(trustDomain(), toJson())} gives an equal bundle. Public material only.
   *
   * @return the document, UTF-8 JSON
   * @throws IllegalStateException if an authority holds a key that has no JWK form here (only RSA and EC
   *     keys are written; a bundle parsed from a document or built from RSA/EC keys always has one)
   */
  public byte[] toJson() {
    return BundleWriter.toJson(x509Authorities, jwtAuthorities, sequence, refreshHint);
  }

  @Override
  public String toString() {
    return "SpiffeBundle[trustDomain=" + trustDomain + ", x509Authorities=" + x509Authorities.size()
        + ", jwtAuthorities=" + jwtAuthorities.keySet()
        + (sequence == null ? "" : ", sequence=" + sequence)
        + (refreshHint == null ? "" : ", refreshHint=" + refreshHint) + "]";
  }

  /** Builds an in-memory {@link SpiffeBundle}. Not thread-safe. */
  public static final class Builder {
    private final TrustDomain trustDomain;
    private final List<X509Certificate> x509Authorities = new ArrayList<>();
    private final Map<String, PublicKey> jwtAuthorities = new LinkedHashMap<>();
    private @Nullable Long sequence;
    private @Nullable Duration refreshHint;

    private Builder(TrustDomain trustDomain) {
      this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    }

    /** Adds an X.509 authority (a root certificate). */
    public Builder x509Authority(X509Certificate certificate) {
      x509Authorities.add(Objects.requireNonNull(certificate, "certificate"));
      return this;
    }

    /**
     * Adds a JWT authority.
     *
     * @throws IllegalArgumentException if the key ID is blank or the key is not RSA or EC
     * @throws IllegalStateException if the key ID is already present
     */
    public Builder jwtAuthority(String keyId, PublicKey key) {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(key, "key");
      if (keyId.isBlank()) {
        throw new IllegalArgumentException("keyId must not be blank");
      }
      if (!key.getAlgorithm().equals("RSA") && !key.getAlgorithm().equals("EC")) {
        throw new IllegalArgumentException("key must be RSA or EC, was " + key.getAlgorithm());
      }
      if (jwtAuthorities.containsKey(keyId)) {
        throw new IllegalStateException("keyId already present: " + keyId);
      }
      jwtAuthorities.put(keyId, key);
      return this;
    }

    /** Sets the sequence number. */
    public Builder sequence(long sequence) {
      if (sequence < 0) {
        throw new IllegalArgumentException("sequence must not be negative: " + sequence);
      }
      if (this.sequence != null) {
        throw new IllegalStateException("sequence already set");
      }
      this.sequence = sequence;
      return this;
    }

    /** Sets the refresh hint. */
    public Builder refreshHint(Duration refreshHint) {
      Objects.requireNonNull(refreshHint, "refreshHint");
      if (refreshHint.isNegative()) {
        throw new IllegalArgumentException("refreshHint must not be negative: " + refreshHint);
      }
      if (this.refreshHint != null) {
        throw new IllegalStateException("refreshHint already set");
      }
      this.refreshHint = refreshHint;
      return this;
    }

    /** Whether a JWT authority with this key ID was added (the parser's D8 check). */
    boolean hasJwtAuthority(String keyId) {
      return jwtAuthorities.containsKey(keyId);
    }

    /** Builds the bundle. */
    public SpiffeBundle build() {
      return new SpiffeBundle(this);
    }
  }


}
