package dev.parley.anthropic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** A prompt-cache breakpoint: {@code {"type":"ephemeral"}} (5 minutes) or with {@code "ttl":"1h"}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record CacheControl(String type, String ttl) {

    public static CacheControl fiveMinutes() {
        return new CacheControl("ephemeral", null);
    }

    public static CacheControl oneHour() {
        return new CacheControl("ephemeral", "1h");
    }
}
