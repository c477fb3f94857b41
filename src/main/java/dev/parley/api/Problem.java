package dev.parley.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An RFC 9457 problem ({@code application/problem+json}) with a stable {@code code}; {@code type} is a URI naming
 * the code, {@code detail} is safe to show a user.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String requestId,
        EventPayloads.UsageView usage, EventPayloads.CostView cost) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String code, String title, String detail, String requestId) {
        return new Problem("https://parley.dev/problems/" + code, title, status, detail, code, requestId, null, null);
    }
}
