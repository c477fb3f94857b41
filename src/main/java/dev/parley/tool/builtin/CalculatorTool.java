package dev.parley.tool.builtin;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.tool.Tool;

/** {@code calculate}: exact decimal arithmetic, so the model does not have to do sums in its head. */
@ApplicationScoped
public class CalculatorTool implements Tool<CalculatorTool.ExpressionInput> {

    /** The input: one arithmetic expression. */
    @RegisterForReflection
    public record ExpressionInput(@JsonPropertyDescription("An arithmetic expression of decimal numbers with"
            + " + - * / ^ (power) and parentheses, at most 200 characters, e.g. (1.5 + 2) * 3 ^ 2") String expression) {
    }

    @Override
    public String name() {
        return "calculate";
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression exactly, with 16 significant digits. Supports + - * /, ^ for"
                + " powers with whole exponents, parentheses and unary minus. Returns the result as a number.";
    }

    @Override
    public Class<ExpressionInput> inputType() {
        return ExpressionInput.class;
    }

    @Override
    public Uni<String> invoke(ExpressionInput input) {
        return Uni.createFrom().item(() -> Calculator.format(Calculator.evaluate(input.expression())));
    }
}
