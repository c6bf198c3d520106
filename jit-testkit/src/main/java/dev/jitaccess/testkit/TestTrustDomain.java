package dev.jitaccess.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Credential;
import dev.jitaccess.spiffe.BundleSource;
import dev.jitaccess.spiffe.JwtSvidVerifier;
import dev.jitaccess.spiffe.SpiffeBundle;
import dev.jitaccess.spiffe.SpiffeId;
import dev.jitaccess.spiffe.TrustDomain;
import dev.jitaccess.spiffe.X509SvidVerifier;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A throwaway SPIFFE trust domain for tests: a root CA and an intermediate CA (EC P-256) and a JWT
 * signing key (ES256, with a key id), all generated in memory when it is created. It mints real
 * JWT-SVIDs and X.509-SVIDs for any SPIFFE ID of the domain, and hands out the matching {@link
 * SpiffeBundle} and ready-configured jit-spiffe verifiers, so a test presents credentials that the real
 * verifiers really check.
 *
 * <pre>{@code
 * TestTrustDomain td = TestTrustDomain.create("example.org", clock);
 * String token = td.jwtSvid("spiffe://example.org/ci/deploy", "jit-broker");
 * TestTrustDomain.X509Svid svid = td.x509Svid("spiffe://example.org/ci/deploy");
 * IdentityResult r = td.x509SvidVerifier().verify(svid.credential());
 * }</pre>
 *
 * <p>Certificates follow the SPIFFE X.509-SVID profile: the CAs have {@code cA=true}, keyCertSign and
 * cRLSign, and a path-less SPIFFE ID as URI SAN; leaves have {@code cA=false}, digitalSignature,
 * exactly one URI SAN (the SPIFFE ID, with a path) and EKU serverAuth and clientAuth. Times are read
 * from the clock given at creation: the CAs are valid from one day before that instant for {@value
 * #CA_VALIDITY_DAYS} days; each SVID from one minute before the clock's instant when it is minted until
 * its TTL has passed.
 *
 * <p>Thread-safe and immutable after creation. The private keys never leave the object except the
 * leaf key of an {@link X509Svid}, which belongs to the test that asked for it. Test use only.
 */
public final class TestTrustDomain {
  /** How long a JWT-SVID lives unless a TTL is given: 5 minutes. */
  public static final Duration DEFAULT_JWT_SVID_TTL = Duration.ofMinutes(5);
  /** How long an X.509-SVID lives unless a TTL is given: 1 hour. */
  public static final Duration DEFAULT_X509_SVID_TTL = Duration.ofHours(1);
  /** How long the root and intermediate CAs are valid, in days from one day before creation. */
  public static final int CA_VALIDITY_DAYS = 366;
  /**
   * The claim the {@link #jwtSvidVerifier(String)} reads the workload's owner from ({@code owner}); put
   * it in a JWT-SVID with {@link #jwtSvid(String, String, Duration, Map)}.
   */
  public static final String OWNER_CLAIM = "owner";

  private static final Set<String> REGISTERED = Set.of("sub", "aud", "exp", "iat");

  private final TrustDomain trustDomain;
  private final Clock clock;
  private final Pki.Issued root;
  private final Pki.Issued intermediate;
  private final ECKey jwtKey;
  private final SpiffeBundle bundle;
  private final BundleSource bundleSource;

  private TestTrustDomain(TrustDomain trustDomain, Clock clock) {
    this.trustDomain = trustDomain;
    this.clock = clock;
    Instant now = clock.instant();
    Instant caFrom = now.minus(Duration.ofDays(1));
    Instant caUntil = caFrom.plus(Duration.ofDays(CA_VALIDITY_DAYS));
    this.root = Pki.ca(trustDomain, "root", null, caFrom, caUntil);
    this.intermediate = Pki.ca(trustDomain, "intermediate", root, caFrom.plusSeconds(1), caUntil.minusSeconds(1));
    try {
      this.jwtKey = new ECKeyGenerator(Curve.P_256).keyID(trustDomain.name() + "-jwt-" + Pki.randomId()).generate();
      this.bundle = SpiffeBundle.builder(trustDomain)
          .x509Authority(root.certificate())
          .jwtAuthority(jwtKey.getKeyID(), jwtKey.toECPublicKey())
          .build();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate the JWT signing key", e);
    }
    this.bundleSource = BundleSource.of(bundle);
  }

  /**
   * Creates a trust domain with fresh keys and certificates valid around {@code clock}'s instant.
   *
   * @param name the trust domain name, such as {@code example.org}, or its ID {@code spiffe://example.org}
   * @param clock the clock SVIDs are minted and verified at; pass the broker's (manual) clock
   * @throws dev.jitaccess.spiffe.InvalidSpiffeIdException if the name is not a valid trust domain
   */
  public static TestTrustDomain create(String name, Clock clock) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(clock, "clock");
    return new TestTrustDomain(TrustDomain.parse(name), clock);
  }

  /** The trust domain. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The clock SVIDs are minted at and the verifiers check at. */
  public Clock clock() {
    return clock;
  }

  /** The root CA certificate, the X.509 authority of {@link #bundle()}. */
  public X509Certificate rootCertificate() {
    return root.certificate();
  }

  /** The intermediate CA certificate that signs every X.509-SVID. */
  public X509Certificate intermediateCertificate() {
    return intermediate.certificate();
  }

  /** The key id ({@code kid}) of the JWT signing key. */
  public String jwtKeyId() {
    return jwtKey.getKeyID();
  }

  /** A JWT-SVID for {@code spiffeId} and {@code audience}, valid for {@link #DEFAULT_JWT_SVID_TTL}. */
  public String jwtSvid(String spiffeId, String audience) {
    return jwtSvid(spiffeId, audience, DEFAULT_JWT_SVID_TTL);
  }

  /** A JWT-SVID for {@code spiffeId} and {@code audience}, valid for {@code ttl} from the clock's instant. */
  public String jwtSvid(String spiffeId, String audience, Duration ttl) {
    return jwtSvid(spiffeId, audience, ttl, Map.of());
  }

  /**
   * A JWT-SVID (compact JWS, ES256, {@code typ} JWT, {@code kid}) with claims {@code sub}, {@code aud}
   * (one audience), {@code iat} = the clock's instant, {@code exp} = {@code iat + ttl}, plus {@code
   * extraClaims} (for example {@link #OWNER_CLAIM}, or an {@code nbf} to craft a token not valid yet).
   *
   * @param spiffeId a SPIFFE ID with a path in this trust domain
   * @param audience the audience, for example the broker's {@code jit-broker}
   * @param ttl how long the token is valid; positive
   * @param extraClaims further claims, JSON-compatible values; may not set {@code sub}, {@code aud},
   *     {@code exp} or {@code iat}
   * @throws IllegalArgumentException if the ID is invalid, of another trust domain or has no path, the
   *     audience is blank, the TTL is not positive or an extra claim is a registered one
   */
  public String jwtSvid(String spiffeId, String audience, Duration ttl, Map<String, ?> extraClaims) {
    SpiffeId id = member(spiffeId);
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(ttl, "ttl");
    Objects.requireNonNull(extraClaims, "extraClaims");
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience must not be blank");
    }
    positive(ttl);
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
    for (Map.Entry<String, ?> e : extraClaims.entrySet()) {
      Objects.requireNonNull(e.getKey(), "claim name");
      if (REGISTERED.contains(e.getKey())) {
        throw new IllegalArgumentException("extra claim '" + e.getKey() + "' is set by the kit; pass it as a parameter");
      }
      claims.claim(e.getKey(), e.getValue());
    }
    Instant now = clock.instant();
    claims.subject(id.toString())
        .audience(audience)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)));
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).keyID(jwtKey.getKeyID()).build(),
        claims.build());
    try {
      jwt.sign(new ECDSASigner(jwtKey));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign the JWT-SVID", e);
    }
    return jwt.serialize();
  }

  /** {@code Credential.jwtSvid(jwtSvid(spiffeId, audience))}: a fresh JWT-SVID credential. */
  public Credential credential(String spiffeId, String audience) {
    return Credential.jwtSvid(jwtSvid(spiffeId, audience));
  }

  /** An X.509-SVID for {@code spiffeId}, valid for {@link #DEFAULT_X509_SVID_TTL}. */
  public X509Svid x509Svid(String spiffeId) {
    return x509Svid(spiffeId, DEFAULT_X509_SVID_TTL);
  }

  /**
   * An X.509-SVID for {@code spiffeId} with a fresh EC P-256 key, signed by the intermediate CA: valid
   * from one minute before the clock's instant until {@code ttl} after it (but never past the CAs).
   *
   * @throws IllegalArgumentException if the ID is invalid, of another trust domain or has no path, or
   *     the TTL is not positive
   */
  public X509Svid x509Svid(String spiffeId, Duration ttl) {
    SpiffeId id = member(spiffeId);
    Objects.requireNonNull(ttl, "ttl");
    positive(ttl);
    Instant now = clock.instant();
    Instant until = now.plus(ttl);
    Instant caUntil = intermediate.certificate().getNotAfter().toInstant();
    if (until.isAfter(caUntil)) {
      until = caUntil;
    }
    Pki.Issued leaf = Pki.leaf(id, intermediate, now.minus(Duration.ofMinutes(1)), until);
    return new X509Svid(id, List.of(leaf.certificate(), intermediate.certificate()), leaf.privateKey());
  }

  /** The trust bundle: the root CA as X.509 authority and the JWT signing key as JWT authority. */
  public SpiffeBundle bundle() {
    return bundle;
  }

  /**
   * Writes {@link #bundle()} to {@code file} in the SPIFFE bundle format ({@link SpiffeBundle#toJson()}),
   * replacing the file: what a bundle-file setting or a {@code RefreshingBundleSource} reads in a test,
   * with no JWKS written by hand.
   *
   * @return {@code file}
   * @throws NullPointerException if {@code file} is null
   * @throws java.io.UncheckedIOException if the file cannot be written
   */
  public java.nio.file.Path writeBundle(java.nio.file.Path file) {
    Objects.requireNonNull(file, "file");
    try {
      java.nio.file.Files.write(file, bundle.toJson());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not write the bundle of " + trustDomain() + " to " + file, e);
    }
    return file;
  }

  /** A fixed bundle source holding only {@link #bundle()}. */
  public BundleSource bundleSource() {
    return bundleSource;
  }

  /**
   * A real {@link JwtSvidVerifier} for this trust domain accepting {@code audience}, at this trust
   * domain's clock, with the default leeway, taking the owner from the {@link #OWNER_CLAIM} claim.
   */
  public JwtSvidVerifier jwtSvidVerifier(String audience) {
    Objects.requireNonNull(audience, "audience");
    return jwtSvidVerifierBuilder(audience).ownerClaim(OWNER_CLAIM).build();
  }

  /**
   * A {@link JwtSvidVerifier.Builder} with the bundle source, the audiences and the clock already set,
   * to add further options (leeway, owner claim or mapping) before building.
   */
  public JwtSvidVerifier.Builder jwtSvidVerifierBuilder(String... audiences) {
    return JwtSvidVerifier.builder().bundleSource(bundleSource).audiences(audiences).clock(clock);
  }

  /** A real {@link X509SvidVerifier} for this trust domain at this trust domain's clock. */
  public X509SvidVerifier x509SvidVerifier() {
    return x509SvidVerifierBuilder().build();
  }

  /**
   * An {@link X509SvidVerifier.Builder} with the bundle source and the clock already set, to add
   * further options (owner mapping, chain length) before building.
   */
  public X509SvidVerifier.Builder x509SvidVerifierBuilder() {
    return X509SvidVerifier.builder().bundleSource(bundleSource).clock(clock);
  }

  @Override
  public String toString() {
    return "TestTrustDomain[" + trustDomain.name() + ", kid=" + jwtKey.getKeyID() + "]";
  }

  private SpiffeId member(String spiffeId) {
    Objects.requireNonNull(spiffeId, "spiffeId");
    SpiffeId id;
    try {
      id = SpiffeId.parse(spiffeId);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a valid SPIFFE ID: '" + spiffeId + "': " + e.getMessage(), e);
    }
    if (!id.isMemberOf(trustDomain)) {
      throw new IllegalArgumentException(
          spiffeId + " is not in trust domain " + trustDomain.name() + "; create a TestTrustDomain for "
              + id.trustDomain().name());
    }
    if (id.isTrustDomainId()) {
      throw new IllegalArgumentException("an SVID needs a SPIFFE ID with a path, got " + spiffeId);
    }
    return id;
  }

  private static void positive(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
  }

  /**
   * An X.509-SVID minted by a {@link TestTrustDomain}: the chain as presented over mutual TLS and the
   * leaf's private key. {@code toString()} never shows the key.
   *
   * @param spiffeId the SPIFFE ID in the leaf's URI SAN
   * @param chain the leaf then the intermediate CA (the root is in the bundle, not in the chain)
   * @param privateKey the leaf's private key
   */
  public record X509Svid(SpiffeId spiffeId, List<X509Certificate> chain, PrivateKey privateKey) {
    /** Checks and copies. */
    public X509Svid {
      Objects.requireNonNull(spiffeId, "spiffeId");
      Objects.requireNonNull(privateKey, "privateKey");
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("chain must hold at least the leaf");
      }
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
      return chain.get(0);
    }

    /** The chain as a broker credential, {@code Credential.x509Svid(chain)}. */
    public Credential credential() {
      return Credential.x509Svid(chain);
    }

    @Override
    public String toString() {
      return "X509Svid[" + spiffeId + ", chain=" + chain.size() + " certificates, privateKey=<redacted>]";
    }
  }
}
