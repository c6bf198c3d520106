package dev.jitaccess.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

class JsonLinesAuditSinkProperties {
  enum Tamper { ALTER, DELETE, SWAP, FORGE, REPLAY, TRUNCATE }

  private Path dir;

  @BeforeProperty
  void makeDir() throws IOException {
    dir = Files.createTempDirectory("jit-audit");
  }

  @AfterProperty
  void removeDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  @Property(tries = 300)
  void aSingleTamperingIsReportedAtTheLineTamperedWith(
      @ForAll @IntRange(min = 3, max = 12) int records,
      @ForAll Tamper tamper,
      @ForAll @IntRange(min = 0, max = 100) int where) throws Exception {
    Path file = Files.createTempFile(dir, "trail", ".jsonl");
    Files.delete(file);
    JsonLinesAuditSinkTest.trail(file, records);
    List<String> lines = JsonLinesAuditSinkTest.lines(file);
    int k;
    int[] expected;
    switch (tamper) {
      case ALTER: // any line but the last, which nothing vouches for
        k = where % (records - 1);
        lines.set(k, lines.get(k).replace("\"g-" + (k + 1) + "\"", "\"h-" + (k + 1) + "\""));
        expected = new int[] {k + 1};
        break;
      case DELETE: // any line but the last
        k = where % (records - 1);
        lines.remove(k);
        expected = new int[] {k + 1};
        break;
      case SWAP:
        k = where % (records - 1);
        String line = lines.get(k);
        lines.set(k, lines.get(k + 1));
        lines.set(k + 1, line);
        expected = new int[] {k + 1};
        break;
      case FORGE: // a well-formed line with the right seq and prev, before any existing line
        k = where % records;
        String prev = k == 0 ? "GENESIS" : JsonLinesAuditSinkTest.sha256(lines.get(k - 1));
        lines.add(k, "{\"seq\":" + (k + 1) + ",\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},"
            + "\"prev\":\"" + prev + "\"}");
        expected = new int[] {k + 1};
        break;
      case REPLAY: // a copy right after its original: either of the two identical lines is right
        k = where % records;
        lines.add(k + 1, lines.get(k));
        expected = new int[] {k + 1, k + 2};
        break;
      default: // cut the last line short
        String last = lines.get(records - 1);
        lines.set(records - 1, last.substring(0, 1 + where % (last.length() - 1)));
        Files.writeString(file, String.join("\n", lines), UTF_8);
        assertThat(AuditTrail.verify(file).firstBadLine()).isEqualTo(records);
        return;
    }
    JsonLinesAuditSinkTest.write(file, lines);
    AuditTrail.Check check = AuditTrail.verify(file);
    assertThat(check.intact()).isFalse();
    assertThat(check.firstBadLine()).as("%s at %d: %s", tamper, k, check).isIn(box(expected));
  }

  private static Object[] box(int[] values) {
    Object[] boxed = new Object[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return boxed;
  }

  @Property(tries = 300)
  void anyStringsRoundTripThroughALine(@ForAll String key, @ForAll String value, @ForAll String other)
      throws Exception {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(key, value);
    fields.put(key + "\u0000", other);
    AuditEvent event = new AuditEvent(AuditEventType.ISSUED, Instant.parse("2026-03-01T10:00:00.5Z"), fields);
    String line = AuditJson.format(42, event, "GENESIS");
    assertThat(line).doesNotContain("\n", "\r");
    byte[] bytes = line.getBytes(UTF_8);
    AuditJson.Line parsed = AuditJson.parse(bytes, bytes.length);
    assertThat(parsed.fields()).containsExactlyEntriesOf(fields);
    assertThat(parsed.seq()).isEqualTo(42);
    assertThat(parsed.at()).isEqualTo(event.at());
    assertThat(parsed.prev()).isEqualTo("GENESIS");
  }
}
