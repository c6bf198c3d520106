package dev.jitaccess.oauth;

import static dev.jitaccess.internal.BuilderCase.of;

import dev.jitaccess.internal.BuilderCase;
import dev.jitaccess.testkit.JitTestKit;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guard of every public builder of jit-oauth: {@code build()} resolves its defaults into the built object,
 * never into the builder (the check is {@link BuilderCase#check()}).
 */
class BuildNeverChangesItsBuilderTest {
  static final JitTestKit KIT = JitTestKit.create();
  static final HttpRequest EMPTY_FORM =
      HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE).formBody("").build();

  static Stream<BuilderCase<?, ?>> builders() {
    return Stream.of(
        of("HttpRequest", () -> HttpRequest.builder("POST").contentType(TokenExchange.FORM_CONTENT_TYPE)
                .formParameter("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            HttpRequest.Builder::build, b -> b.header("X-Request-Id", "r-1"),
            r -> List.of(r.method(), r.form(), r.contentType())),
        of("TokenExchange", () -> TokenExchange.builder(KIT.broker()).clock(KIT.clock()),
            TokenExchange.Builder::build, b -> b.defaultTtl(Duration.ofMinutes(2)),
            x -> x.exchange(EMPTY_FORM).status()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builders")
  void buildNeverChangesItsBuilder(BuilderCase<?, ?> builder) {
    builder.check();
  }

  @AfterAll
  static void close() {
    KIT.close();
  }
}
