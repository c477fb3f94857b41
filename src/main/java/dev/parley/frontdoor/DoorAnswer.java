package dev.parley.frontdoor;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.anthropic.UpstreamReply;
import dev.parley.api.RequestIds;

/**
 * A whole answer of the front door: the upstream's own (status, the headers that pass, the body byte for byte), or
 * parley's refusal in Anthropic's error shape. The Models API and token counts hand it to RESTEasy as a
 * {@link Response}; a message, whose answer may instead be a stream that parley writes itself, writes it to the
 * connection the same way.
 *
 * @param headers by lower-case name, {@code content-type} among them
 */
record DoorAnswer(int status, Map<String, String> headers, byte[] body) {

    DoorAnswer {
        headers = Map.copyOf(headers);
    }

    /** The upstream's answer as it sent it. */
    static DoorAnswer passed(UpstreamReply reply) {
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        headers.putIfAbsent("content-type", MediaType.APPLICATION_JSON);
        return new DoorAnswer(reply.status(), headers, reply.body());
    }

    /** Parley's answer instead of the upstream's. */
    static DoorAnswer refused(DoorRefusal refusal, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>(refusal.headers(requestId));
        headers.put("content-type", MediaType.APPLICATION_JSON);
        return new DoorAnswer(refusal.status(), headers, refusal.body(requestId));
    }

    /** For RESTEasy, which adds parley's request id as every response's. */
    Response response() {
        Response.ResponseBuilder response = Response.status(status).entity(body);
        headers.forEach(response::header);
        return response.build();
    }

    /** Written to the connection directly, parley's request id beside the rest; completes once it is sent. */
    Future<Void> writeTo(HttpServerResponse response, String requestId) {
        response.setStatusCode(status);
        headers.forEach(response::putHeader);
        response.putHeader(RequestIds.HEADER, requestId);
        return response.end(Buffer.buffer(body));
    }
}
