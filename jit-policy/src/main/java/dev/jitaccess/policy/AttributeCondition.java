package dev.jitaccess.policy;

import dev.jitaccess.internal.Glob;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A typed test on one request attribute or identity claim, from a closed set of operators. A test that
 * cannot be evaluated (the attribute is missing, or has the wrong type) is <em>unknown</em>: it never
 * lets an allow rule match, and it never lets a deny or require-approval rule drop out.
 *
 * @param name the attribute or claim name
 * @param operator the test
 * @param operand a String for {@code EQUALS}/{@code GLOB}, a Double for numeric tests, a Boolean for
 *     {@code IS}, a list of CIDR blocks for {@code CIDR}, null for {@code PRESENT}/{@code ABSENT}
 */
public record AttributeCondition(String name, Operator operator, @Nullable Object operand) {

  /** The operators. Their YAML names are the lower-case forms ({@code lt}, {@code cidr}, ...). */
  public enum Operator {
    /** The string value equals the operand. */
    EQUALS,
    /**
     * The string value matches the glob operand: {@code *} any run without {@code /}, {@code **} any run,
     * {@code ?} one character other than {@code /}, {@code \} escapes the next character.
     */
    GLOB,
    /** The numeric value is less than the operand. */
    LT,
    /** The numeric value is less than or equal to the operand. */
    LE,
    /** The numeric value is greater than the operand. */
    GT,
    /** The numeric value is greater than or equal to the operand. */
    GE,
    /** The numeric value equals the operand. */
    EQ,
    /** The boolean value equals the operand. */
    IS,
    /** The value is an IPv4 or IPv6 address inside one of the CIDR blocks. */
    CIDR,
    /** The attribute is present (never unknown). */
    PRESENT,
    /** The attribute is absent (never unknown). */
    ABSENT;

    /** The YAML name. */
    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    boolean numeric() {
      return this == LT || this == LE || this == GT || this == GE || this == EQ;
    }
  }

  /** Checks the operand fits the operator and copies it. */
  public AttributeCondition {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("attribute name must not be blank");
    }
    Objects.requireNonNull(operator, "operator");
    switch (operator) {
      case EQUALS, GLOB -> {
        if (!(operand instanceof String text) || text.isEmpty()) {
          throw new IllegalArgumentException(operator.yamlName() + " needs a non-empty string, got " + operand);
        }
        if (operator == Operator.GLOB) {
          Glob.compile(text); // a lone trailing backslash is refused here, not at evaluation
        }
      }
      case LT, LE, GT, GE, EQ -> {
        if (operand instanceof Number n && !(operand instanceof Double)) {
          operand = n.doubleValue();
        }
        if (!(operand instanceof Double d) || !Double.isFinite(d)) {
          throw new IllegalArgumentException(operator.yamlName() + " needs a finite number, got " + operand);
        }
      }
      case IS -> {
        if (!(operand instanceof Boolean)) {
          throw new IllegalArgumentException("is needs true or false, got " + operand);
        }
      }
      case CIDR -> {
        if (!(operand instanceof List<?> list) || list.isEmpty()) {
          throw new IllegalArgumentException("cidr needs a non-empty list of CIDR blocks, got " + operand);
        }
        List<?> blocks = List.copyOf(list);
        for (Object b : blocks) {
          if (!(b instanceof String block)) {
            throw new IllegalArgumentException("cidr needs CIDR blocks as strings, got " + b);
          }
          Cidr.parse(block);
        }
        operand = blocks;
      }
      case PRESENT, ABSENT -> {
        if (operand != null) {
          throw new IllegalArgumentException(operator.yamlName() + " takes no operand, got " + operand);
        }
      }
      default -> throw new IllegalArgumentException("unknown operator " + operator);
    }
  }

  /** {@code name} equals {@code value}. */
  public static AttributeCondition equalTo(String name, String value) {
    return new AttributeCondition(name, Operator.EQUALS, value);
  }

  /** {@code name} matches the glob. */
  public static AttributeCondition glob(String name, String pattern) {
    return new AttributeCondition(name, Operator.GLOB, pattern);
  }

  /** A numeric comparison: {@code name <op> value} with op one of LT, LE, GT, GE, EQ. */
  public static AttributeCondition compare(String name, Operator op, double value) {
    if (!Objects.requireNonNull(op, "operator").numeric()) {
      throw new IllegalArgumentException("not a numeric operator: " + op);
    }
    return new AttributeCondition(name, op, value);
  }

  /** {@code name} is the boolean {@code value}. */
  public static AttributeCondition is(String name, boolean value) {
    return new AttributeCondition(name, Operator.IS, value);
  }

  /** {@code name} is an IP address in one of the blocks. */
  public static AttributeCondition cidr(String name, String... blocks) {
    return new AttributeCondition(name, Operator.CIDR, List.of(blocks));
  }

  /** {@code name} is present. */
  public static AttributeCondition present(String name) {
    return new AttributeCondition(name, Operator.PRESENT, null);
  }

  /** {@code name} is absent. */
  public static AttributeCondition absent(String name) {
    return new AttributeCondition(name, Operator.ABSENT, null);
  }

  /** The condition as text, for example {@code risk lt 50}. */
  String describe() {
    return switch (operator) {
      case PRESENT -> name + " present";
      case ABSENT -> name + " absent";
      case EQUALS, GLOB -> name + " " + operator.yamlName() + " '" + operand + "'";
      case LT, LE, GT, GE, EQ ->
          name + " " + operator.yamlName() + " " + (operand instanceof Double d ? Numbers.format(d) : operand);
      default -> name + " " + operator.yamlName() + " " + operand;
    };
  }
}
