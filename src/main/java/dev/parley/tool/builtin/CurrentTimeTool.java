package dev.parley.tool.builtin;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.tool.Tool;
import dev.parley.tool.ToolException;

/** {@code get_current_time}: the current date and time in a time zone, from the real clock. */
@ApplicationScoped
public class CurrentTimeTool implements Tool<CurrentTimeTool.TimezoneInput> {

    /** The input: an IANA time zone. */
    @RegisterForReflection
    public record TimezoneInput(
            @JsonPropertyDescription("An IANA time zone name, e.g. Europe/Oslo, America/New_York or UTC") String timezone) {
    }

    /** The result, as JSON: the zone, the time in ISO-8601 with its UTC offset, and the day of the week. */
    @RegisterForReflection
    public record CurrentTime(String timezone, String time, String dayOfWeek) {
    }

    private final Clock clock;
    private final ObjectMapper mapper;

    CurrentTimeTool(Clock clock, ObjectMapper mapper) {
        this.clock = clock;
        this.mapper = mapper;
    }

    @Override
    public String name() {
        return "get_current_time";
    }

    @Override
    public String description() {
        return "Gets the current date and time in a time zone. Returns JSON with timezone, time (ISO-8601 with the UTC"
                + " offset) and dayOfWeek.";
    }

    @Override
    public Class<TimezoneInput> inputType() {
        return TimezoneInput.class;
    }

    @Override
    public Uni<String> invoke(TimezoneInput input) {
        return Uni.createFrom().item(() -> json(now(input.timezone().strip())));
    }

    private CurrentTime now(String timezone) {
        ZoneId zone;
        try {
            zone = ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new ToolException("Unknown time zone '" + Texts.shown(timezone)
                    + "'; use an IANA time zone name such as Europe/Oslo");
        }
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone)).truncatedTo(ChronoUnit.SECONDS);
        return new CurrentTime(zone.getId(), DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(now),
                now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
    }

    private String json(CurrentTime time) {
        try {
            return mapper.writeValueAsString(time);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a time cannot be written as JSON", e);
        }
    }
}
