package dev.parley.anthropic;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.client.api.QuarkusRestClientProperties;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.net.ProxyOptions;

/**
 * Parley's client of the Anthropic Messages API: adds the headers, decodes the stream once into typed
 * {@link StreamEvent}s (pings skipped, an {@code error} event turned into an {@link AnthropicException}) and types
 * every failure. A stalled upstream is cut, never left hanging: see {@link StreamLimits} and the timeouts of
 * {@link AnthropicConfig}. It owns the protection of its calls ({@link UpstreamProtection}: the breaker and the
 * concurrency permit). It does not retry: exactly one layer does, and it is the chat engine's, which knows whether
 * anything has reached the client yet.
 */
@Startup // its connection counter exists from start-up, before the first chat
@ApplicationScoped
public class MessagesClient {

    /**
     * How far past the limits the REST client's own read timeout sits. That timeout is only a backstop, see
     * {@link #apis()}; the limits are what fire, and they name what stalled.
     */
    private static final Duration BACKSTOP_MARGIN = Duration.ofSeconds(1);

    /**
     * What parley's simulator sends with every response and the real API never does (the simulator's own constant is
     * {@code SimulatorRoutes.SELF_HEADER}; the simulator imports nothing of parley, so both name it).
     */
    private static final String SIMULATOR_HEADER = "parley-simulator";

    private final AnthropicConfig config;
    /** Bound once: {@code mapper.readValue} would look the deserializer up again for every event. */
    private final TypedEvents typedEvents;
    private final RawEvents rawEvents;
    private final ObjectWriter requestWriter;
    private final Vertx vertx;
    private final StreamLimits limits;
    private final UpstreamProtection protection;
    private final String apiKey;
    private final SecretRedactor redactor;
    private final UpstreamRoute route;
    /** Any failure of a call to its typed exception, its texts redacted. */
    private final Function<Throwable, Throwable> classifier;
    private final Counter connectionsOpened;
    private volatile Apis apis;

    /** The streamed calls and the one-shot calls' REST clients, each with the backstop of its call style. */
    private record Apis(StreamingCalls streaming, MultiMap streamHeaders, MessagesApi whole, ModelsApi models) {
    }

    MessagesClient(AnthropicConfig config, ObjectMapper mapper, Vertx vertx, MeterRegistry registry,
            UpstreamProtection protection) {
        this.protection = protection;
        this.connectionsOpened = Counter.builder("parley.upstream.connections.opened")
                .description("Connections opened to the upstream for streams (a finished stream's is reused)")
                .register(registry);
        this.config = config;
        this.typedEvents = new TypedEvents(mapper);
        this.rawEvents = new RawEvents(mapper);
        this.requestWriter = mapper.writerFor(MessageRequest.class);
        this.vertx = vertx;
        this.limits = StreamLimits.of(config);
        this.apiKey = config.embedded() ? simulatorKey() : config.apiKey().orElse("");
        // At start-up, so a proxy URL or CA file parley cannot use stops it with one line.
        this.route = UpstreamRoute.of(config, MessagesClient::environmentVariable);
        EgressProxy proxy = route.proxy().orElse(null);
        this.redactor = new SecretRedactor(apiKey, proxy == null ? null : proxy.password(),
                proxy == null ? null : proxy.basicToken().orElse(null));
        boolean proxied = proxy != null;
        this.classifier = failure -> redactor.redacted(UpstreamErrors.classify(failure, proxied));
        if (!config.embedded() || route.trust().isPresent()) {
            Log.info(route.describe(URI.create(config.baseUrl())));
        }
    }

    /**
     * Opens a streamed reply: completes with the call once its first event arrived (see {@link StreamCall}), or fails
     * typed: an {@link AnthropicException} (an HTTP status, a connection failure, a first-byte timeout), or an
     * {@link UpstreamRejectedException} when parley does not make the call (the breaker is open, or the concurrency
     * limit and its queue are full). The call waits in that queue for a permit and holds it until the call is over.
     * Once open, a stream that stalls (first content or idle timeout) fails with an {@link AnthropicException} of kind
     * {@code TIMEOUT}. Every failure's upstream texts are redacted of secrets before anyone can log them. Subscribe on
     * the Vert.x context the call should run on: its events are delivered there. {@code sending} runs there just
     * before the request is written (after the permit): from then on the upstream may bill for it.
     */
    public Uni<StreamCall<StreamEvent>> open(MessageRequest request, Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            Apis current = apis();
            byte[] body = encode(request.streaming(true));
            io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
            MultiMap headers = streamHeaders(current, request);
            return protection.open(release -> current.streaming().open(headers, body, trace, typedEvents, release,
                    sending));
        });
    }

    /**
     * Opens a streamed request written by a client of the front door ({@code body} as it came, {@code "stream": true}
     * in it) with parley's key and {@code headers}' version and betas: completes with the call once its first content
     * event arrived, everything before it held (see {@link RawEvents}), or fails typed as {@link #open} does. Not under
     * {@link UpstreamProtection}: {@link PassThroughClient} holds the permit around it.
     */
    Uni<StreamCall<RawEvent>> openRaw(byte[] body, ForwardedHeaders headers, Runnable ended, Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            Apis current = apis();
            MultiMap sent = MultiMap.caseInsensitiveMultiMap().addAll(current.streamHeaders())
                    .set("anthropic-version", headers.version().orElse(config.version()))
                    .remove("anthropic-beta");
            headers.beta().ifPresent(beta -> sent.set("anthropic-beta", beta));
            return current.streaming().open(sent, body, io.opentelemetry.context.Context.current(), rawEvents, ended,
                    sending);
        });
    }

    /**
     * Refuses at once while the circuit breaker is open (an {@link UpstreamRejectedException}), so the refusal can
     * still be an HTTP status before any call is made.
     */
    public void checkBreaker() {
        protection.checkBreaker();
    }

    /**
     * A whole reply in one response, within the first-content timeout: its content arrives all at once, with the
     * reply. Past it the call fails with an {@link AnthropicException} of kind {@code TIMEOUT} and is cancelled,
     * which resets its connection.
     */
    public Uni<Message> create(MessageRequest request) {
        Duration limit = config.firstContentTimeout();
        return Uni.createFrom()
                .deferred(() -> apis().whole().create(apiKey, config.version(),
                        Betas.of(request, config.beta()).orElse(null), request.streaming(false)))
                .ifNoItem().after(limit).failWith(() -> AnthropicException.timeout("first content", limit))
                .onFailure().transform(classifier);
    }

    /**
     * The prompt's input tokens, counted by the upstream ({@code count_tokens}, free of charge): every token the same
     * request would be billed as input, cached or not. A one-shot call like {@link #create}, with its error typing and
     * no retry, and its bound, the first-content timeout, or {@code within} when that is shorter (a turn's deadline).
     * Past it the call fails with an {@link AnthropicException} of kind {@code TIMEOUT} and is cancelled.
     */
    public Uni<Long> countTokens(MessageRequest request, Duration within) {
        Duration shorter = within.compareTo(config.firstContentTimeout()) < 0 ? within : config.firstContentTimeout();
        // A spent deadline still gets its (immediate) answer: Mutiny refuses a zero timeout.
        Duration limit = shorter.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : shorter;
        return Uni.createFrom()
                .deferred(() -> apis().whole().countTokens(apiKey, config.version(), config.beta().orElse(null),
                        TokenCountRequest.of(request)))
                .ifNoItem().after(limit).failWith(() -> AnthropicException.timeout("token count", limit))
                .onFailure().transform(classifier)
                .map(TokenCount::inputTokens);
    }

    /**
     * The egress proxy's options, when the upstream is reached through one: for whatever else opens a connection to
     * the upstream (the wellness check), so that it takes the same way as the calls.
     */
    public Optional<ProxyOptions> egressProxy() {
        return route.proxy().map(proxy -> proxy.options(config.connectTimeout()));
    }

    /**
     * The one key the built-in simulator accepts: an embedded upstream is always called with it, so that setting the
     * base URL alone is enough, and a real key configured beside it is never sent anywhere.
     */
    private static String simulatorKey() {
        return ConfigProvider.getConfig().getOptionalValue("parley.simulator.api-key", String.class)
                .orElse("parley-simulator-key");
    }

    /**
     * Whether the upstream is a simulator (parley's, in this process or another) rather than the Anthropic API: it
     * lists one model ({@code GET /v1/models?limit=1}, free of charge) and looks for {@link #SIMULATOR_HEADER} on the
     * answer. Within the first-byte timeout, typed like any one-shot call, and not retried.
     */
    public Uni<Boolean> upstreamIsSimulator() {
        Duration limit = config.firstByteTimeout();
        return Uni.createFrom()
                .deferred(() -> apis().models().list(apiKey, config.version(), 1))
                .ifNoItem().after(limit).failWith(() -> AnthropicException.timeout("models list", limit))
                .onFailure().transform(classifier)
                .map(response -> {
                    try (response) {
                        return response.getHeaderString(SIMULATOR_HEADER) != null;
                    }
                });
    }

    /** The URL requests go to, {@code embedded} resolved. */
    public URI baseUri() {
        if (!config.embedded()) {
            return URI.create(config.baseUrl().replaceAll("/+$", ""));
        }
        // Tests run on a random port that Quarkus publishes once the server listens.
        String portProperty = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        int port = ConfigProvider.getConfig().getOptionalValue(portProperty, Integer.class).orElse(8080);
        return URI.create("http://localhost:" + port + "/simulator");
    }

    /** The key parley calls the upstream with; for {@link PassThroughClient}, which shares this client's route. */
    String apiKey() {
        return apiKey;
    }

    /** Any failure of a call, typed and redacted as this client's own. */
    Throwable classified(Throwable failure) {
        return classifier.apply(failure);
    }

    /**
     * A REST client of the upstream built like this client's own (base URL, connect timeout, pool, egress proxy and
     * CA route), with {@code readTimeout} as the connection's idle backstop. Only once the server listens: the
     * embedded simulator's port is known only then.
     */
    <T> T restClient(Class<T> api, Duration readTimeout) {
        return build(api, readTimeout);
    }

    /** The port of a base URL: its own, else the scheme's (443 for https, 80 otherwise). */
    public static int portOf(URI base) {
        return base.getPort() > 0 ? base.getPort() : "https".equalsIgnoreCase(base.getScheme()) ? 443 : 80;
    }

    private byte[] encode(MessageRequest request) {
        try {
            return requestWriter.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request could not be written as JSON", e);
        }
    }

    /**
     * The clients, built on first use (the embedded simulator's port is known only once the server listens). The
     * one-shot client's read timeout (Vert.x's idle timeout on the connection, reset by any bytes) is set just past
     * the first-content limit, so it never cuts a healthy call before parley's own limit does; it is a backstop for a
     * connection nothing else closes. Left unset, the REST client's default of 30 s would apply, shorter than the
     * limit. Streamed calls watch their silence with their own timers (see {@link StreamingCalls}).
     */
    private Apis apis() {
        Apis current = apis;
        if (current == null) {
            synchronized (this) {
                current = apis;
                if (current == null) {
                    current = new Apis(new StreamingCalls(vertx, baseUri(), config, route,
                            connectionsOpened::increment, classifier), streamHeaders(),
                            build(MessagesApi.class, limits.firstContent().plus(BACKSTOP_MARGIN)),
                            build(ModelsApi.class, config.firstByteTimeout().plus(BACKSTOP_MARGIN)));
                    apis = current;
                }
            }
        }
        return current;
    }

    /** The shared stream headers, or a copy with the betas this request needs beside the configured ones. */
    private MultiMap streamHeaders(Apis current, MessageRequest request) {
        Optional<String> betas = Betas.of(request, config.beta());
        if (betas.equals(config.beta())) {
            return current.streamHeaders();
        }
        return MultiMap.caseInsensitiveMultiMap().addAll(current.streamHeaders()).set("anthropic-beta", betas.get());
    }

    private MultiMap streamHeaders() {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add("content-type", "application/json")
                .add("accept", "text/event-stream")
                .add("x-api-key", apiKey)
                .add("anthropic-version", config.version());
        config.beta().ifPresent(beta -> headers.add("anthropic-beta", beta));
        return headers;
    }

    private <T> T build(Class<T> api, Duration readTimeout) {
        URI base = baseUri();
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(base)
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .property(QuarkusRestClientProperties.CONNECTION_POOL_SIZE, config.connectionPoolSize());
        return route.configure(builder, "https".equalsIgnoreCase(base.getScheme()), config.connectTimeout())
                .build(api);
    }

    /**
     * An environment variable ({@code HTTPS_PROXY}, {@code NO_PROXY}, ...), read through the configuration, whose
     * environment source is the process's environment: so a system property or a test profile can stand in for it.
     */
    private static String environmentVariable(String name) {
        return ConfigProvider.getConfig().getOptionalValue(name, String.class).orElse(null);
    }
}
