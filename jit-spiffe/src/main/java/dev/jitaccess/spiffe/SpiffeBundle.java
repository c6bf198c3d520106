package dev.jitaccess.spiffe;

import dev.jitaccess.internal.StrictJson;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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

  private static final Set<String> X509_KTYS = Set.of("RSA", "EC", "OKP");
  private static final Set<Curve> JWT_CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);

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
    return fromJson(trustDomain, toJsonObject(json), true);
  }

  /**
   * Parses a plain JWK Set; {@code use} is ignored and every usable key is a JWT authority.
   *
   * @throws InvalidBundleException if the document is too large or malformed, or a key has no kid
   */
  public static SpiffeBundle parseJwks(TrustDomain trustDomain, byte[] json) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return fromJson(trustDomain, toJsonObject(json), false);
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
    for (X509Certificate c : Pem.certificates(pemOrDer)) {
      b.x509Authority(c);
    }
    return b.build();
  }

  static void checkSize(byte[] document) {
    Objects.requireNonNull(document, "document");
    if (document.length > MAX_DOCUMENT_BYTES) {
      throw new InvalidBundleException(
          "bundle document is " + document.length + " bytes, more than the limit of " + MAX_DOCUMENT_BYTES);
    }
  }

  static Map<String, Object> toJsonObject(byte[] json) {
    checkSize(json);
    Object parsed;
    try {
      parsed = StrictJson.parse(new String(json, StandardCharsets.UTF_8));
    } catch (StrictJson.JsonException e) {
      throw new InvalidBundleException("bundle is not valid JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map)) {
      throw new InvalidBundleException("bundle is not a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) parsed;
    return map;
  }

  static SpiffeBundle fromJson(TrustDomain td, Map<String, Object> doc, boolean spiffeFormat) {
    Builder b = builder(td);
    if (!doc.containsKey("keys")) {
      throw new InvalidBundleException("D1: bundle has no 'keys' member");
    }
    if (!(doc.get("keys") instanceof List)) {
      throw new InvalidBundleException("D1: 'keys' is not an array");
    }
    if (spiffeFormat) {
      if (doc.containsKey("spiffe_sequence")) {
        Object seq = doc.get("spiffe_sequence");
        if (!(seq instanceof Long l) || l < 0) {
          throw new InvalidBundleException("D2: spiffe_sequence is not a non-negative 64-bit integer");
        }
        b.sequence(l);
      }
      if (doc.containsKey("spiffe_refresh_hint")) {
        Object hint = doc.get("spiffe_refresh_hint");
        if (!(hint instanceof Long l) || l < 0) {
          throw new InvalidBundleException("D3: spiffe_refresh_hint is not a non-negative integer");
        }
        b.refreshHint(Duration.ofSeconds(l));
      }
    }
    List<?> keys = (List<?>) doc.get("keys");
    for (int i = 0; i < keys.size(); i++) {
      if (!(keys.get(i) instanceof Map)) {
        throw new InvalidBundleException("D1: key entry " + i + " is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> key = (Map<String, Object>) keys.get(i);
      if (spiffeFormat) {
        Object use = key.get("use");
        if ("x509-svid".equals(use)) {
          addX509Entry(b, key, i);
        } else if ("jwt-svid".equals(use)) {
          addJwtEntry(b, key, i);
        }
        // D6: missing or unknown use (wit-svid included): ignore this JWK
      } else {
        addJwtEntry(b, key, i);
      }
    }
    return b.build();
  }

  private static void addX509Entry(Builder b, Map<String, Object> key, int i) {
    Object kty = key.get("kty");
    if (!(kty instanceof String) || !X509_KTYS.contains(kty)) {
      return; // D5: unknown kty
    }
    Object x5c = key.get("x5c");
    if (x5c == null || (x5c instanceof List && ((List<?>) x5c).isEmpty())) {
      return; // D7: no certificate: ignore the entry
    }
    if (!(x5c instanceof List) || !(((List<?>) x5c).get(0) instanceof String)) {
      throw new InvalidBundleException("D7: x509-svid entry " + i + " has a malformed x5c");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode((String) ((List<?>) x5c).get(0));
    } catch (IllegalArgumentException e) {
      throw new InvalidBundleException("D7: x509-svid entry " + i + " x5c is not base64");
    }
    b.x509Authority(Pem.certificate(der, "x509-svid entry " + i));
  }

  private static void addJwtEntry(Builder b, Map<String, Object> key, int i) {
    Object kty = key.get("kty");
    if (!"RSA".equals(kty) && !"EC".equals(kty)) {
      return; // D5: unknown kty, or one no JWT-SVID algorithm uses (OKP, oct)
    }
    Object kid = key.get("kid");
    if (!(kid instanceof String string) || string.isBlank()) {
      throw new InvalidBundleException("D8: jwt-svid entry " + i + " has no kid");
    }
    JWK jwk;
    try {
      jwk = JWK.parse(key);
    } catch (java.text.ParseException | RuntimeException e) {
      throw new InvalidBundleException("D5: jwt-svid entry " + i + " is not a valid " + kty + " key");
    }
    PublicKey publicKey;
    try {
      if (jwk instanceof RSAKey rsaKey) {
        publicKey = rsaKey.toRSAPublicKey();
      } else {
        ECKey ec = (ECKey) jwk;
        if (!JWT_CURVES.contains(ec.getCurve())) {
          return; // a curve no JWT-SVID algorithm uses: ignore
        }
        publicKey = ec.toECPublicKey();
      }
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new InvalidBundleException("D5: jwt-svid entry " + i + " has an unusable " + kty + " key");
    }
    if (b.jwtAuthorities.containsKey(kid)) {
      throw new InvalidBundleException("D8: jwt-svid entry " + i + " repeats a kid");
    }
    b.jwtAuthority(string, publicKey);
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
    List<Object> keys = new ArrayList<>();
    for (X509Certificate authority : x509Authorities) {
      Map<String, Object> jwk = publicJwk(authority.getPublicKey(), "an X.509 authority");
      jwk.put("use", "x509-svid");
      try {
        jwk.put("x5c", List.of(Base64.getEncoder().encodeToString(authority.getEncoded())));
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("an X.509 authority could not be encoded", e);
      }
      keys.add(jwk);
    }
    for (Map.Entry<String, PublicKey> e : jwtAuthorities.entrySet()) {
      Map<String, Object> jwk = publicJwk(e.getValue(), "JWT authority " + e.getKey());
      jwk.put("use", "jwt-svid");
      jwk.put("kid", e.getKey());
      keys.add(jwk);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("keys", keys);
    if (sequence != null) {
      doc.put("spiffe_sequence", sequence);
    }
    if (refreshHint != null) {
      doc.put("spiffe_refresh_hint", refreshHint.toSeconds());
    }
    return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(doc).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, Object> publicJwk(PublicKey key, String what) {
    JWK jwk;
    if (key instanceof java.security.interfaces.RSAPublicKey rsa) {
      jwk = new RSAKey.Builder(rsa).build();
    } else if (key instanceof java.security.interfaces.ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new IllegalStateException(what + " holds an EC key on a curve without a JWK name");
      }
      jwk = new ECKey.Builder(curve, ec).build();
    } else {
      throw new IllegalStateException(what + " holds a " + key.getAlgorithm()
          + " key, which this library writes no JWK for (RSA and EC only)");
    }
    return new LinkedHashMap<>(jwk.toJSONObject());
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

    /** Builds the bundle. */
    public SpiffeBundle build() {
      return new SpiffeBundle(this);
    }
  }

  /** PEM/DER certificate reading with the JDK's own X.509 factory (no provider registered). */
  static final class Pem {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";

    private Pem() {}

    static List<X509Certificate> certificates(byte[] input) {
      List<X509Certificate> out = new ArrayList<>();
      if (input.length > 0 && input[0] == 0x30) {
        return derSequence(input);
      }
      String text = new String(input, StandardCharsets.US_ASCII);
      if (text.isBlank()) {
        return out;
      }
      int pos = 0;
      int blocks = 0;
      while (true) {
        int begin = text.indexOf(BEGIN, pos);
        if (begin < 0) {
          break;
        }
        int labelEnd = text.indexOf("-----", begin + BEGIN.length());
        if (labelEnd < 0) {
          throw new InvalidBundleException("cannot parse certificate: malformed PEM header");
        }
        String label = text.substring(begin + BEGIN.length(), labelEnd);
        String endMarker = END + label + "-----";
        int end = text.indexOf(endMarker, labelEnd + 5);
        if (end < 0) {
          throw new InvalidBundleException("cannot parse certificate: PEM block without end marker");
        }
        if (!label.equals("CERTIFICATE")) {
          throw new InvalidBundleException(
              "cannot parse certificate: expected block type CERTIFICATE, got " + label);
        }
        byte[] der;
        try {
          der = Base64.getMimeDecoder().decode(text.substring(labelEnd + 5, end).trim());
        } catch (IllegalArgumentException e) {
          throw new InvalidBundleException("cannot parse certificate: PEM block is not base64");
        }
        out.add(certificate(der, "PEM block " + blocks));
        blocks++;
        pos = end + endMarker.length();
      }
      if (blocks == 0) {
        throw new InvalidBundleException("cannot parse certificate: no PEM blocks found");
      }
      return out;
    }

    private static List<X509Certificate> derSequence(byte[] input) {
      List<X509Certificate> out = new ArrayList<>();
      int pos = 0;
      while (pos < input.length) {
        int len = derLength(input, pos);
        if (len < 0 || pos + len > input.length) {
          throw new InvalidBundleException("cannot parse certificate: malformed DER");
        }
        out.add(certificate(Arrays.copyOfRange(input, pos, pos + len), "DER certificate " + out.size()));
        pos += len;
      }
      return out;
    }

    /** Total length (header + content) of the DER element at {@code pos}, or -1. */
    private static int derLength(byte[] b, int pos) {
      if (pos + 2 > b.length || b[pos] != 0x30) {
        return -1;
      }
      int first = b[pos + 1] & 0xff;
      if (first < 0x80) {
        return 2 + first;
      }
      int n = first & 0x7f;
      if (n == 0 || n > 3 || pos + 2 + n > b.length) {
        return -1;
      }
      int len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (b[pos + 2 + i] & 0xff);
      }
      return 2 + n + len;
    }

    static X509Certificate certificate(byte[] der, String where) {
      try {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        X509Certificate cert =
            (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
        if (!Arrays.equals(cert.getEncoded(), der)) {
          throw new InvalidBundleException("cannot parse certificate: " + where + " has trailing data");
        }
        return cert;
      } catch (CertificateException | RuntimeException e) {
        if (e instanceof InvalidBundleException invalidBundleException) {
          throw invalidBundleException;
        }
        throw new InvalidBundleException("cannot parse certificate: " + where + " is malformed", e);
      }
    }
  }
}
