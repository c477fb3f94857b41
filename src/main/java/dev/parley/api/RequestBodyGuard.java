package dev.parley.api;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatLimitsConfig;

/**
 * Bounds the request bodies parley holds in memory, before anything buffers them. A body to parley's own API
 * ({@code /v1/...}) larger than {@code parley.requests.max-body-size} is refused with 413 {@code body_too_large}: at
 * once when its {@code Content-Length} says so, the moment the limit is crossed when it is chunked. Every admitted
 * body takes its bytes from one budget shared by all requests ({@code parley.requests.body-budget}) and gives them
 * back when its response ends, so many legal large bodies at once are answered 503 {@code server_busy} with
 * {@code Retry-After} rather than filling the heap. This route reads the body itself, on the request's event loop,
 * and hands it to RESTEasy as the entity stream ({@link BodyHandOver}), so no worker thread blocks on a slow client.
 * The paths of an {@link EdgeSurface} (the front door) are guarded the same way, with the surface's own size limit,
 * and refused in the surface's own error shape. Other paths only get the server-wide limit
 * ({@code quarkus.http.limits.max-body-size}) checked here, so that its 413 is a problem too.
 */
@Singleton
public class RequestBodyGuard {

    /** Before Quarkus's own body-size check (order -2), which answers with an empty 413. */
    static final int ROUTE_ORDER = -3;
    static final String API_PREFIX = "/v1/";
    /** Where Quarkus's input stream looks for the most bytes it may read (VertxHttpRecorder.MAX_REQUEST_SIZE_KEY). */
    static final String QUARKUS_MAX_REQUEST_SIZE = "io.quarkus.max-request-size";
    /** Where the body read here waits for {@link BodyHandOver}. */
    static final String BODY = "parley.requestBody";
    /** Allowance per prior message for its JSON punctuation: {@code {"role":"assistant","content":""},}. */
    private static final int BYTES_PER_HISTORY_MESSAGE = 64;
    /** Allowance for the other fields (conversation id, assistant, maxTokens, deadlineMs) and whitespace. */
    private static final int OTHER_FIELDS_BYTES = 16 * 1024;

    private final long maxBodyBytes;
    private final Optional<Long> serverMaxBodyBytes;
    private final BodyBudget budget;
    private final long retryAfterSeconds;
    private final long bodyTimeoutMillis;
    private final int maxUriLength;
    private final long maxHeaderBytes;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final EdgeSurfaces surfaces;

    RequestBodyGuard(RequestLimitsConfig config, ChatLimitsConfig limits,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> serverMaxBody,
            ObjectMapper json, MeterRegistry registry, EdgeSurfaces surfaces) {
        this.maxBodyBytes = config.maxBodySize().map(MemorySize::asLongValue).orElse(largestLegalBody(limits));
        this.surfaces = surfaces;
        long largest = Math.max(maxBodyBytes, surfaces.largestBody());
        long budgetBytes = config.bodyBudget().map(MemorySize::asLongValue)
                .orElse(Math.max(Runtime.getRuntime().maxMemory() / 8, largest));
        if (budgetBytes < largest) {
            throw new IllegalStateException("parley.requests.body-budget (" + budgetBytes
                    + " bytes) must be at least parley.requests.max-body-size (" + maxBodyBytes
                    + " bytes) and parley.front-door.max-body-size (" + largest
                    + " bytes for the largest), or no body of the largest size could ever be admitted");
        }
        this.serverMaxBodyBytes = serverMaxBody.map(MemorySize::asLongValue);
        this.budget = new BodyBudget(budgetBytes);
        this.retryAfterSeconds = ProblemMappers.seconds(config.busyRetryAfter());
        this.bodyTimeoutMillis = Math.max(1, config.bodyTimeout().toMillis());
        this.maxUriLength = config.maxUriLength();
        this.maxHeaderBytes = config.maxHeaderSize().asLongValue();
        this.json = json;
        this.registry = registry;
        Gauge.builder("parley.request.body.held", budget, BodyBudget::held)
                .description("Bytes of request bodies admitted and not yet given back (their response has not ended)")
                .baseUnit("bytes").register(registry);
        Gauge.builder("parley.request.body.budget", budget, BodyBudget::capacity)
                .description("parley.requests.body-budget: most bytes of request bodies held at once")
                .baseUnit("bytes").register(registry);
    }

    /**
     * The largest body the character limits can let through: every character of the message and of the history
     * written as a six-byte JSON escape ({@code \u005Cu0000}, the longest form a UTF-16 unit takes in JSON), plus
     * the punctuation of the most prior messages and room for the other fields. A body the character limits would
     * accept is never refused for its size.
     */
    static long largestLegalBody(ChatLimitsConfig limits) {
        return 6L * ((long) limits.maxMessageChars() + limits.maxHistoryChars())
                + (long) BYTES_PER_HISTORY_MESSAGE * limits.maxHistoryMessages() + OTHER_FIELDS_BYTES;
    }

    void register(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::guard);
        Log.debugf("request bodies: at most %s bytes each on %s, %s bytes held at once", Long.valueOf(maxBodyBytes),
                API_PREFIX, Long.valueOf(budget.capacity()));
    }

    private void guard(RoutingContext context) {
        HttpServerRequest request = context.request();
        // The decoder's own limits sit above these, so that a request between the two gets a problem, not the
        // decoder's bare status (Quarkus has no hook for those: quarkusio/quarkus#55082).
        if (request.uri().length() > maxUriLength) {
            refuse(context, 414, "uri_too_long", "URI too long",
                    "The request's URI is longer than " + maxUriLength + " characters.", false);
            return;
        }
        if (headerBytes(request) > maxHeaderBytes) {
            refuse(context, 431, "headers_too_large", "Headers too large",
                    "The request's headers are larger than " + maxHeaderBytes + " bytes.", false);
            return;
        }
        String path = request.path();
        String lengthHeader = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        long length;
        try {
            length = lengthHeader == null ? -1 : Long.parseLong(lengthHeader.trim());
        } catch (NumberFormatException e) {
            refuse(context, 400, "invalid_request", "Bad request", "Content-Length is not a number.", false);
            return;
        }
        boolean api = path != null && path.startsWith(API_PREFIX);
        Optional<EdgeSurface> surface = surfaces.of(path);
        boolean guarded = api || surface.isPresent();
        long limit = surface.map(EdgeSurface::maxBodyBytes).orElse(maxBodyBytes);
        if (guarded) {
            UnmatchedPathTags.markUnmatched();
        }
        if (!guarded || request.isEnded()) {
            if (serverMaxBodyBytes.isPresent() && length > serverMaxBodyBytes.get()) {
                refuse(context, 413, "body_too_large", "Body too large",
                        "The body is larger than this server accepts (" + serverMaxBodyBytes.get() + " bytes).",
                        false);
                return;
            }
            context.next();
            return;
        }
        boolean chunked = length < 0 && isChunked(request);
        if (length == 0 || (length < 0 && !chunked)) {
            context.next();
            return;
        }
        if (length > limit) {
            tooLarge(context, limit);
            return;
        }
        if (request.version() == HttpVersion.HTTP_2) {
            admitForRestEasy(context, length, limit);
            return;
        }
        if (length > 0 && !budget.tryTake(length)) {
            busy(context);
            return;
        }
        new BodyRead(context, Math.max(length, 0), chunked, limit).start();
    }

    /**
     * An HTTP/2 request (h2c, which the JDK's client asks for by default) cannot be handed over read: RESTEasy pauses
     * the request it is given, and an HTTP/2 request that has ended refuses that. So RESTEasy reads it, within the
     * limit Quarkus's own input stream enforces ({@link #QUARKUS_MAX_REQUEST_SIZE}; past it, a bodiless 413), and it
     * holds its declared length of the budget, or the largest body when it declared none.
     */
    private void admitForRestEasy(RoutingContext context, long length, long limit) {
        long taken = length > 0 ? length : limit;
        if (!budget.tryTake(taken)) {
            busy(context);
            return;
        }
        context.addEndHandler(ended -> budget.giveBack(taken));
        context.put(QUARKUS_MAX_REQUEST_SIZE, limit);
        context.next();
    }

    /** The headers' size as sent on HTTP/1.1: {@code name: value} and CRLF each. */
    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (var header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private static boolean isChunked(HttpServerRequest request) {
        String encoding = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** Reading one admitted body, on the request's event loop; it ends by passing the request on or refusing it. */
    private final class BodyRead {

        private final RoutingContext context;
        private final boolean chunked;
        private final long limit;
        private final Buffer body;
        /** Bytes taken from the budget: the whole declared length up front, or each chunk as it comes. */
        private long taken;
        private long received;
        private boolean finished;
        private long timer;

        BodyRead(RoutingContext context, long declared, boolean chunked, long limit) {
            this.context = context;
            this.chunked = chunked;
            this.limit = limit;
            this.taken = declared;
            this.body = Buffer.buffer((int) Math.min(declared > 0 ? declared : 8192, Integer.MAX_VALUE));
        }

        void start() {
            // Runs once, however the request ends: response written, connection closed, or failed.
            context.addEndHandler(ended -> budget.giveBack(taken));
            HttpServerRequest request = context.request();
            timer = context.vertx().setTimer(bodyTimeoutMillis, id -> timedOut());
            request.handler(this::chunk);
            request.endHandler(v -> end());
            request.exceptionHandler(e -> finish());
            if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
                context.response().writeContinue();
            }
            request.resume();
        }

        private void chunk(Buffer chunk) {
            if (finished) {
                return;
            }
            received += chunk.length();
            if (received > limit) {
                finish();
                tooLarge(context, limit);
                return;
            }
            if (chunked) {
                if (!budget.tryTake(chunk.length())) {
                    finish();
                    busy(context);
                    return;
                }
                taken += chunk.length();
            }
            body.appendBuffer(chunk);
        }

        private void end() {
            if (finished) {
                return;
            }
            finish();
            context.put(BODY, body);
            context.next();
        }

        private void timedOut() {
            if (finished) {
                return;
            }
            finish();
            refuse(context, 408, "body_timeout", "Body too slow", "The body did not arrive within "
                    + bodyTimeoutMillis / 1000 + " s.", false);
        }

        private void finish() {
            finished = true;
            context.vertx().cancelTimer(timer);
        }
    }

    private void tooLarge(RoutingContext context, long limit) {
        refuse(context, 413, "body_too_large", "Body too large", "The body is larger than parley accepts (" + limit
                + " bytes" + (limit == maxBodyBytes ? "; see parley.limits.*)." : ")."), false);
    }

    private void busy(RoutingContext context) {
        refuse(context, 503, "server_busy", "Server busy",
                "parley is reading as many request bodies as it can hold. Try again shortly.", true);
    }

    /**
     * Answers with a problem and, on HTTP/1.1, closes the connection once it is written: what is left of the body is
     * not read.
     */
    private void refuse(RoutingContext context, int status, String code, String title, String detail,
            boolean retry) {
        refusals(code).increment();
        HttpServerResponse response = context.response();
        if (response.headWritten()) {
            context.request().connection().close();
            return;
        }
        String requestId = RequestIds.of(context);
        Optional<EdgeSurface> surface = surfaces.of(context.request().path());
        byte[] problem;
        if (surface.isPresent()) {
            EdgeSurface.Refusal refusal = surface.get().refusal(status, code, detail, requestId,
                    retry ? retryAfterSeconds : 0);
            problem = refusal.body();
            response.setStatusCode(refusal.status()).putHeader(HttpHeaders.CONTENT_TYPE, refusal.contentType());
            refusal.headers().forEach(response::putHeader);
        } else {
            try {
                problem = json.writeValueAsBytes(Problem.of(status, code, title, detail, requestId));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
            if (retry) {
                response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
            }
        }
        response.putHeader(RequestIds.HEADER, requestId);
        if (context.request().version() == HttpVersion.HTTP_2) {
            // Ending the stream is enough; the connection carries other requests' streams.
            response.end(Buffer.buffer(problem));
            return;
        }
        response.putHeader(HttpHeaders.CONNECTION, "close");
        response.end(Buffer.buffer(problem)).onComplete(written -> context.request().connection().close());
    }

    private Counter refusals(String code) {
        return Counter.builder("parley.request.body.refusals").description("Request bodies refused at the edge")
                .tag("code", code).register(registry);
    }
}
