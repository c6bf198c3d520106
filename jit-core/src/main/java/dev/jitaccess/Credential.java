package dev.jitaccess;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What a workload presents to prove what it is: a JWT-SVID, an OIDC token or an X.509-SVID chain.
 * The broker hands it to the first configured {@link dev.jitaccess.spi.IdentityVerifier} that supports it.
 *
 * <p>{@code toString()} never shows a token.
 */
public sealed interface Credential permits Credential.Token, Credential.CertificateChain {

  /** A SPIFFE JWT-SVID in compact serialization. */
  static Credential jwtSvid(String token) {
    return new Token(TokenType.JWT_SVID, token);
  }

  /** An OIDC ID token from a platform such as GitHub Actions or Kubernetes. */
  static Credential oidcToken(String token) {
    return new Token(TokenType.OIDC, token);
  }

  /** An X.509-SVID chain, leaf first, as presented over mutual TLS. */
  static Credential x509Svid(List<X509Certificate> chain) {
    return new CertificateChain(chain);
  }

  /** The kind of bearer token. */
  enum TokenType {
    /** A SPIFFE JWT-SVID. */
    JWT_SVID,
    /** An OpenID Connect ID token. */
    OIDC
  }

  /**
   * A bearer token credential.
   *
   * @param type what kind of token it is
   * @param value the compact serialization; never shown by {@code toString()}
   */
  record Token(TokenType type, String value) implements Credential {
    /** Checks both parts are present. */
    public Token {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return "Token[type=" + type + ", value=<redacted " + value.length() + " chars>]";
    }
  }

  /**
   * An X.509 certificate chain, leaf first. Certificates are public; only their subjects are shown.
   *
   * @param chain the certificates, leaf first, at least one
   */
  record CertificateChain(List<X509Certificate> chain) implements Credential {
    /** Checks and copies the chain. */
    public CertificateChain {
      Objects.requireNonNull(chain, "chain");
      chain = List.copyOf(chain);
      if (chain.isEmpty()) {
        throw new IllegalArgumentException("chain must hold at least one certificate");
      }
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
      return chain.get(0);
    }

    @Override
    public String toString() {
      return "CertificateChain[length=" + chain.size() + "]";
    }
  }
}
