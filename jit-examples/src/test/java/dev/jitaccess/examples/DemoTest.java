package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoTest {
  private static final Pattern TITLE = Pattern.compile("^=== (\\d+)\\. ", Pattern.MULTILINE);
  /** A line of {@link DemoAuditRenderer}: the label, then the time of day. */
  private static final Pattern AUDIT_LINE = Pattern.compile("^  " + DemoAuditRenderer.LABEL + " {6}\\d\\d:\\d\\d:\\d\\d ");

  private static String demo() {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      Demo.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void mainWalksThroughEveryScenarioWithoutPrintingATokenOrSvid() {
    String printed = demo();
    for (String scenario : List.of("1. CI deployment", "2. Nightly backup", "3. AI agent", "4. Resource servers",
        "5. Break-glass")) {
      assertThat(printed).contains("=== " + scenario);
    }
    assertThat(printed).contains("decision", "grant", "use", "revoked", "EXPIRED", "ALERT", "Done:");
    assertThat(printed).doesNotContain("eyJ");
  }

  @Test
  void scenariosAreNumberedOneToFiveWithoutAGap() {
    Matcher m = TITLE.matcher(demo());
    List<Integer> numbers = new ArrayList<>();
    while (m.find()) {
      numbers.add(Integer.parseInt(m.group(1)));
    }
    assertThat(numbers).containsExactly(1, 2, 3, 4, 5);
  }

  @Test
  void auditLinesAreShortAndComeFromTheDemoRendererNotALogger() {
    List<String> lines = demo().lines().collect(Collectors.toList());
    List<String> audit = lines.stream()
        .filter(l -> AUDIT_LINE.matcher(l).find()).collect(Collectors.toList());
    assertThat(audit).hasSizeGreaterThan(50)
        .allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(DemoAuditRenderer.MAX_WIDTH));
    assertThat(audit).anyMatch(l -> l.contains(" ISSUED ")).anyMatch(l -> l.contains(" EXPIRED "))
        .anyMatch(l -> l.contains(" BREAK_GLASS "));
    // the old shape: slf4j-simple's INFO lines with every field as key=value, 300-700 characters each
    assertThat(lines).noneMatch(l -> l.startsWith("INFO")).noneMatch(l -> l.contains("type=ISSUED"));
  }

  @Test
  void theDemoProfileFirstPrintsThatItIsBuilding() throws IOException, InterruptedException {
    Path banner = Path.of("src/demo/DemoBuilding.java");
    String pom = Files.readString(Path.of("../pom.xml"), StandardCharsets.UTF_8);
    assertThat(pom).contains("<argument>${project.basedir}/jit-examples/" + banner + "</argument>");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        banner.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the source launcher finished").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines()).singleElement().asString().startsWith("jit-access demo: compiling the modules");
  }
}
