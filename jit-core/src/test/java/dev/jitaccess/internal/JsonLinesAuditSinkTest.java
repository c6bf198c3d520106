package dev.jitaccess.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AuditTrail;
import dev.jitaccess.JitException;
import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import dev.jitaccess.spi.AuditSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonLinesAuditSinkTest {
  private static final Instant AT = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  static AuditEvent event(int n) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(AuditEvent.GRANT_ID, "g-" + n);
    fields.put(AuditEvent.TASK_ID, "deploy-42");
    fields.put(AuditEvent.IDENTITY, "spiffe://example.org/ci");
    return new AuditEvent(n % 2 == 0 ? AuditEventType.ISSUED : AuditEventType.REVOKED, AT.plusSeconds(n), fields);
  }

  static Path trail(Path file, int records) {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      for (int i = 1; i <= records; i++) {
        sink.record(event(i));
      }
    }
    return file;
  }

  static List<String> lines(Path file) throws IOException {
    return new ArrayList<>(Files.readAllLines(file, UTF_8));
  }

  static void write(Path file, List<String> lines) throws IOException {
    Files.write(file, lines, UTF_8);
  }

  static String sha256(String line) throws Exception {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(line.getBytes(UTF_8)));
  }

  private static void assertBroken(AuditTrail.Check check, int line, String problem) {
    assertThat(check.intact()).as("intact").isFalse();
    assertThat(check.firstBadLine()).as("first bad line of %s", check).isEqualTo(line);
    assertThat(check.records()).isEqualTo(line - 1);
    assertThat(check.problem()).startsWith(problem);
  }

  // --- format and intact trails ---

  @Test
  void writesOneChainedJsonObjectPerLine() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    List<String> lines = lines(file);

    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo(
        "{\"seq\":1,\"type\":\"REVOKED\",\"at\":\"2026-03-01T10:00:01Z\",\"fields\":{\"grant_id\":\"g-1\","
            + "\"task_id\":\"deploy-42\",\"identity\":\"spiffe://example.org/ci\"},\"prev\":\"GENESIS\"}");
    assertThat(lines.get(1)).startsWith("{\"seq\":2,\"type\":\"ISSUED\"").endsWith(",\"prev\":\"" + sha256(lines.get(0)) + "\"}");
    assertThat(lines.get(2)).endsWith(",\"prev\":\"" + sha256(lines.get(1)) + "\"}");
    assertThat(Files.readString(file, UTF_8)).endsWith("}\n");
  }

  @Test
  void anIntactTrailVerifies() {
    Path file = trail(dir.resolve("audit.jsonl"), 20);
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 20, 0, ""));
  }

  @Test
  void anEmptyFileIsIntactWithNoRecords() throws IOException {
    Path file = Files.createFile(dir.resolve("empty.jsonl"));
    assertThat(JsonLinesAuditSink.verify(file)).isEqualTo(new AuditTrail.Check(true, 0, 0, ""));
  }

  @Test
  void aMissingFileIsAnError() {
    assertThatThrownBy(() -> JsonLinesAuditSink.verify(dir.resolve("missing.jsonl")))
        .isInstanceOf(JitException.class)
        .hasMessageContaining("missing.jsonl");
  }

  @Test
  void reopeningContinuesTheChain() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      assertThat(sink.lastSeq()).isEqualTo(3);
      assertThat(sink.lastHash()).isEqualTo(sha256(lines(file).get(2)));
      sink.record(event(4));
      sink.record(event(5));
    }
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file, true)) {
      sink.record(event(6));
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 6, 0, ""));
    assertThat(lines(file).get(5)).startsWith("{\"seq\":6,");
  }

  @Test
  void aNewSinkStartsAtGenesis() {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(dir.resolve("new.jsonl"))) {
      assertThat(sink.lastSeq()).isZero();
      assertThat(sink.lastHash()).isEqualTo("GENESIS");
    }
  }

  @Test
  void eightThreadsWritingConcurrentlyStillVerify() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    int threads = 8;
    int perThread = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            sink.record(event(thread * 1000 + i));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(sink.lastSeq()).isEqualTo(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, threads * perThread, 0, ""));
  }

  @Test
  void awkwardValuesRoundTripExactly() throws Exception {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(AuditEvent.JUSTIFICATION, "say \"hi\" \\ back\\slash\nnew line\r\ttab\u0000nul\u001f\u007f");
    fields.put(AuditEvent.OWNER, "Zoë Ångström 日本語 😀 \u2028 \u2029");
    fields.put(AuditEvent.PURPOSE, "lone surrogates \ud800 and \udfff stay");
    fields.put("key \"with\" \n odd chars", "</script>");
    fields.put(AuditEvent.APPROVAL_ID, null);
    fields.put(AuditEvent.REASON, "");
    AuditEvent original = new AuditEvent(AuditEventType.APPROVAL_APPROVED, AT.plusNanos(123_456_789), fields);
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      sink.record(original);
      sink.record(event(2));
    }

    List<String> lines = lines(file);
    assertThat(lines).hasSize(2);
    byte[] first = lines.get(0).getBytes(UTF_8);
    AuditJson.Line parsed = AuditJson.parse(first, first.length);
    assertThat(parsed.fields()).containsExactlyEntriesOf(fields);
    assertThat(parsed.at()).isEqualTo(original.at());
    assertThat(parsed.type()).isEqualTo("APPROVAL_APPROVED");
    assertThat(parsed.seq()).isEqualTo(1);
    assertThat(AuditTrail.verify(file).intact()).isTrue();
  }

  @Test
  void aRecordTooLargeIsRefusedAndTheChainGoesOn() {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      sink.record(event(1));
      String huge = "x".repeat(JsonLinesAuditSink.MAX_LINE_BYTES);
      AuditEvent big = new AuditEvent(AuditEventType.ISSUED, AT, Map.of(AuditEvent.JUSTIFICATION, huge));
      assertThatThrownBy(() -> sink.record(big))
          .isInstanceOf(JitException.class)
          .hasMessageContaining("over the limit");
      sink.record(event(2));
      assertThat(sink.lastSeq()).isEqualTo(2);
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 2, 0, ""));
  }

  @Test
  void aClosedSinkRefusesRecords() {
    JsonLinesAuditSink sink = JsonLinesAuditSink.open(dir.resolve("audit.jsonl"));
    sink.close();
    sink.close();
    assertThatThrownBy(() -> sink.record(event(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> sink.record(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aSecondWriterIsRefusedWhileTheFirstHoldsTheFile() {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesAuditSink first = JsonLinesAuditSink.open(file)) {
      first.record(event(1));
      assertThatThrownBy(() -> JsonLinesAuditSink.open(file))
          .isInstanceOf(JitException.class)
          .hasMessageContaining("already open");
      first.record(event(2));
    }
    try (JsonLinesAuditSink again = JsonLinesAuditSink.open(file)) {
      again.record(event(3));
    }
    assertThat(AuditTrail.verify(file).intact()).isTrue();
  }

  @Test
  void theSpiFactoryOpensAJsonLinesSink() {
    AuditSink sink = AuditSink.jsonLines(dir.resolve("spi.jsonl"));
    assertThat(sink).isInstanceOf(JsonLinesAuditSink.class);
    sink.record(event(1));
    ((JsonLinesAuditSink) sink).close();
    assertThat(AuditTrail.verify(dir.resolve("spi.jsonl")).records()).isEqualTo(1);
  }

  // --- opening a damaged trail ---

  @Test
  void openRefusesATrailWhoseLastLineIsIncomplete() throws IOException {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    String text = Files.readString(file, UTF_8);
    Files.writeString(file, text.substring(0, text.length() - 10), UTF_8);
    assertThatThrownBy(() -> JsonLinesAuditSink.open(file))
        .isInstanceOf(JitException.class)
        .hasMessageContaining("incomplete line");
    assertThat(Files.readString(file, UTF_8)).isEqualTo(text.substring(0, text.length() - 10));
  }

  @Test
  void openRefusesATrailWhoseLastLineIsNotARecord() throws IOException {
    Path file = trail(dir.resolve("audit.jsonl"), 2);
    Files.writeString(file, "not json\n", UTF_8, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> JsonLinesAuditSink.open(file))
        .isInstanceOf(JitException.class)
        .hasMessageContaining("not a record");
  }

  @Test
  void openRefusesATrailWhoseLastLineIsTooLong() throws IOException {
    Path file = dir.resolve("audit.jsonl");
    Files.writeString(file, "x".repeat(JsonLinesAuditSink.MAX_LINE_BYTES + 1) + "\n", UTF_8);
    assertThatThrownBy(() -> JsonLinesAuditSink.open(file))
        .isInstanceOf(JitException.class)
        .hasMessageContaining("over " + JsonLinesAuditSink.MAX_LINE_BYTES);
  }

  @Test
  void openReadsALastLineOfExactlyTheLimitAfterOtherLines() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 2);
    // pad a record to exactly MAX_LINE_BYTES with a long justification, written by the sink itself
    String line2 = lines(file).get(1);
    String head = "{\"seq\":3,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"j\":\"";
    String tail = "\"},\"prev\":\"" + sha256(line2) + "\"}";
    String padded = head + "y".repeat(JsonLinesAuditSink.MAX_LINE_BYTES - head.length() - tail.length()) + tail;
    assertThat(padded.getBytes(UTF_8)).hasSize(JsonLinesAuditSink.MAX_LINE_BYTES);
    Files.writeString(file, padded + "\n", UTF_8, java.nio.file.StandardOpenOption.APPEND);
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 3, 0, ""));

    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      assertThat(sink.lastSeq()).isEqualTo(3);
      sink.record(event(4));
    }
    assertThat(AuditTrail.verify(file)).isEqualTo(new AuditTrail.Check(true, 4, 0, ""));
  }

  // --- tampering ---

  @Test
  void anAlteredFieldIsReportedAtTheAlteredLine() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.set(2, lines.get(2).replace("spiffe://example.org/ci", "spiffe://example.org/admin"));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "altered");
  }

  @Test
  void anAlteredNextToLastLineIsReportedAtItself() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.set(4, lines.get(4).replace("deploy-42", "deploy-43"));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 5, "altered");
  }

  @Test
  void anAlteredFirstLineIsReportedAtLineOne() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    List<String> lines = lines(file);
    lines.set(0, lines.get(0).replace("g-1", "g-X"));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 1, "altered");
  }

  @Test
  void anAlteredPrevIsReportedAtItsOwnLine() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.set(3, lines.get(3).replaceAll("\"prev\":\"[^\"]+\"", "\"prev\":\"AAAA\""));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 4, "altered");
  }

  @Test
  void aFirstLineNotStartingAtGenesisIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    List<String> lines = lines(file);
    lines.set(0, lines.get(0).replace("\"prev\":\"GENESIS\"", "\"prev\":\"AAAA\""));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 1, "altered");
  }

  @Test
  void anAlteredSeqIsReportedAtItsOwnLine() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.set(2, lines.get(2).replace("\"seq\":3,", "\"seq\":9,"));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "altered: seq 9 where 3 was expected");

    lines.set(2, lines.get(2).replace("\"seq\":9,", "\"seq\":1,"));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "altered: seq 1 where 3 was expected");
  }

  @Test
  void aRemovedLineIsReportedWhereTheGapShows() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.remove(2);
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "removed: 1 record(s) missing before this line (seq 2 is followed by 4)");
  }

  @Test
  void removedLinesBeforeTheLastAreReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    lines.subList(2, 5).clear();
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "removed: 3 record(s)");
  }

  @Test
  void aRemovedFirstLineIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    List<String> lines = lines(file);
    lines.remove(0);
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 1, "removed: 1 record(s) missing before this line");
  }

  @Test
  void swappedLinesAreReportedAtTheFirstOutOfPlace() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 6);
    List<String> lines = lines(file);
    String third = lines.get(2);
    lines.set(2, lines.get(3));
    lines.set(3, third);
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "reordered: seq 4 where 3 was expected, and 3 follows");
  }

  @Test
  void swappedLastTwoLinesAreReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    List<String> lines = lines(file);
    String third = lines.get(2);
    lines.set(2, lines.get(3));
    lines.set(3, third);
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "reordered");
  }

  @Test
  void linesMovedFurtherApartAreReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 8);
    List<String> lines = lines(file);
    String second = lines.get(1);
    lines.set(1, lines.get(5));
    lines.set(5, second);
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 2, "removed or reordered");
  }

  @Test
  void aNaivelyForgedLineIsReportedAtItself() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 5);
    List<String> lines = lines(file);
    lines.add(2, "{\"seq\":3,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"AAAA\"}");
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "inserted");
  }

  @Test
  void aCarefullyForgedLineIsReportedAtItself() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 5);
    List<String> lines = lines(file);
    // a forger can compute the right seq and prev for the line it inserts, not for the line after it
    lines.add(2, "{\"seq\":3,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\""
        + sha256(lines.get(1)) + "\"}");
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "inserted");
  }

  @Test
  void aForgedFirstLineIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    List<String> lines = lines(file);
    lines.add(0, "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}");
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 1, "inserted");
  }

  @Test
  void aReplayedLineIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 5);
    List<String> lines = lines(file);
    lines.add(2, lines.get(1));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 3, "inserted: line 4 chains to the line before this one");
  }

  @Test
  void aTruncatedLastLineIsReported() throws IOException {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 20));
    assertBroken(AuditTrail.verify(file), 4, "broken: the last line has no line end");
  }

  @Test
  void aMissingFinalLineEndIsReported() throws IOException {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
    assertBroken(AuditTrail.verify(file), 4, "broken: the last line has no line end");
  }

  @Test
  void aLineTruncatedInTheMiddleIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 4);
    List<String> lines = lines(file);
    lines.set(1, lines.get(1).substring(0, 40));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 2, "broken: not valid JSON");
  }

  @Test
  void anOverlongLineIsReportedWithoutLoadingIt() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    List<String> lines = lines(file);
    lines.add(1, "{" + "x".repeat(3 * JsonLinesAuditSink.MAX_LINE_BYTES));
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 2, "broken: line longer than 1048576 bytes");
  }

  @Test
  void invalidUtf8IsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 2);
    byte[] bytes = Files.readAllBytes(file);
    int quote = new String(bytes, UTF_8).indexOf("g-1");
    bytes[quote] = (byte) 0xC3; // a lead byte followed by ASCII
    Files.write(file, bytes);
    assertBroken(AuditTrail.verify(file), 1, "broken: not valid UTF-8");
  }

  @Test
  void crlfLineEndsAreReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 2);
    Files.writeString(file, Files.readString(file, UTF_8).replace("\n", "\r\n"), UTF_8);
    assertBroken(AuditTrail.verify(file), 1, "broken: not valid JSON: text after the record");
  }

  @Test
  void anEmptyLineIsReported() throws Exception {
    Path file = trail(dir.resolve("audit.jsonl"), 3);
    List<String> lines = lines(file);
    lines.add(1, "");
    write(file, lines);
    assertBroken(AuditTrail.verify(file), 2, "broken: empty line");
  }

  @Test
  void alteringTheLastLineNeedsAnAnchorToBeSeen() throws Exception {
    // the documented limit of an unkeyed chain: nothing follows the last line to vouch for it
    Path file = dir.resolve("audit.jsonl");
    String anchor;
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.open(file)) {
      for (int i = 1; i <= 3; i++) {
        sink.record(event(i));
      }
      anchor = sink.lastHash();
    }
    List<String> lines = lines(file);
    lines.set(2, lines.get(2).replace("g-3", "g-Z"));
    write(file, lines);
    assertThat(AuditTrail.verify(file).intact()).isTrue();
    assertThat(sha256(lines.get(2))).isNotEqualTo(anchor);
  }

  // --- the parser is strict ---

  @ParameterizedTest
  @ValueSource(strings = {
    "{}",
    "[]",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{}}",
    "{\"seq\":1,\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\",\"x\":\"y\"}",
    "{\"seq\":0,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":01,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":-1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":1.5,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":99999999999999999999,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":\"1\",\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"yesterday\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":1},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"b\",\"a\":\"c\"},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"b\"},\"prev\":\"GENESIS\"} ",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"\\x\"},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"\\u12\"},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"tab\tinside\"},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"b\"},\"prev\":\"GENESIS\"",
    "{\"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{\"a\":\"b\",},\"prev\":\"GENESIS\"}",
    "{\"seq\":1,,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
    "{ \"seq\":1,\"type\":\"ISSUED\",\"at\":\"2026-03-01T10:00:00Z\",\"fields\":{},\"prev\":\"GENESIS\"}",
  })
  void theParserRejectsAnythingButTheRecordShape(String line) {
    byte[] bytes = line.getBytes(UTF_8);
    assertThatThrownBy(() -> AuditJson.parse(bytes, bytes.length))
        .isInstanceOf(AuditJson.MalformedLineException.class);
  }

  @Test
  void theParserAcceptsMembersInAnyOrderAndStandardEscapes() throws Exception {
    String line = "{\"prev\":\"GENESIS\",\"fields\":{\"a\":\"\\/\\b\\f\\u00e9\",\"n\":null},\"at\":\"2026-03-01T10:00:00Z\","
        + "\"type\":\"ISSUED\",\"seq\":7}";
    byte[] bytes = line.getBytes(UTF_8);
    AuditJson.Line parsed = AuditJson.parse(bytes, bytes.length);
    assertThat(parsed.seq()).isEqualTo(7);
    assertThat(parsed.fields()).containsEntry("a", "/\b\fé").containsEntry("n", null);
  }
}
