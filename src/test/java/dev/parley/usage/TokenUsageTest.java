package dev.parley.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenUsageTest {

    @Test
    void sumsEveryCountSeparately() {
        TokenUsage first = new TokenUsage(1, 2, 3, 4, 5);
        TokenUsage second = new TokenUsage(10, 20, 30, 40, 50);

        assertThat(first.plus(second)).isEqualTo(new TokenUsage(11, 22, 33, 44, 55));
    }

    @Test
    void zeroIsTheNeutralElementOfASum() {
        TokenUsage usage = new TokenUsage(7, 6, 5, 4, 3);

        assertThat(TokenUsage.ZERO.plus(usage)).isEqualTo(usage);
        assertThat(usage.plus(TokenUsage.ZERO)).isEqualTo(usage);
    }

    @Test
    void cacheCreationIsBothLifetimesTogether() {
        assertThat(new TokenUsage(100, 50, 1_000, 200, 300).cacheCreationInputTokens()).isEqualTo(500);
    }

    @Test
    void wholePromptIsInputPlusCacheReadPlusCacheCreationButNotOutput() {
        assertThat(new TokenUsage(100, 50, 1_000, 200, 300).totalInputTokens()).isEqualTo(1_600);
    }

    @Test
    void rejectsNegativeCounts() {
        assertThatThrownBy(() -> new TokenUsage(0, -1, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outputTokens");
    }

    @Test
    void refusesToOverflowInsteadOfWrappingAround() {
        TokenUsage huge = new TokenUsage(Long.MAX_VALUE, 0, 0, 0, 0);

        assertThatThrownBy(() -> huge.plus(new TokenUsage(1, 0, 0, 0, 0))).isInstanceOf(ArithmeticException.class);
    }
}
