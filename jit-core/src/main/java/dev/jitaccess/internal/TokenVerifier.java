package dev.jitaccess.internal;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantVerifier;
import dev.jitaccess.Verification;
import dev.jitaccess.VerificationRequest;
import dev.jitaccess.Verification.RejectionReason;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantState;
import dev.jitaccess.spi.GrantStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks grant tokens. Every failure is a {@link Verification.Rejected}; nothing here throws for bad
 * input, and no detail ever contains the token.
 */
public final class TokenVerifier implements GrantVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  private static final JOSEObjectType MEDIA_TYPE = new JOSEObjectType("application/at+jwt");

  private final String issuer;
  private final Function<String, Optional<KeyRing.PublicKeyEntry>> keys;
  private final Clock clock;
  private final Duration skew;
  private final @Nullable GrantStore store;
  private final @Nullable AuditSink audit;
  private final int maxTokenBytes;
  private final DpopProofs dpop;

  /**
   * Creates a verifier.
   *
   * @param keys finds a published key by kid
   * @param store the grant store, or null to check the token alone
   * @param audit where to record verification events, or null
   */
  public TokenVerifier(
      String issuer,
      Function<String, Optional<KeyRing.PublicKeyEntry>> keys,
      Clock clock,
      Duration skew,
      @Nullable GrantStore store,
      @Nullable AuditSink audit,
      int maxTokenBytes) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skew = Objects.requireNonNull(skew, "skew");
    this.store = store;
    this.audit = audit;
    this.maxTokenBytes = maxTokenBytes;
    this.dpop = new DpopProofs(clock, Duration.ofSeconds(60).plus(skew), store);
  }

  /** A verifier for the public keys of a JWK Set JSON. */
  public static GrantVerifier fromJwks(
      String issuer, String jwks, Clock clock, Duration skew, @Nullable GrantStore store, @Nullable AuditSink sink,
      int maxBytes) {
    Map<String, KeyRing.PublicKeyEntry> keys = parseJwks(jwks);
    return new TokenVerifier(issuer, kid -> Optional.ofNullable(keys.get(kid)), clock, skew, store, sink, maxBytes);
  }

  /** A verifier for the public keys served at a JWKS URL, fetched and cached as {@link RemoteJwks} says. */
  public static GrantVerifier fromJwksUri(
      String issuer, RemoteJwks keys, Clock clock, Duration skew, @Nullable GrantStore store, @Nullable AuditSink sink,
      int maxBytes) {
    return new TokenVerifier(issuer, keys, clock, skew, store, sink, maxBytes);
  }

  /**
   * The public keys of a JWK Set JSON by {@code kid}, immutable.
   *
   * @throws IllegalArgumentException if the text is not a JWK Set, holds no key, a private key or a kid twice
   */
  public static Map<String, KeyRing.PublicKeyEntry> parseJwks(String jwks) {
    JWKSet set;
    try {
      set = JWKSet.parse(jwks);
    } catch (ParseException | RuntimeException e) {
      // no detail: the text might hold key material
      throw new IllegalArgumentException("jwks is not a valid JWK Set");
    }
    if (set.getKeys().isEmpty()) {
      throw new IllegalArgumentException("jwks holds no keys");
    }
    Map<String, KeyRing.PublicKeyEntry> byKid = new HashMap<>();
    for (JWK jwk : set.getKeys()) {
      if (jwk.getKeyID() == null) {
        throw new IllegalArgumentException("jwks holds a key without kid");
      }
      KeyRing.PublicKeyEntry entry = KeyRing.publicEntry(jwk, Instant.MAX);
      if (byKid.put(jwk.getKeyID(), entry) != null) {
        throw new IllegalArgumentException("jwks holds the kid " + jwk.getKeyID() + " twice");
      }
    }
    return Map.copyOf(byKid);
  }

  @Override
  public Verification verify(String token, VerificationRequest request) {
    Objects.requireNonNull(request, "request");
    String audience = request.audience();
    Verification result;
    String grantId = null;
    try {
      Outcome o = check(token, request);
      result = o.result;
      grantId = o.grantId;
    } catch (RuntimeException e) {
      LOG.warn("grant token verification failed with {}; token refused", e.getClass().getName());
      result = new Verification.Rejected(RejectionReason.ERROR, "verification failed: " + e.getClass().getSimpleName());
    }
    record(result, token, audience, grantId);
    return result;
  }

  private record Outcome(Verification result, @Nullable String grantId) {}

  private static Outcome reject(RejectionReason reason, String detail) {
    return new Outcome(new Verification.Rejected(reason, detail), null);
  }

  private static Outcome reject(RejectionReason reason, String detail, String grantId) {
    return new Outcome(new Verification.Rejected(reason, detail), grantId);
  }

  private Outcome check(String token, VerificationRequest request) {
    String audience = request.audience();
    if (token == null || token.isEmpty()) {
      return reject(RejectionReason.MALFORMED, "no token");
    }
    if (token.length() > maxTokenBytes) {
      return reject(RejectionReason.TOO_LARGE, "token is " + token.length() + " bytes, the limit is " + maxTokenBytes);
    }
    String[] parts = split(token);
    if (parts == null) {
      return reject(RejectionReason.MALFORMED, "not a compact JWS (three base64url parts)");
    }
    // parse once; only a token that is not a JWS is parsed again, to say why
    SignedJWT jwt;
    try {
      jwt = new SignedJWT(new Base64URL(parts[0]), new Base64URL(parts[1]), new Base64URL(parts[2]));
    } catch (ParseException e) {
      return notAJws(parts[0]);
    }
    JWSHeader h = jwt.getHeader();
    if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) {
      return reject(RejectionReason.BAD_HEADER, "crit header parameters are not supported");
    }
    if (h.getJWKURL() != null || h.getJWK() != null || h.getX509CertURL() != null || h.getX509CertChain() != null) {
      return reject(RejectionReason.BAD_HEADER, "jku, jwk, x5u and x5c headers are never trusted");
    }
    if (h.getType() == null || !(GrantTokens.TYPE.equals(h.getType()) || MEDIA_TYPE.equals(h.getType()))) {
      return reject(RejectionReason.BAD_HEADER, "typ must be at+jwt, got " + h.getType());
    }
    if (h.getKeyID() == null) {
      return reject(RejectionReason.UNKNOWN_KEY, "token has no kid");
    }
    Optional<KeyRing.PublicKeyEntry> key = keys.apply(h.getKeyID());
    if (key.isEmpty()) {
      return reject(RejectionReason.UNKNOWN_KEY, "no published key with the token's kid");
    }
    if (!key.get().algorithm().equals(h.getAlgorithm())) {
      return reject(RejectionReason.BAD_ALGORITHM,
          "algorithm " + h.getAlgorithm() + " does not match the key's " + key.get().algorithm());
    }
    try {
      if (!jwt.verify(key.get().verifier())) {
        return reject(RejectionReason.BAD_SIGNATURE, "signature does not verify");
      }
    } catch (JOSEException | IllegalStateException e) {
      return reject(RejectionReason.BAD_SIGNATURE, "signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return reject(RejectionReason.MALFORMED, "claims are not a JSON object");
    }
    String jti = claims.getJWTID();
    if (!issuer.equals(claims.getIssuer())) {
      return reject(RejectionReason.WRONG_ISSUER, "issuer is " + claims.getIssuer() + ", expected " + issuer, jti);
    }
    List<String> aud = claims.getAudience();
    if (aud != null && aud.size() > 1) {
      // the broker mints exactly one audience: a token naming several was not minted by it
      return reject(RejectionReason.WRONG_AUDIENCE, "a grant token names exactly one audience, this one names " + aud.size(), jti);
    }
    if (aud == null || !aud.contains(audience)) {
      return reject(RejectionReason.WRONG_AUDIENCE, "token is not for audience " + audience, jti);
    }
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      return reject(RejectionReason.MISSING_CLAIM, "token has no exp", jti);
    }
    if (!now.isBefore(plus(exp.toInstant(), skew))) {
      return reject(RejectionReason.EXPIRED, "token expired at " + exp.toInstant(), jti);
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.isBefore(nbf.toInstant().minus(skew))) {
      return reject(RejectionReason.NOT_YET_VALID, "token is not valid before " + nbf.toInstant(), jti);
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
      return reject(RejectionReason.NOT_YET_VALID, "token was issued in the future (" + iat.toInstant() + ")", jti);
    }
    GrantInfo info;
    try {
      info = GrantTokens.info(claims);
    } catch (ParseException e) {
      return reject(RejectionReason.MISSING_CLAIM, Objects.requireNonNullElse(e.getMessage(), "malformed claims"), jti);
    }
    Outcome context = checkContext(info, token, request);
    if (context != null) {
      return context;
    }
    if (store != null) {
      Outcome state = checkState(store, info, now, request.inspectOnly());
      if (state != null) {
        return state;
      }
    }
    return new Outcome(new Verification.Verified(info), info.grantId());
  }

  private static Outcome notAJws(String headerPart) {
    Header header;
    try {
      header = Header.parse(new Base64URL(headerPart));
    } catch (ParseException e) {
      return reject(RejectionReason.MALFORMED, "header is not valid JOSE JSON");
    }
    if (!(header instanceof JWSHeader)) {
      return reject(RejectionReason.BAD_ALGORITHM,
          "unsigned or encrypted tokens are not accepted (alg " + header.getAlgorithm() + ")");
    }
    return reject(RejectionReason.MALFORMED, "token cannot be parsed");
  }

  /** Task, scope and proof of possession: checked before any state changes (single use). */
  private @Nullable Outcome checkContext(GrantInfo info, String token, VerificationRequest request) {
    String id = info.grantId();
    if (request.taskId().isPresent() && !request.taskId().get().equals(info.taskId())) {
      return reject(RejectionReason.WRONG_TASK,
          "token is bound to task " + info.taskId() + ", presented for task " + request.taskId().get(), id);
    }
    for (String action : request.requiredActions()) {
      if (!info.actions().contains(action)) {
        return reject(RejectionReason.INSUFFICIENT_SCOPE, "token does not grant " + action, id);
      }
    }
    if (request.requireProofOfPossession() && !info.isSenderConstrained()) {
      return reject(RejectionReason.PROOF_OF_POSSESSION, "a sender-constrained token is required", id);
    }
    // an inspection without any proof reads the grant; it never acts as the holder
    boolean proofGiven = request.peerCertificate().isPresent() || request.dpopProof().isPresent();
    if (request.inspectOnly() && !proofGiven) {
      return null;
    }
    if (info.certificateThumbprint().isPresent()) {
      if (request.peerCertificate().isEmpty()) {
        return reject(RejectionReason.PROOF_OF_POSSESSION,
            "the token is bound to a client certificate; the mTLS peer certificate is required", id);
      }
      String presented;
      try {
        presented = Thumbprints.x5tS256(request.peerCertificate().get());
      } catch (java.security.cert.CertificateEncodingException e) {
        return reject(RejectionReason.PROOF_OF_POSSESSION, "the peer certificate cannot be encoded", id);
      }
      if (!java.security.MessageDigest.isEqual(
          presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          info.certificateThumbprint().get().getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
        return reject(RejectionReason.PROOF_OF_POSSESSION, "the peer certificate is not the one the token is bound to", id);
      }
    }
    if (info.keyThumbprint().isPresent()) {
      if (request.dpopProof().isEmpty() || request.httpMethod().isEmpty() || request.httpUri().isEmpty()) {
        return reject(RejectionReason.PROOF_OF_POSSESSION,
            "the token is bound to a DPoP key; a DPoP proof with method and URI is required", id);
      }
      DpopProofs.Result p = dpop.check(request.dpopProof().get(), new DpopProofs.Expectation(
          request.httpMethod().get(), request.httpUri().get(), token, info.keyThumbprint().get(), !request.inspectOnly()));
      if (!p.isGood()) {
        return reject(p.replay() ? RejectionReason.REPLAYED : RejectionReason.PROOF_OF_POSSESSION,
            Objects.requireNonNullElse(p.problem(), "bad DPoP proof"), id);
      }
    }
    return null;
  }

  private @Nullable Outcome checkState(GrantStore store, GrantInfo info, Instant now, boolean inspectOnly) {
    String id = info.grantId();
    Optional<GrantRecord> found = store.find(id);
    if (found.isEmpty()) {
      return reject(RejectionReason.UNKNOWN_GRANT, "the broker does not know this grant", id);
    }
    GrantRecord r = found.get();
    if (!matchesRecord(info, r.info())) {
      return reject(RejectionReason.UNKNOWN_GRANT, "the token does not match the broker's record", id);
    }
    if (r.state() == GrantState.REVOKED) {
      return reject(RejectionReason.REVOKED, "grant was revoked (" + r.revocationReason().map(Enum::name).orElse("?") + ")", id);
    }
    if (r.state() == GrantState.EXPIRED || !now.isBefore(r.info().expiresAt())) {
      return reject(RejectionReason.EXPIRED, "grant has expired", id);
    }
    if (!now.isBefore(r.idleDeadline())) {
      return reject(RejectionReason.EXPIRED, "grant went idle: no renewal before " + r.idleDeadline(), id);
    }
    Optional<String> ancestor = r.info().parentGrantId();
    for (int depth = 0; ancestor.isPresent(); depth++) {
      Optional<GrantRecord> a = store.find(ancestor.get());
      if (depth >= GrantTokens.MAX_CHAIN || a.isEmpty() || !a.get().isLiveAt(now)) {
        return reject(RejectionReason.REVOKED, "a grant this one was delegated from is no longer live", id);
      }
      ancestor = a.get().info().parentGrantId();
    }
    if (r.info().singleUse() && inspectOnly) {
      return r.uses() == 0 ? null : reject(RejectionReason.REPLAYED, "single-use grant was already used", id);
    }
    if (r.info().singleUse()) {
      boolean[] consumed = new boolean[1];
      store.update(id, rec -> {
        if (rec.uses() == 0 && rec.isLiveAt(now)) {
          consumed[0] = true;
          return rec.withUse();
        }
        return rec;
      });
      if (!consumed[0]) {
        return reject(RejectionReason.REPLAYED, "single-use grant was already used", id);
      }
    }
    return null;
  }

  /**
   * Whether a token's claims agree with what the broker recorded: every security-relevant fact is equal
   * (holder, issuer, the one audience, task, purpose, environment, owner, approvals, break-glass and
   * single-use flags, sender constraint and lineage), the actions and the delegations left are no more than
   * the record's, and the token was issued and expires no later than the record says (a renewing grant's
   * earlier tokens are older and expire sooner; a re-mint that narrowed the actions retires the wider
   * earlier tokens). A token re-signed with widened claims, for example with a leaked key, does not pass.
   * Rule ids are explanations, not authority, and may change at a re-mint.
   */
  private static boolean matchesRecord(GrantInfo token, GrantInfo record) {
    return token.grantId().equals(record.grantId())
        && token.subject().equals(record.subject())
        && token.issuer().equals(record.issuer())
        && token.resource().equals(record.resource())
        && token.taskId().equals(record.taskId())
        && token.purpose().equals(record.purpose())
        && token.environment().equals(record.environment())
        && token.owner().equals(record.owner())
        && token.approvalId().equals(record.approvalId())
        && approvers(token).equals(approvers(record))
        && token.breakGlass() == record.breakGlass()
        && token.singleUse() == record.singleUse()
        && record.actions().containsAll(token.actions())
        && token.certificateThumbprint().equals(record.certificateThumbprint())
        && token.keyThumbprint().equals(record.keyThumbprint())
        && token.parentGrantId().equals(record.parentGrantId())
        && token.delegators().equals(record.delegators())
        && token.delegationsLeft() <= record.delegationsLeft()
        && !token.issuedAt().isAfter(record.issuedAt())
        && !token.expiresAt().isAfter(record.expiresAt());
  }

  private static List<String> approvers(GrantInfo g) {
    return g.approvals().stream().map(a -> a.approver() + "@" + a.at().getEpochSecond()).toList();
  }

  private void record(Verification result, String token, String audience, @Nullable String grantId) {
    if (audit == null) {
      return;
    }
    AuditEventType type;
    Map<String, String> fields = new LinkedHashMap<>();
    if (grantId != null) {
      fields.put(AuditEvent.GRANT_ID, grantId);
    }
    if (result instanceof Verification.Verified verified) {
      GrantInfo g = verified.grant();
      type = AuditEventType.VERIFIED;
      fields.put(AuditEvent.TASK_ID, g.taskId());
      fields.put(AuditEvent.IDENTITY, g.subject());
    } else {
      Verification.Rejected r = (Verification.Rejected) result;
      type = r.reason() == RejectionReason.REPLAYED ? AuditEventType.REPLAY_BLOCKED
          : r.reason() == RejectionReason.WRONG_TASK ? AuditEventType.REUSE_BLOCKED
          : AuditEventType.VERIFY_REJECTED;
      fields.put(AuditEvent.REASON, r.reason() + ": " + r.detail());
    }
    fields.put(AuditEvent.RESOURCE, audience);
    if (token != null && token.length() <= maxTokenBytes) {
      fields.put(AuditEvent.TOKEN_SHA256, GrantTokens.sha256(token));
    }
    try {
      audit.record(new AuditEvent(type, clock.instant(), fields));
    } catch (RuntimeException e) {
      LOG.error("audit sink failed to record {} for grant {}: {}", type, grantId, e.getClass().getName());
    }
  }

  private static Instant plus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return Instant.MAX;
    }
  }

  private static String @Nullable [] split(String token) {
    int first = token.indexOf('.');
    if (first <= 0) {
      return null;
    }
    int second = token.indexOf('.', first + 1);
    if (second < 0 || second == first + 1 || token.indexOf('.', second + 1) >= 0) {
      return null;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return null;
      }
    }
    return new String[] {token.substring(0, first), token.substring(first + 1, second), token.substring(second + 1)};
  }
}
