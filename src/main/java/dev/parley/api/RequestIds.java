package dev.parley.api;

import java.security.SecureRandom;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.RequestLogs;

/**
 * The id of a request: the caller's {@code X-Request-Id} when it is sane, else a new one; kept with the request so
 * logs, problems and the response header all carry the same id. Logs get it from the MDC ({@code requestId}), which
 * Quarkus keeps on the request's Vert.x duplicated context, so every line logged while handling the request carries
 * it, whichever event-loop or worker thread runs that part.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    private static final String KEY = "parley.requestId";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    /** The id of the request, decided on first asking and the same ever after. */
    public static String of(RoutingContext context) {
        String id = context.get(KEY);
        if (id == null) {
            String given = context.request().getHeader(HEADER);
            id = given != null && SANE.matcher(given).matches() ? given : generate();
            context.put(KEY, id);
        }
        return id;
    }

    /** Before matching, so that even a request for a missing resource logs with its id. */
    @ServerRequestFilter(preMatching = true)
    public void tagLogs(RoutingContext context) {
        MDC.put(RequestLogs.KEY, of(context));
    }

    @ServerResponseFilter
    public void addHeader(ContainerResponseContext response, RoutingContext context) {
        if (!response.getHeaders().containsKey(HEADER)) {
            response.getHeaders().putSingle(HEADER, of(context));
        }
    }

    private static String generate() {
        char[] id = new char[20];
        for (int i = 0; i < id.length; i++) {
            id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return "preq_" + new String(id);
    }
}
