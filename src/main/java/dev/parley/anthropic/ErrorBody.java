package dev.parley.anthropic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An error response body: {@code {"type":"error","error":{"type":…,"message":…},"request_id":…}} (§3.2). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record ErrorBody(Detail error, String requestId) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Detail(String type, String message) {
    }
}
