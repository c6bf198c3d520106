package dev.jitaccess.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.jitaccess.Approval;
import dev.jitaccess.GrantInfo;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The grant token format: an RFC 9068 JWT access token ({@code typ: at+jwt}) whose task context follows
 * the OAuth Transaction Tokens draft ({@code txn}, {@code tctx}, {@code rctx}).
 */
public final class GrantTokens {
  /** The JOSE type of grant tokens. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
  /** Claim: the task id (Transaction Tokens' transaction identifier). */
  public static final String TXN = "txn";
  /** Claim: the task context object. */
  public static final String TCTX = "tctx";
  /** Claim: the requester context object. */
  public static final String RCTX = "rctx";
  /** Claim: RFC 9068 client id. */
  public static final String CLIENT_ID = "client_id";
  /** Claim: RFC 9068 scope. */
  public static final String SCOPE = "scope";
  /** Claim: RFC 8693 actor chain. */
  public static final String ACT = "act";
  /** Claim: RFC 7800 confirmation. */
  public static final String CNF = "cnf";
  /** Confirmation member: RFC 8705 certificate thumbprint. */
  public static final String X5T_S256 = "x5t#S256";
  /** Confirmation member: RFC 9449 JWK thumbprint. */
  public static final String JKT = "jkt";
  /** The longest delegation chain read back from a token. */
  public static final int MAX_CHAIN = 16;

  private GrantTokens() {}

  /** Builds the claims of a grant token. */
  public static JWTClaimsSet claims(GrantInfo g, String identityIssuer, String identityKind) {
    Map<String, Object> tctx = new LinkedHashMap<>();
    tctx.put("purpose", g.purpose());
    tctx.put("env", g.environment());
    g.owner().ifPresent(o -> tctx.put("owner", o));
    g.approvalId().ifPresent(a -> tctx.put("approval_id", a));
    if (!g.approvals().isEmpty()) {
      List<Map<String, Object>> approvals = new ArrayList<>();
      for (Approval a : g.approvals()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("by", a.approver());
        m.put("at", a.at().getEpochSecond());
        if (!a.comment().isEmpty()) {
          m.put("comment", a.comment().length() > 256 ? a.comment().substring(0, 256) : a.comment());
        }
        approvals.add(m);
      }
      tctx.put("approvals", approvals);
    }
    if (g.breakGlass()) {
      tctx.put("break_glass", true);
    }
    if (g.singleUse()) {
      tctx.put("single_use", true);
    }
    if (!g.ruleIds().isEmpty()) {
      tctx.put("rules", g.ruleIds());
    }
    g.parentGrantId().ifPresent(p -> tctx.put("parent", p));
    if (g.delegationsLeft() > 0) {
      tctx.put("del_left", g.delegationsLeft());
    }
    Map<String, Object> rctx = new LinkedHashMap<>();
    rctx.put("req_wl", g.subject());
    rctx.put("req_iss", identityIssuer);
    rctx.put("authn", identityKind);
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    // RFC 8693 section 4.1: sub stays the subject on whose behalf the call is made (the first identity
    // of the chain), act names the current actor (the sub-grant's holder) and a nested act each prior
    // actor, nearest first
    List<String> actors = actors(g);
    if (!actors.isEmpty()) {
      Map<String, Object> act = null;
      for (int i = actors.size() - 1; i >= 0; i--) {
        Map<String, Object> level = new LinkedHashMap<>();
        level.put("sub", actors.get(i));
        if (act != null) {
          level.put("act", act);
        }
        act = level;
      }
      b.claim(ACT, act);
    }
    if (g.isSenderConstrained()) {
      Map<String, Object> cnf = new LinkedHashMap<>();
      g.certificateThumbprint().ifPresent(t -> cnf.put(X5T_S256, t));
      g.keyThumbprint().ifPresent(t -> cnf.put(JKT, t));
      b.claim(CNF, cnf);
    }
    return b
        .issuer(g.issuer())
        .subject(subject(g))
        .audience(g.resource())
        .expirationTime(Date.from(g.expiresAt()))
        .notBeforeTime(Date.from(g.issuedAt()))
        .issueTime(Date.from(g.issuedAt()))
        .jwtID(g.grantId())
        .claim(CLIENT_ID, g.subject())
        .claim(SCOPE, String.join(" ", new java.util.TreeSet<>(g.actions())))
        .claim(TXN, g.taskId())
        .claim(TCTX, tctx)
        .claim(RCTX, rctx)
        .build();
  }

  /** Signs the claims with the active key. */
  public static String sign(KeyRing.ActiveKey key, JWTClaimsSet claims) throws JOSEException {
    JWSHeader header = new JWSHeader.Builder(key.algorithm()).type(TYPE).keyID(key.kid()).build();
    SignedJWT jwt = new SignedJWT(header, claims);
    jwt.sign(key.signer());
    return jwt.serialize();
  }

  /**
   * Reads a grant's facts back from verified claims.
   *
   * @throws ParseException if a required claim is missing or has the wrong type
   */
  public static GrantInfo info(JWTClaimsSet c) throws ParseException {
    String jti = required(c.getJWTID(), "jti");
    String sub = required(c.getSubject(), "sub");
    String iss = required(c.getIssuer(), "iss");
    List<String> aud = c.getAudience();
    if (aud == null || aud.isEmpty()) {
      throw new ParseException("missing claim aud", 0);
    }
    if (aud.size() != 1) {
      // the broker mints exactly one audience; any other shape is not its token
      throw new ParseException("a grant token has exactly one aud, this one has " + aud.size(), 0);
    }
    String scope = required(c.getStringClaim(SCOPE), SCOPE);
    Set<String> actions = new LinkedHashSet<>(List.of(scope.split(" ")));
    actions.remove("");
    if (actions.isEmpty()) {
      throw new ParseException("empty scope", 0);
    }
    String txn = required(c.getStringClaim(TXN), TXN);
    Map<String, Object> tctx = c.getJSONObjectClaim(TCTX);
    if (tctx == null) {
      throw new ParseException("missing claim tctx", 0);
    }
    Date iat = c.getIssueTime();
    Date exp = c.getExpirationTime();
    if (iat == null || exp == null) {
      throw new ParseException("missing claim iat or exp", 0);
    }
    List<Approval> approvals = new ArrayList<>();
    Object rawApprovals = tctx.get("approvals");
    if (rawApprovals instanceof List) {
      for (Object o : (List<?>) rawApprovals) {
        if (o instanceof Map) {
          Map<?, ?> m = (Map<?, ?>) o;
          Object by = m.get("by");
          Object at = m.get("at");
          Object comment = m.get("comment");
          if (by instanceof String approver && at instanceof Number seconds) {
            approvals.add(new Approval(approver, Instant.ofEpochSecond(seconds.longValue()),
                comment instanceof String text ? text : ""));
          }
        }
      }
    }
    List<String> rules = new ArrayList<>();
    Object rawRules = tctx.get("rules");
    if (rawRules instanceof List) {
      for (Object o : (List<?>) rawRules) {
        if (o instanceof String string) {
          rules.add(string);
        }
      }
    }
    // RFC 8693 section 4.1: act names the current actor, nested acts the prior actors; sub is the subject
    List<String> actors = new ArrayList<>();
    Object act = c.getClaim(ACT);
    while (act instanceof Map) {
      Object actor = ((Map<?, ?>) act).get("sub");
      if (!(actor instanceof String name) || name.isEmpty() || actors.size() >= MAX_CHAIN) {
        throw new ParseException("malformed act claim", 0);
      }
      actors.add(name);
      act = ((Map<?, ?>) act).get("act");
    }
    if (act != null) {
      throw new ParseException("malformed act claim", 0);
    }
    // the grant's holder is the current actor; its delegators are the prior actors, then the subject
    String holder = actors.isEmpty() ? sub : actors.get(0);
    List<String> delegators = new ArrayList<>();
    if (!actors.isEmpty()) {
      delegators.addAll(actors.subList(1, actors.size()));
      delegators.add(sub);
    }
    Optional<String> parent = string(tctx, "parent");
    if (parent.isPresent() != !delegators.isEmpty()) {
      throw new ParseException("act and tctx.parent must come together", 0);
    }
    Object left = tctx.get("del_left");
    int delegationsLeft =
        left instanceof Number number ? (int) Math.max(0, Math.min(MAX_CHAIN, number.longValue())) : 0;
    Map<String, Object> cnf = c.getJSONObjectClaim(CNF);
    Optional<String> x5t = cnf == null ? Optional.empty() : string(cnf, X5T_S256);
    Optional<String> jkt = cnf == null ? Optional.empty() : string(cnf, JKT);
    if (cnf != null && x5t.isEmpty() && jkt.isEmpty()) {
      throw new ParseException("cnf has no supported confirmation method", 0);
    }
    return GrantInfo.builder()
        .grantId(jti)
        .subject(holder)
        .issuer(iss)
        .resource(aud.get(0))
        .actions(actions)
        .taskId(txn)
        .purpose(string(tctx, "purpose").orElseThrow(() -> new ParseException("missing tctx.purpose", 0)))
        .environment(string(tctx, "env").orElseThrow(() -> new ParseException("missing tctx.env", 0)))
        .owner(string(tctx, "owner").orElse(null))
        .issuedAt(iat.toInstant())
        .expiresAt(exp.toInstant())
        .approvalId(string(tctx, "approval_id").orElse(null))
        .approvals(approvals)
        .breakGlass(Boolean.TRUE.equals(tctx.get("break_glass")))
        .singleUse(Boolean.TRUE.equals(tctx.get("single_use")))
        .ruleIds(rules)
        .delegation(parent.orElse(null), delegators)
        .delegationsLeft(delegationsLeft)
        .certificateThumbprint(x5t.orElse(null))
        .keyThumbprint(jkt.orElse(null))
        .build();
  }

  /**
   * The token's {@code sub}: the identity on whose behalf the grant acts, that is the first identity of
   * its delegation chain (the grant's own identity when it was not delegated).
   */
  public static String subject(GrantInfo g) {
    List<String> d = g.delegators();
    return d.isEmpty() ? g.subject() : d.get(d.size() - 1);
  }

  /**
   * The actors a token's {@code act} claim names, current actor first: for a sub-grant its holder, then
   * every delegator but the first identity of the chain (which is the {@code sub}); empty otherwise.
   */
  public static List<String> actors(GrantInfo g) {
    List<String> d = g.delegators();
    if (d.isEmpty()) {
      return List.of();
    }
    List<String> actors = new ArrayList<>();
    actors.add(g.subject());
    actors.addAll(d.subList(0, d.size() - 1));
    return List.copyOf(actors);
  }

  /** The SHA-256 of a token, base64url without padding: what audit records carry instead of the token. */
  public static String sha256(String token) {
    return Sha256.base64url(token.getBytes(StandardCharsets.US_ASCII));
  }

  private static Optional<String> string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof String string ? Optional.of(string) : Optional.empty();
  }

  private static String required(String v, String name) throws ParseException {
    if (v == null || v.isEmpty()) {
      throw new ParseException("missing claim " + name, 0);
    }
    return v;
  }
}
