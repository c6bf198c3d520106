package dev.jitaccess;

import dev.jitaccess.internal.CompactJws;
import dev.jitaccess.internal.UntrustedText;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a credential that did not verify claims, for the audit record of its refusal: the subject it
 * names, and the grant id ({@code jti}) a parent token names. Nothing read here is trusted or used for a
 * decision. A token goes through the one compact-JWS front end ({@link CompactJws}: size limit, three
 * canonical parts, strict JSON, no {@code none}); a certificate chain names its leaf's first URI SAN (a
 * SPIFFE ID), else its subject DN. Every value comes back through the one sanitiser for untrusted text
 * ({@link #sanitise}), so it is bounded and holds no control character.
 */
final class ClaimedSubject {
  private final CompactJws front;

  /**
   * Reads tokens up to {@code maxBytes} (the broker's credential size limit), and never fewer than the 16 KiB
   * a grant token may take; a larger one is not read at all.
   */
  ClaimedSubject(int maxBytes) {
    this.front = CompactJws.builder()
        .maxBytes(Math.min(Math.max(maxBytes, 16 * 1024), 1 << 20))
        .algorithms(CompactJws.SUPPORTED_ALGORITHMS)
        .build();
  }

  /** The subject {@code credential} claims, sanitised, or null when it names none that can be read. */
  @Nullable String subject(Credential credential) {
    if (credential instanceof Credential.Token token) {
      String sub = claim(token.value(), "sub");
      return sub == null ? null : sanitise(sub);
    }
    X509Certificate leaf = ((Credential.CertificateChain) credential).leaf();
    String uri = firstUriSan(leaf);
    return sanitise(uri != null ? uri : leaf.getSubjectX500Principal().getName());
  }

  /**
   * A string claim of an unverified token as it is (not sanitised: {@link #sanitise} it before it is
   * audited), or null when the token or the claim is unreadable.
   */
  @Nullable String claim(String token, String name) {
    if (front.parse(token) instanceof CompactJws.Parsed parsed && parsed.claims().get(name) instanceof String value) {
      return value;
    }
    return null;
  }

  /**
   * An untrusted value as an audit field: {@link UntrustedText#escape} (bare when it is safe as it is) when
   * it is at most {@link UntrustedText#MAX_EXCERPT} characters, else {@link UntrustedText#excerpt} (quoted,
   * cut, marked {@code ...}).
   */
  static String sanitise(String value) {
    return value.length() <= UntrustedText.MAX_EXCERPT ? UntrustedText.escape(value) : UntrustedText.excerpt(value);
  }

  private static @Nullable String firstUriSan(X509Certificate leaf) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException | RuntimeException e) {
      return null;
    }
    if (names == null) {
      return null;
    }
    for (List<?> name : names) {
      if (name.size() == 2 && Integer.valueOf(6).equals(name.get(0)) && name.get(1) instanceof String uri) {
        return uri;
      }
    }
    return null;
  }
}
