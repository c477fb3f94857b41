package dev.parley.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class CostTest {

    @Test
    void sumsEveryAmountSeparatelyAndExactly() {
        Cost first = new Cost(usd("0.000021"), usd("0.000003"), usd("0.000015"), usd("0.0000003"),
                usd("0.00000375"), usd("0.000006"), usd("-0.0000011") /* parts need not add up for this test */);
        Cost second = new Cost(usd("1.1"), usd("0.1"), usd("0.2"), usd("0.3"), usd("0.4"), usd("0.5"), usd("0.6"));

        Cost sum = first.plus(second);

        assertThat(sum.totalUsd()).isEqualByComparingTo("1.100021");
        assertThat(sum.inputUsd()).isEqualByComparingTo("0.100003");
        assertThat(sum.outputUsd()).isEqualByComparingTo("0.200015");
        assertThat(sum.cacheReadUsd()).isEqualByComparingTo("0.3000003");
        assertThat(sum.cacheWrite5mUsd()).isEqualByComparingTo("0.40000375");
        assertThat(sum.cacheWrite1hUsd()).isEqualByComparingTo("0.500006");
        assertThat(sum.savedUsd()).isEqualByComparingTo("0.5999989");
    }

    @Test
    void zeroIsTheNeutralElementOfASum() {
        Cost cost = new Cost(usd("3.5"), usd("3"), usd("0.5"), usd("0"), usd("0"), usd("0"), usd("0"));

        assertThat(Cost.ZERO.plus(cost)).isEqualTo(cost);
        assertThat(Cost.ZERO.totalUsd()).isEqualByComparingTo("0");
    }

    private static BigDecimal usd(String amount) {
        return new BigDecimal(amount);
    }
}
