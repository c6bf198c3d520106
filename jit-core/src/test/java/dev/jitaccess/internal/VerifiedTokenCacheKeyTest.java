package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cache key: equal only for the exact same token, even when the hashed tail is the same; never shown. */
class VerifiedTokenCacheKeyTest {
  static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJl";

  @Test
  void equalOnlyForTheSameCharacters() {
    VerifiedTokenCache.Key a = new VerifiedTokenCache.Key(TOKEN);
    assertThat(a).isEqualTo(new VerifiedTokenCache.Key(new String(TOKEN.toCharArray())));
    assertThat(a).hasSameHashCodeAs(new VerifiedTokenCache.Key(new String(TOKEN.toCharArray())));
    // the same last characters (the same hash) and one other character changed: another key
    String head = "X" + TOKEN.substring(1);
    assertThat(new VerifiedTokenCache.Key(head)).hasSameHashCodeAs(a).isNotEqualTo(a);
    String longer = TOKEN.substring(0, 5) + "A" + TOKEN.substring(5);
    assertThat(new VerifiedTokenCache.Key(longer)).isNotEqualTo(a);
    assertThat(new VerifiedTokenCache.Key(TOKEN.substring(0, TOKEN.length() - 1) + "K")).isNotEqualTo(a);
  }

  @Test
  void toStringNeverShowsTheToken() {
    assertThat(new VerifiedTokenCache.Key(TOKEN).toString()).doesNotContain(TOKEN.substring(TOKEN.length() - 10))
        .doesNotContain("eyJ");
  }
}
