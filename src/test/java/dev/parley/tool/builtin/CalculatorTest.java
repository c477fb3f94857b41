package dev.parley.tool.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.parley.tool.ToolException;

/** The calculator's grammar, arithmetic and errors. */
class CalculatorTest {

    private static String calculate(String expression) {
        return Calculator.format(Calculator.evaluate(expression));
    }

    private static void rejects(String expression, String message) {
        assertThatThrownBy(() -> Calculator.evaluate(expression)).as(expression).isInstanceOf(ToolException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '=', value = {
            "1 + 2 * 3 = 7",
            "(1 + 2) * 3 = 9",
            "2 * 3 + 4 * 5 = 26",
            "10 - 4 - 3 = 3", // left-associative
            "100 / 10 / 5 = 2", // left-associative
            "2 ^ 3 ^ 2 = 512", // right-associative: 2^(3^2)
            "(2 ^ 3) ^ 2 = 64",
            "2 * 3 ^ 2 = 18", // power binds tighter than *
            "-2 ^ 2 = -4", // and tighter than unary minus
            "(-2) ^ 2 = 4",
            "2 ^ -1 = 0.5", // a unary minus in the exponent
            "2 ^ -2 ^ 2 = 0.0625", // 2^(-(2^2))
            "-3 = -3",
            "--3 = 3",
            "+3 = 3",
            "4 - -3 = 7",
            "2 * -3 = -6",
            "-(1 + 2) * 3 = -9",
            "((((1)))) = 1",
            "0.1 + 0.2 = 0.3", // decimal, not binary floating point
            ".5 * 4 = 2",
            "1.50 + 1.50 = 3",
            "7 / 2 = 3.5",
            "1 / 3 = 0.3333333333333333", // 16 significant digits
            "2 / 3 = 0.6666666666666667",
            "10 ^ 20 = 100000000000000000000", // up to 21 digits written out
            "10 ^ 21 = 1E+21",
            "10 ^ -5 = 0.00001",
            "10 ^ -6 = 0.000001",
            "10 ^ -7 = 1E-7",
            "0 ^ 0 = 1",
            "2.0 ^ 10 = 1024",
    })
    void evaluates(String expression, String expected) {
        assertThat(calculate(expression.strip())).isEqualTo(expected.strip());
    }

    @Test
    void ignoresSpacesBetweenTokens() {
        assertThat(calculate("  1+2 *\t3  ")).isEqualTo("7");
        assertThat(calculate("2^3")).isEqualTo("8");
    }

    @Test
    void roundsToSixteenSignificantDigits() {
        assertThat(Calculator.evaluate("1 / 3 * 3")).isEqualByComparingTo(new BigDecimal("0.9999999999999999"));
        assertThat(calculate("12345678901234567890")).isEqualTo("12345678901234570000");
    }

    @Test
    void reportsSyntaxErrorsWithTheirPosition() {
        rejects("1 +", "Syntax error at position 4: unexpected end of the expression, expected a number or '('");
        rejects("1 + * 2", "Syntax error at position 5: unexpected '*', expected a number or '('");
        rejects("(1 + 2", "Syntax error at position 7: unexpected end of the expression, expected ')'");
        rejects("(1 + 2 3)", "Syntax error at position 8: unexpected '3', expected ')'");
        rejects("1 + 2)", "Syntax error at position 6: unexpected ')'");
        rejects("2 (3)", "Syntax error at position 3: unexpected '('");
        rejects("1.", "Syntax error at position 3: unexpected end of the expression, expected a digit after '.'");
        rejects("1.x", "Syntax error at position 3: unexpected 'x', expected a digit after '.'");
        rejects("1.2.3", "Syntax error at position 4: unexpected '.'");
        rejects("1e5", "Syntax error at position 2: unexpected 'e'");
        rejects("2 ** 3", "Syntax error at position 4: unexpected '*', expected a number or '('");
        rejects("sqrt(4)", "Syntax error at position 1: unexpected 's', expected a number or '('");
        rejects("()", "Syntax error at position 2: unexpected ')', expected a number or '('");
    }

    @Test
    void refusesWhatIsNotArithmetic() {
        rejects("java.lang.System.exit(0)", "Syntax error at position 1: unexpected 'j', expected a number or '('");
        rejects("1; 2", "Syntax error at position 2: unexpected ';'");
    }

    @Test
    void divisionByZeroIsAnError() {
        rejects("1 / 0", "Division by zero");
        rejects("1 / (2 - 2)", "Division by zero");
        rejects("0 ^ -1", "Division by zero");
    }

    @Test
    void exponentsMustBeWholeAndReasonable() {
        rejects("2 ^ 0.5", "The exponent must be a whole number, was 0.5");
        rejects("2 ^ 1000", "Exponent too large: 1000 (at most 999 in absolute value)");
        rejects("2 ^ -1000", "Exponent too large: -1000 (at most 999 in absolute value)");
        rejects("2 ^ 3 ^ 7", "Exponent too large: 2187 (at most 999 in absolute value)");
        assertThat(calculate("10 ^ 999")).isEqualTo("1E+999");
        assertThat(calculate("10 ^ -999")).isEqualTo("1E-999");
    }

    @Test
    void aResultBeyondTheRangeOfDecimalsIsAnError() {
        rejects("(((10 ^ 999) ^ 999) ^ 999) ^ 999", "The result is out of range");
    }

    @Test
    void emptyAndOverlongExpressionsAreErrors() {
        rejects("", "The expression is empty");
        rejects("   ", "The expression is empty");
        rejects(null, "The expression is empty");
        String longest = "1" + "+1".repeat(99) + " ";
        assertThat(longest).hasSize(200);
        assertThat(calculate(longest)).isEqualTo("100");
        rejects(longest + "1", "The expression is too long: 201 characters, at most 200");
    }

    @Test
    void deepNestingWithinTheLengthLimitIsFine() {
        assertThat(calculate("(".repeat(99) + "7" + ")".repeat(99))).isEqualTo("7");
        assertThat(calculate("-".repeat(199) + "7")).isEqualTo("-7");
    }

    @Test
    void theToolReturnsTheResultAsTextAndErrorsAsToolExceptions() {
        CalculatorTool tool = new CalculatorTool();

        assertThat(tool.invoke(new CalculatorTool.ExpressionInput("6 * 7")).await().atMost(Duration.ofSeconds(1)))
                .isEqualTo("42");
        assertThatThrownBy(() -> tool.invoke(new CalculatorTool.ExpressionInput("1/0")).await()
                .atMost(Duration.ofSeconds(1))).isInstanceOf(ToolException.class).hasMessage("Division by zero");
        assertThat(tool.name()).isEqualTo("calculate");
        assertThat(tool.blocking()).isFalse();
    }
}
