package dev.parley.tool.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.parley.tool.ToolException;

/** {@code get_current_time} on a fixed clock, and the application's clock being the real one. */
@QuarkusTest
class CurrentTimeToolTest {

    private static final Instant NOW = Instant.parse("2026-03-29T10:15:30.123456Z"); // a Sunday, summer time began

    @Inject
    Clock applicationClock;

    private final CurrentTimeTool tool = new CurrentTimeTool(Clock.fixed(NOW, ZoneOffset.UTC), new ObjectMapper());

    private String time(String timezone) {
        return tool.invoke(new CurrentTimeTool.TimezoneInput(timezone)).await().atMost(Duration.ofSeconds(1));
    }

    @Test
    void givesTheTimeInTheZoneInIso8601WithItsOffsetToTheSecond() {
        assertThat(time("Europe/Oslo")).isEqualTo("""
                {"timezone":"Europe/Oslo","time":"2026-03-29T12:15:30+02:00","dayOfWeek":"Sunday"}""");
        assertThat(time("America/New_York")).isEqualTo("""
                {"timezone":"America/New_York","time":"2026-03-29T06:15:30-04:00","dayOfWeek":"Sunday"}""");
        assertThat(time("Pacific/Kiritimati")).contains("\"time\":\"2026-03-30T00:15:30+14:00\"")
                .contains("\"dayOfWeek\":\"Monday\"");
        assertThat(time(" UTC ")).contains("\"time\":\"2026-03-29T10:15:30Z\"");
    }

    @Test
    void anUnknownZoneIsAToolException() {
        assertThatThrownBy(() -> time("Mars/Olympus_Mons")).isInstanceOf(ToolException.class)
                .hasMessage("Unknown time zone 'Mars/Olympus_Mons'; use an IANA time zone name such as Europe/Oslo");
        assertThatThrownBy(() -> time("not a zone")).isInstanceOf(ToolException.class)
                .hasMessageStartingWith("Unknown time zone 'not a zone'");
    }

    @Test
    void theApplicationClockIsTheSystemClockInUtc() {
        assertThat(applicationClock.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(Duration.between(applicationClock.instant(), Instant.now()).abs())
                .isLessThan(Duration.ofSeconds(5));
    }
}
