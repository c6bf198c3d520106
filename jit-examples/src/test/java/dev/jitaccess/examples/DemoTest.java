package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoTest {

  @Test
  void mainWalksThroughEveryScenarioWithoutPrintingATokenOrSvid() {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      Demo.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    for (String scenario : List.of("1. CI deployment", "2. Nightly backup", "3. AI agent", "4. Resource servers",
        "6. Break-glass")) {
      assertThat(printed).contains("=== " + scenario);
    }
    assertThat(printed).contains("decision", "grant", "use", "revoked", "EXPIRED", "ALERT", "Done:");
    assertThat(printed).doesNotContain("eyJ");
  }
}
