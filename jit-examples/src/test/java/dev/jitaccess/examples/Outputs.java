package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jitaccess.spi.AuditEvent;
import dev.jitaccess.spi.AuditEventType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Captures what a scenario prints and checks what every scenario must hold to. */
final class Outputs {
  private Outputs() {}

  /** Runs {@code body} with a print stream and returns what it printed. */
  static String capture(Consumer<PrintStream> body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      body.accept(out);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** No JWT (a token or an SVID: base64url JSON starting with {"...) is ever printed or audited. */
  static void assertNoSecrets(String printed, List<AuditEvent> audit) {
    assertThat(printed).doesNotContain("eyJ");
    for (AuditEvent e : audit) {
      assertThat(e.fields().values()).noneMatch(v -> v.contains("eyJ"));
    }
  }

  static List<AuditEventType> types(List<AuditEvent> audit) {
    return audit.stream().map(AuditEvent::type).collect(Collectors.toList());
  }
}
