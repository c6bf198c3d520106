package dev.jitaccess.oauth;

import dev.jitaccess.internal.Arguments;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request as the adapter needs it: method, content type, headers (names lower-cased), the form
 * parameters, and the mTLS peer certificate if any. Immutable. A form that cannot be read does not make
 * building fail: the endpoint answers {@code invalid_request}. {@code toString()} shows parameter names
 * only, never values (they carry tokens).
 */
public final class HttpRequest {
  /** The largest form body parsed at all, in bytes; the endpoint's own limit is usually lower. */
  public static final int MAX_FORM_BYTES = 1 << 20;

  private final String method;
  private final @Nullable String contentType;
  private final Map<String, List<String>> headers;
  private final Map<String, List<String>> form;
  final int formBytes;
  final @Nullable String formProblem;
  private final @Nullable X509Certificate peerCertificate;

  private HttpRequest(Builder b, FormParser.Parsed parsed) {
    this.method = b.method;
    Map<String, List<String>> h = new LinkedHashMap<>();
    b.headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
    this.headers = Collections.unmodifiableMap(h);
    @Nullable String type = b.contentType;
    if (type == null && headers.containsKey("content-type")) {
      type = headers.get("content-type").get(0);
    }
    this.contentType = type;
    this.form = parsed.parameters();
    this.formBytes = parsed.bytes();
    this.formProblem = parsed.problem();
    this.peerCertificate = b.peerCertificate;
  }

  /** Starts a builder for a request with this HTTP method (for example {@code POST}). */
  public static Builder builder(String method) {
    return new Builder(method);
  }

  /**
   * A POST request with an {@code application/x-www-form-urlencoded} body, parsed strictly: at most
   * {@link #MAX_FORM_BYTES}, valid percent-encoding and UTF-8, parameters without a value dropped.
   *
   * @param body the raw form body
   * @param contentType the {@code Content-Type} header, or null if the request had none
   * @param headers the other request headers (any name case), for example {@code Authorization} and {@code DPoP}
   */
  public static HttpRequest fromForm(String body, @Nullable String contentType, Map<String, ? extends Collection<String>> headers) {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(headers, "headers");
    Builder b = builder("POST").formBody(body);
    if (contentType != null) {
      b.contentType(contentType);
    }
    headers.forEach((name, values) -> {
      Objects.requireNonNull(values, "header values");
      values.forEach(v -> b.header(name, v));
    });
    return b.build();
  }

  /** The HTTP method. */
  public String method() {
    return method;
  }

  /** The {@code Content-Type}, if the request had one. */
  public Optional<String> contentType() {
    return Optional.ofNullable(contentType);
  }

  /** Every header, by lower-cased name, values in order. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header (any name case), if present. */
  public Optional<String> header(String name) {
    Objects.requireNonNull(name, "name");
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The form parameters with every value in order; empty when the form could not be read. */
  public Map<String, List<String>> form() {
    return form;
  }

  /** The mutual-TLS client certificate, if the connection had one. */
  public Optional<X509Certificate> peerCertificate() {
    return Optional.ofNullable(peerCertificate);
  }

  @Override
  public String toString() {
    return "HttpRequest[" + method + ", contentType=" + contentType + ", parameters=" + form.keySet()
        + ", headers=" + headers.keySet() + (peerCertificate == null ? "" : ", peerCertificate=present")
        + (formProblem == null ? "" : ", malformed") + "]";
  }

  /** Builds an {@link HttpRequest}; the form comes either as a raw body or as decoded parameters. Not thread-safe. */
  public static final class Builder {
    private final String method;
    private @Nullable String contentType;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private @Nullable String formBody;
    private final Map<String, List<String>> parameters = new LinkedHashMap<>();
    private @Nullable X509Certificate peerCertificate;

    private Builder(String method) {
      Objects.requireNonNull(method, "method");
      if (method.isEmpty() || method.length() > 16 || !method.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        throw new IllegalArgumentException("method must be an HTTP method token, got '" + OAuthErrors.sanitize(method) + "'");
      }
      this.method = method;
    }

    /** The {@code Content-Type} header; otherwise a {@code content-type} header, if added. */
    public Builder contentType(String contentType) {
      this.contentType = Arguments.setOnce(this.contentType, contentType, "contentType");
      return this;
    }

    /** Adds a header value; names are case-insensitive. */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value");
      if (name.isBlank() || name.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f || c == ':')) {
        throw new IllegalArgumentException("header name must be a token, got '" + OAuthErrors.sanitize(name) + "'");
      }
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
      return this;
    }

    /** The raw {@code application/x-www-form-urlencoded} body; not with {@link #formParameter}. */
    public Builder formBody(String body) {
      Arguments.setOnce(this.formBody, body, "formBody");
      Arguments.requireState(parameters.isEmpty(), "formBody cannot be combined with formParameter");
      this.formBody = body;
      return this;
    }

    /** Adds a form parameter a framework already decoded; not with {@link #formBody}. */
    public Builder formParameter(String name, String value) {
      Objects.requireNonNull(name, "parameter name");
      Objects.requireNonNull(value, "parameter value");
      Arguments.requireState(formBody == null, "formParameter cannot be combined with formBody");
      parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    /** The mutual-TLS client certificate. */
    public Builder peerCertificate(X509Certificate certificate) {
      this.peerCertificate = Arguments.setOnce(this.peerCertificate, certificate, "peerCertificate");
      return this;
    }

    /** Builds the request, parsing the form. Never fails for a malformed form (see {@link HttpRequest}). */
    public HttpRequest build() {
      FormParser.Parsed parsed = formBody != null
          ? FormParser.parse(formBody, MAX_FORM_BYTES)
          : FormParser.of(parameters, MAX_FORM_BYTES);
      return new HttpRequest(this, parsed);
    }
  }
}