package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a fuzzing finding (GrantTokenFuzzTest, with Nimbus instrumented): text that
 * Nimbus's lenient JSON parser reads as JSON {@code null} (such as {@code null:null"} or {@code null})
 * makes {@link GrantRequest.Builder#dpopKey} throw a {@link NullPointerException} without a message from
 * inside Nimbus, instead of the documented {@link IllegalArgumentException}. The fuzzer's input is kept
 * in {@code findings/dpop-key-json-null.txt}; the bug is fixed and this test keeps it fixed.
 */
class DpopKeyIsRefusedTest {
  @Test
  void jsonNullIsRefusedWithIllegalArgumentException() {
    for (String key : new String[] {"null", "null:null\"", " null "}) {
      assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("t").ttl(Duration.ofMinutes(1)).dpopKey(key))
          .as(key).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /**
   * A request bound to an RSA key under 2048 bits is refused up front, with the rule DPoP proofs follow
   * ({@code KeyMaterial.shortRsaKey}): before, the request was accepted and every proof for it refused.
   */
  @Test
  void anRsaKeyUnderTwoThousandFortyEightBitsIsRefusedUpFront() throws Exception {
    RSAKey weak = new RSAKeyGenerator(1024, true).generate().toPublicJWK();
    assertThatThrownBy(() -> Fixtures.request(Fixtures.DEPLOYER).taskId("t").ttl(Duration.ofMinutes(1))
            .dpopKey(weak.toJSONString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dpopKey is an RSA key of 1024 bits; at least 2048 are required");
    RSAKey strong = new RSAKeyGenerator(2048).generate().toPublicJWK();
    Fixtures.request(Fixtures.DEPLOYER).taskId("t").ttl(Duration.ofMinutes(1)).dpopKey(strong.toJSONString());
  }
}
