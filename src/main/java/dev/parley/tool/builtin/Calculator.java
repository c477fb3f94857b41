package dev.parley.tool.builtin;

import java.math.BigDecimal;
import java.math.MathContext;

import dev.parley.tool.ToolException;

/**
 * Safe arithmetic: a recursive-descent parser that evaluates as it parses, in {@link BigDecimal} with 16 significant
 * digits ({@link MathContext#DECIMAL64}). Nothing is ever executed but the five operations; no script engine.
 *
 * <pre>
 * expression := term (('+' | '-') term)*
 * term       := unary (('*' | '/') unary)*
 * unary      := ('-' | '+') unary | power
 * power      := primary ('^' unary)?            right-associative: 2^3^2 = 2^9; -2^2 = -(2^2)
 * primary    := number | '(' expression ')'
 * number     := digits ('.' digits)? | '.' digits
 * </pre>
 *
 * Spaces may separate tokens. Positions in error messages count characters from 1.
 */
final class Calculator {

    static final int MAX_LENGTH = 200;
    /** Larger exponents could only produce numbers nobody asked a chat assistant for. */
    static final int MAX_EXPONENT = 999;
    private static final MathContext MATH = MathContext.DECIMAL64;

    private final String text;
    private int position;

    private Calculator(String text) {
        this.text = text;
    }

    /** The value of an expression, or a {@link ToolException} saying what is wrong with it. */
    static BigDecimal evaluate(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new ToolException("The expression is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new ToolException("The expression is too long: " + expression.length() + " characters, at most "
                    + MAX_LENGTH);
        }
        Calculator calculator = new Calculator(expression);
        try {
            BigDecimal value = calculator.expression();
            calculator.skipSpaces();
            if (!calculator.atEnd()) {
                throw calculator.syntaxError("unexpected '" + calculator.current() + "'");
            }
            return value;
        } catch (ArithmeticException e) {
            // BigDecimal's exponent range (about 10^±2147483647) was exceeded.
            throw new ToolException("The result is out of range");
        }
    }

    /**
     * A result as a person writes it: plain digits from 0.000001 up to below 10^21, scientific notation beyond (where
     * JavaScript switches too), never trailing zeros.
     */
    static String format(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        int digitsBeforePoint = stripped.precision() - stripped.scale();
        return digitsBeforePoint >= -5 && digitsBeforePoint <= 21 ? stripped.toPlainString() : stripped.toString();
    }

    private BigDecimal expression() {
        BigDecimal value = term();
        while (true) {
            if (accept('+')) {
                value = value.add(term(), MATH);
            } else if (accept('-')) {
                value = value.subtract(term(), MATH);
            } else {
                return value;
            }
        }
    }

    private BigDecimal term() {
        BigDecimal value = unary();
        while (true) {
            if (accept('*')) {
                value = value.multiply(unary(), MATH);
            } else if (accept('/')) {
                BigDecimal divisor = unary();
                if (divisor.signum() == 0) {
                    throw new ToolException("Division by zero");
                }
                value = value.divide(divisor, MATH);
            } else {
                return value;
            }
        }
    }

    private BigDecimal unary() {
        if (accept('-')) {
            return unary().negate(MATH);
        }
        if (accept('+')) {
            return unary().plus(MATH);
        }
        return power();
    }

    private BigDecimal power() {
        BigDecimal base = primary();
        if (!accept('^')) {
            return base;
        }
        BigDecimal exponent = unary();
        BigDecimal whole = exponent.stripTrailingZeros();
        if (whole.scale() > 0) {
            throw new ToolException("The exponent must be a whole number, was " + format(exponent));
        }
        if (whole.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
            throw new ToolException("Exponent too large: " + format(exponent) + " (at most " + MAX_EXPONENT
                    + " in absolute value)");
        }
        int n = whole.intValueExact();
        if (base.signum() == 0 && n < 0) {
            throw new ToolException("Division by zero");
        }
        return base.pow(n, MATH);
    }

    private BigDecimal primary() {
        skipSpaces();
        if (atEnd()) {
            throw syntaxError("unexpected end of the expression, expected a number or '('");
        }
        char c = current();
        if (c == '(') {
            position++;
            BigDecimal value = expression();
            skipSpaces();
            if (atEnd()) {
                throw syntaxError("unexpected end of the expression, expected ')'");
            }
            if (current() != ')') {
                throw syntaxError("unexpected '" + current() + "', expected ')'");
            }
            position++;
            return value;
        }
        if (isDigit(c) || c == '.') {
            return number();
        }
        throw syntaxError("unexpected '" + c + "', expected a number or '('");
    }

    private BigDecimal number() {
        int start = position;
        while (!atEnd() && isDigit(current())) {
            position++;
        }
        if (!atEnd() && current() == '.') {
            position++;
            int fraction = position;
            while (!atEnd() && isDigit(current())) {
                position++;
            }
            if (position == fraction) {
                throw syntaxError(atEnd()
                        ? "unexpected end of the expression, expected a digit after '.'"
                        : "unexpected '" + current() + "', expected a digit after '.'");
            }
        }
        return new BigDecimal(text.substring(start, position), MATH);
    }

    private boolean accept(char operator) {
        skipSpaces();
        if (!atEnd() && current() == operator) {
            position++;
            return true;
        }
        return false;
    }

    private void skipSpaces() {
        while (!atEnd() && Character.isWhitespace(current())) {
            position++;
        }
    }

    private boolean atEnd() {
        return position >= text.length();
    }

    private char current() {
        return text.charAt(position);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private ToolException syntaxError(String problem) {
        return new ToolException("Syntax error at position " + (position + 1) + ": " + problem);
    }
}
