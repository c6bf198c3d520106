package dev.jitaccess.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The one strict JSON reader: what it returns and every rejection path. */
class StrictJsonTest {

  @Test
  @SuppressWarnings("unchecked")
  void readsValuesInDocumentOrder() throws Exception {
    Object v = StrictJson.parse(" {\"b\":1,\"a\":[true,false,null,\"x\\u0041\\n\"],\"c\":1.5,\"d\":-0,"
        + "\"e\":99999999999999999999,\"f\":1e2} ");
    assertThat(v).isInstanceOf(Map.class);
    Map<String, Object> map = (Map<String, Object>) v;
    assertThat(map.keySet()).containsExactly("b", "a", "c", "d", "e", "f");
    assertThat(map.get("b")).isEqualTo(1L);
    assertThat((List<Object>) map.get("a")).containsExactly(true, false, null, "xA\n");
    assertThat(map.get("c")).isEqualTo(new BigDecimal("1.5"));
    assertThat(map.get("d")).isEqualTo(0L);
    assertThat(map.get("e")).isEqualTo(new BigInteger("99999999999999999999"));
    assertThat(map.get("f")).isEqualTo(new BigDecimal("1e2"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1,\"a\":2}",
      "{\"o\":{\"k\":1,\"k\":1}}", "[1] [2]", "{} x", "tru", "nul", "01", "1.", ".5", "1e", "-", "+1", "NaN",
      "Infinity", "\"unterminated", "\"bad \\x escape\"", "\"short \\u12\"", "\"bad \\u12G4\"", "\"tab\there\"",
      "1e9999999999", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"})
  void refusesMalformedJson(String text) {
    assertThatThrownBy(() -> StrictJson.parse(text)).isInstanceOf(StrictJson.JsonException.class)
        .hasMessageStartingWith("malformed JSON at offset ");
  }

  @Test
  void refusesNumbersLongerThan400Characters() {
    assertThatThrownBy(() -> StrictJson.parse("1".repeat(401))).isInstanceOf(StrictJson.JsonException.class)
        .hasMessageContaining("number too long");
  }

  @Test
  void nestingOf64IsReadAndDeeperIsRefused() throws Exception {
    assertThat(StrictJson.parse("[".repeat(65) + "]".repeat(65))).isInstanceOf(List.class);
    assertThatThrownBy(() -> StrictJson.parse("[".repeat(66) + "]".repeat(66)))
        .isInstanceOf(StrictJson.JsonException.class).hasMessageContaining("nesting deeper than 64");
  }

  @Test
  void messagesNeverEchoTheContent() {
    assertThatThrownBy(() -> StrictJson.parse("{\"secret-value\":1,\"secret-value\":2}"))
        .hasMessageNotContaining("secret-value");
  }

  @Test
  void resultsAreUnmodifiable() throws Exception {
    Map<?, ?> map = (Map<?, ?>) StrictJson.parse("{\"a\":[1]}");
    assertThatThrownBy(map::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(((List<?>) map.get("a"))::clear).isInstanceOf(UnsupportedOperationException.class);
  }
}
