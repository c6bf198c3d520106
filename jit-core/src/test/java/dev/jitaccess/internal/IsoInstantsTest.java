package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** {@link IsoInstants#format} must be byte for byte {@link Instant#toString()}: audit lines depend on it. */
class IsoInstantsTest {

  @Property(tries = 2000)
  void sameTextAsInstantToString(
      @ForAll @LongRange(min = -62_167_219_300L, max = 253_402_300_900L) long seconds,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
    Instant i = Instant.ofEpochSecond(seconds, nano);
    assertThat(IsoInstants.format(i)).isEqualTo(i.toString());
  }

  @Property(tries = 500)
  void sameTextForWholeMillisAndMicros(
      @ForAll @LongRange(min = 0, max = 4_102_444_800L) long seconds, @ForAll @IntRange(min = 0, max = 999) int part) {
    Instant millis = Instant.ofEpochSecond(seconds, part * 1_000_000L);
    Instant micros = Instant.ofEpochSecond(seconds, part * 1_000L);
    assertThat(IsoInstants.format(millis)).isEqualTo(millis.toString());
    assertThat(IsoInstants.format(micros)).isEqualTo(micros.toString());
  }

  @Test
  void edges() {
    for (Instant i : new Instant[] {Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("0000-01-01T00:00:00Z"),
        Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("2000-02-29T12:00:00.5Z"),
        Instant.parse("1969-12-31T23:59:59.000000001Z"), Instant.parse("2026-11-23T10:00:00Z"),
        Instant.parse("2100-03-01T00:00:00Z"), Instant.ofEpochSecond(-1)}) {
      assertThat(IsoInstants.format(i)).isEqualTo(i.toString());
    }
  }
}
