package dev.parley.frontdoor;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.anthropic.Usage;

/**
 * What the front door reads of a message the upstream returned, to meter it: the rest (the content) is the client's,
 * and passes on as the upstream sent it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
record ReplyView(String id, String model, String stopReason, JsonNode stopDetails, Usage usage) {

    ReplyView {
        usage = usage == null ? Usage.EMPTY : usage;
    }
}
