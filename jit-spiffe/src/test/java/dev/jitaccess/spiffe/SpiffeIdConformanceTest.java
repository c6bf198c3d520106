package dev.jitaccess.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every line of spiffe-ids.tsv, trust-domains.tsv, spiffe-id-paths.tsv and spiffe-id-cases.jsonl.
 * On DISPUTED lines we assert go-spiffe's side (see CONFORMANCE.md).
 */
class SpiffeIdConformanceTest {
  private static final TrustDomain TD = TrustDomain.parse("trustdomain");

  @TestFactory
  Stream<DynamicTest> spiffeIdsTsv() {
    List<ConformanceData.Row> rows = ConformanceData.tsv("spiffe-ids.tsv");
    assertThat(rows).hasSize(1119);
    return rows.stream().map(row -> dynamicTest(name(row), () -> {
      String input = row.get(0);
      if (expectValid(row)) {
        SpiffeId id = SpiffeId.parse(input);
        assertThat(id.trustDomain().name()).isEqualTo(row.get(2));
        assertThat(id.path()).isEqualTo(row.get(3));
        assertThat(id.toString()).isEqualTo(input);
      } else {
        assertThatThrownBy(() -> SpiffeId.parse(input)).isInstanceOf(InvalidSpiffeIdException.class);
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> trustDomainsTsv() {
    List<ConformanceData.Row> rows = ConformanceData.tsv("trust-domains.tsv");
    assertThat(rows).hasSize(599);
    return rows.stream().map(row -> dynamicTest(name(row), () -> {
      String input = row.get(0);
      if (expectValid(row)) {
        assertThat(TrustDomain.parse(input).name()).isEqualTo(row.get(2));
      } else {
        assertThatThrownBy(() -> TrustDomain.parse(input)).isInstanceOf(InvalidSpiffeIdException.class);
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> pathsTsv() {
    List<ConformanceData.Row> rows = ConformanceData.tsv("spiffe-id-paths.tsv");
    assertThat(rows).hasSize(43);
    return rows.stream().map(row -> dynamicTest(name(row), () -> {
      String input = row.get(0);
      Function<String, SpiffeId> api = api(row.raw(2));
      if (expectValid(row)) {
        SpiffeId id = api.apply(input);
        assertThat(id.path()).isEqualTo(row.get(3));
        assertThat(id.trustDomain()).isEqualTo(TD);
      } else {
        assertThatThrownBy(() -> api.apply(input)).isInstanceOf(InvalidSpiffeIdException.class);
      }
    }));
  }

  /**
   * The JSON form carries go-spiffe v2.8.1's observed result for every case: we must match it exactly,
   * including the error message.
   */
  @TestFactory
  Stream<DynamicTest> casesJsonlMatchGoSpiffeExactly() throws IOException {
    List<String> lines =
        Files.readAllLines(ConformanceData.file("spiffe-id-cases.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1761);
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i);
      tests.add(dynamicTest("jsonl line " + lineNo, () -> {
        Map<String, Object> rec = JSONObjectUtils.parse(line);
        String kind = (String) rec.get("kind");
        String input = (String) rec.get("input");
        @SuppressWarnings("unchecked")
        Map<String, Object> go = (Map<String, Object>) rec.get("observed_go_spiffe_v2_8_1");
        Function<String, String[]> run = run(kind);
        String[] ours = run.apply(input);
        if ((Boolean) go.get("valid")) {
          assertThat(ours[0]).as("error for %s", input).isNull();
          assertThat(ours[1]).isEqualTo(go.get("trust_domain"));
          assertThat(ours[2]).isEqualTo(go.get("path"));
        } else {
          assertThat(ours[0]).as("error for %s", input).isEqualTo(go.get("error"));
        }
      }));
    }
    return tests.stream();
  }

  @Test
  void disputedLinesAreAllCaseOrEmptyPath() {
    // the corpus's own claim; if new kinds of disputes appear, CONFORMANCE.md must be revisited
    long ids = ConformanceData.tsv("spiffe-ids.tsv").stream().filter(ConformanceData.Row::disputed).count();
    long tds = ConformanceData.tsv("trust-domains.tsv").stream().filter(ConformanceData.Row::disputed).count();
    long paths =
        ConformanceData.tsv("spiffe-id-paths.tsv").stream().filter(ConformanceData.Row::disputed).count();
    assertThat(ids).isEqualTo(59);
    assertThat(tds).isEqualTo(57);
    assertThat(paths).isEqualTo(1);
  }

  private static Function<String, String[]> run(String kind) {
    return input -> {
      try {
        switch (kind) {
          case "id": {
            SpiffeId id = SpiffeId.parse(input);
            return new String[] {null, id.trustDomain().name(), id.path()};
          }
          case "td":
            return new String[] {null, TrustDomain.parse(input).name(), ""};
          case "path":
            return new String[] {null, "", SpiffeId.fromPath(TD, input).path()};
          case "segment":
            return new String[] {null, "", SpiffeId.of(TD, input).path()};
          default:
            throw new IllegalArgumentException("unknown kind " + kind);
        }
      } catch (InvalidSpiffeIdException e) {
        return new String[] {e.getMessage(), "", ""};
      }
    };
  }

  private static Function<String, SpiffeId> api(String api) {
    switch (api) {
      case "path":
        return p -> SpiffeId.fromPath(TD, p);
      case "segment":
        return s -> SpiffeId.of(TD, s);
      default:
        throw new IllegalArgumentException("unknown api " + api);
    }
  }

  /** The expected verdict: the line's column, or go-spiffe's side on DISPUTED lines. */
  private static boolean expectValid(ConformanceData.Row row) {
    String verdict = row.disputed() ? row.goVerdict() : row.raw(1);
    if (!verdict.equals("valid") && !verdict.equals("invalid")) {
      throw new IllegalStateException("bad verdict " + verdict + " on " + row);
    }
    return verdict.equals("valid");
  }

  private static String name(ConformanceData.Row row) {
    String in = row.raw(0);
    return "line " + row.line + (row.disputed() ? " [DISPUTED->go] " : " ") + "'"
        + (in.length() > 60 ? in.substring(0, 60) + "...(" + in.length() + ")" : in) + "'";
  }
}
