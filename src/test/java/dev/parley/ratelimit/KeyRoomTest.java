package dev.parley.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.anthropic.UpstreamRateLimits;
import dev.parley.anthropic.UpstreamRateLimits.Limit;

class KeyRoomTest {

    private static final Instant NOW = Instant.parse("2026-12-03T18:00:00Z");
    private static final Instant RESET = NOW.plusSeconds(20);

    @Test
    void aRequestFitsWhileEveryLimitHasRoomForIt() {
        UpstreamRateLimits state = state(10, 5000, 100);

        assertThat(KeyRoom.roomAt(state, 5000, NOW)).isEqualTo(NOW);
    }

    @Test
    void aRequestThatDoesNotFitWaitsForTheResetOfTheLimitItDoesNotFitIn() {
        assertThat(KeyRoom.roomAt(state(0, 5000, 100), 10, NOW)).isEqualTo(RESET);
        assertThat(KeyRoom.roomAt(state(10, 4000, 100), 5000, NOW)).isEqualTo(RESET);
        assertThat(KeyRoom.roomAt(state(10, 5000, 0), 10, NOW)).isEqualTo(RESET);
        // Past the reset the limit is whole again.
        assertThat(KeyRoom.roomAt(state(0, 0, 0), 10, RESET)).isEqualTo(RESET);
    }

    @Test
    void aRequestLargerThanTheWholeLimitFitsOnceTheLimitIsWhole() {
        UpstreamRateLimits whole = new UpstreamRateLimits(Optional.empty(),
                Optional.of(new Limit(1000, 1000, RESET)), Optional.empty(), Optional.empty());

        assertThat(KeyRoom.roomAt(whole, 50_000, NOW)).isEqualTo(NOW);
    }

    @Test
    void a429WaitHoldsTheKeyUntilItHasPassed() {
        UpstreamRateLimits refused = KeyRoom.merged(state(10, 5000, 100),
                UpstreamRateLimits.refused(java.time.Duration.ofSeconds(30), NOW), NOW);

        assertThat(refused.requests()).isPresent();
        assertThat(KeyRoom.roomAt(refused, 1, NOW)).isEqualTo(NOW.plusSeconds(30));
    }

    @Test
    void anAdmittedCallTakesItsRequestAndInputOffUntilTheNextAnswer() {
        UpstreamRateLimits reserved = KeyRoom.reserved(state(1, 5000, 100), 3000, NOW);

        assertThat(reserved.requests().orElseThrow().remaining()).isZero();
        assertThat(reserved.inputTokens().orElseThrow().remaining()).isEqualTo(2000);
        assertThat(KeyRoom.roomAt(reserved, 1, NOW)).isEqualTo(RESET);
        // The next answer's headers are the truth.
        assertThat(KeyRoom.merged(reserved, state(7, 4000, 90), NOW)).isEqualTo(state(7, 4000, 90));
    }

    @Test
    void takingFromAWholeLimitWaitsForWhatWasTakenToRefill() {
        UpstreamRateLimits reserved = KeyRoom.reserved(state(0, 0, 0), 30_000, RESET);

        // 30 000 of a 60 000 per-minute limit refill in 30 s.
        assertThat(reserved.inputTokens()).contains(new Limit(60_000, 30_000, RESET.plusSeconds(30)));
        assertThat(KeyRoom.roomAt(reserved, 40_000, RESET)).isEqualTo(RESET.plusSeconds(30));
    }

    private static UpstreamRateLimits state(long requests, long input, long output) {
        return new UpstreamRateLimits(Optional.of(new Limit(10, requests, RESET)),
                Optional.of(new Limit(60_000, input, RESET)), Optional.of(new Limit(400, output, RESET)),
                Optional.empty());
    }
}
