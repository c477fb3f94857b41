package dev.parley.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /v1/chat/turns/{turnId}/approvals/{callId}}.
 *
 * @param decision {@code approve} or {@code deny}
 */
@RegisterForReflection
@Schema(additionalProperties = Schema.False.class, description = "Read strictly: this field only, once, a JSON text "
        + "(else 400 `invalid_json`).")
public record ApprovalRequest(@Schema(enumeration = {
        "approve", "deny"}, required = true) String decision){
}
