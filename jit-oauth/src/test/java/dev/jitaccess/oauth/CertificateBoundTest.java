package dev.jitaccess.oauth;

import static dev.jitaccess.oauth.ExchangeFixture.DEPLOYER;
import static dev.jitaccess.oauth.ExchangeFixture.TOOL;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Certificate-bound grants (RFC 8705) through the adapter: introspection shows cnf, delegation needs the certificate. */
class CertificateBoundTest {
  private static final String FORM = "application/x-www-form-urlencoded";
  private ExchangeFixture f;
  private X509Certificate cert;
  private String parent;

  @BeforeEach
  void start() throws Exception {
    f = new ExchangeFixture();
    cert = selfSigned(1);
    HttpResponse issued = f.exchange.exchange(HttpRequest.fromForm(
        "grant_type=" + enc(TokenExchange.GRANT_TYPE) + "&subject_token_type=" + enc(TokenExchange.JWT_TYPE)
            + "&subject_token=" + f.identityOnConnection(DEPLOYER, x5t(cert))
            + "&scope=read+write&audience=orders-api&task_id=task-m", FORM, Map.of()));
    assertThat(issued.status()).as(issued.body()).isEqualTo(200);
    parent = (String) JSONObjectUtils.parse(issued.body()).get("access_token");
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void introspectionShowsTheCertificateConfirmation() throws Exception {
    HttpResponse r = f.exchange.introspect(HttpRequest.fromForm("token=" + parent, FORM,
        Map.of("Authorization", List.of(ExchangeFixture.resourceServer().toHTTPAuthorizationHeader()))));
    Map<String, Object> body = JSONObjectUtils.parse(r.body());
    assertThat(body).containsEntry("active", true).containsEntry("token_type", "Bearer");
    assertThat(body.get("cnf")).isEqualTo(Map.of("x5t#S256", x5t(cert)));
  }

  @Test
  void delegationNeedsTheBoundCertificate() throws Exception {
    assertThat(delegate(null).body()).contains("sender-constrained");
    assertThat(delegate(selfSigned(2)).body()).contains("sender-constrained");
    HttpResponse ok = delegate(cert);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
  }

  private HttpResponse delegate(X509Certificate peer) {
    HttpRequest.Builder b = HttpRequest.builder("POST").contentType(FORM).formBody(
        "grant_type=" + enc(TokenExchange.GRANT_TYPE) + "&subject_token_type=" + enc(TokenExchange.ACCESS_TOKEN_TYPE)
            + "&subject_token=" + parent + "&actor_token_type=" + enc(TokenExchange.JWT_TYPE)
            + "&actor_token=" + f.identity(TOOL) + "&scope=read&task_id=task-m");
    if (peer != null) {
      b.peerCertificate(peer);
    }
    return f.exchange.exchange(b.build());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String x5t(X509Certificate cert) throws Exception {
    return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())).toString();
  }

  static X509Certificate selfSigned(long serial) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=workload");
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial),
        Date.from(Instant.parse("2029-01-01T00:00:00Z")), Date.from(Instant.parse("2031-01-01T00:00:00Z")),
        name, kp.getPublic());
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
  }
}
