package dev.parley.anthropic;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.RestResponse;
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
 * concurrency permit) and picks the key of each ({@link UpstreamCapacity}, told what every answer said of the key's rate
 * limits). It does not retry: exactly one layer does, and it is the chat engine's, which knows whether
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
    private final UpstreamKeys keys;
    private final UpstreamCapacity capacity;
    private final SecretRedactor redactor;
    private final UpstreamRoute route;
    /** Any failure of a call to its typed exception, its texts redacted. */
    private final Function<Throwable, Throwable> classifier;
    private final Counter connectionsOpened;
    private volatile Apis apis;

    /**
     * The streamed calls, their shared headers by key name, and the one-shot calls' REST clients, each with the
     * backstop of its call style.
     */
    private record Apis(StreamingCalls streaming, Map<String, MultiMap> streamHeaders, MessagesApi whole,
            ModelsApi models) {
    }

    MessagesClient(AnthropicConfig config, ObjectMapper mapper, Vertx vertx, MeterRegistry registry,
            UpstreamProtection protection, UpstreamKeys keys, UpstreamCapacity capacity) {
        this.protection = protection;
        this.keys = keys;
        this.capacity = capacity;
        this.connectionsOpened = Counter.builder("parley.upstream.connections.opened")
                .description("Connections opened to the upstream for streams (a finished stream's is reused)")
                .register(registry);
        this.config = config;
        this.typedEvents = new TypedEvents(mapper);
        this.rawEvents = new RawEvents(mapper);
        this.requestWriter = mapper.writerFor(MessageRequest.class);
        this.vertx = vertx;
        this.limits = StreamLimits.of(config);
        // At start-up, so a proxy URL or CA file parley cannot use stops it with one line.
        this.route = UpstreamRoute.of(config, MessagesClient::environmentVariable);
        EgressProxy proxy = route.proxy().orElse(null);
        List<String> secrets = new ArrayList<>(Arrays.asList(keys.secrets()));
        if (proxy != null) {
            secrets.add(proxy.password());
            secrets.add(proxy.basicToken().orElse(null));
        }
        this.redactor = new SecretRedactor(secrets.toArray(String[]::new));
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
     * before the request is written (after the permit): from then on the upstream may bill for it. Before the permit,
     * the call takes an upstream key with room for it ({@link UpstreamCapacity#admit}, its input estimated from the
     * request's size), waiting for one at most {@code within} (the turn's deadline); when none will have room in time
     * it fails with an {@link UpstreamRejectedException} of reason {@code CAPACITY_EXHAUSTED}.
     */
    public Uni<StreamCall<StreamEvent>> open(MessageRequest request, Duration within, Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            Apis current = apis();
            byte[] body = encode(request.streaming(true));
            io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
            String model = request.model();
            return capacity.admit(model, UpstreamCapacity.estimatedInputTokens(body.length), within)
                    .flatMap(key -> {
                        MultiMap headers = streamHeaders(current, key, request);
                        return observed(key, model, protection.open(release -> current.streaming().open(headers,
                                body, trace, typedEvents, release, sending)));
                    });
        });
    }

    /**
     * Opens a streamed request written by a client of the front door ({@code body} as it came, {@code "stream": true}
     * in it) with parley's key and {@code headers}' version and betas: completes with the call once its first content
     * event arrived, everything before it held (see {@link RawEvents}), or fails typed as {@link #open} does. Not under
     * {@link UpstreamProtection}: {@link PassThroughClient} holds the permit around it.
     */
    Uni<StreamCall<RawEvent>> openRaw(byte[] body, UpstreamKey key, ForwardedHeaders headers, Runnable ended,
            Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            Apis current = apis();
            MultiMap sent = MultiMap.caseInsensitiveMultiMap().addAll(current.streamHeaders().get(key.name()))
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
        MessageRequest whole = request.streaming(false);
        String model = request.model();
        return Uni.createFrom()
                .deferred(() -> capacity.admit(model, UpstreamCapacity.estimatedInputTokens(encode(whole).length),
                        limit))
                .flatMap(key -> Uni.createFrom()
                        .deferred(() -> apis().whole().create(key.secret(), config.version(),
                                Betas.of(request, config.beta()).orElse(null), whole))
                        .ifNoItem().after(limit).failWith(() -> AnthropicException.timeout("first content", limit))
                        .onFailure().transform(classifier)
                        .onFailure().invoke(failure -> refused(key, model, failure))
                        .map(response -> {
                            observe(key, model, response);
                            return response.getEntity();
                        }));
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
                .deferred(() -> apis().whole().countTokens(keys.first().secret(), config.version(),
                        config.beta().orElse(null),
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
     * Whether the upstream is a simulator (parley's, in this process or another) rather than the Anthropic API: it
     * lists one model ({@code GET /v1/models?limit=1}, free of charge) and looks for {@link #SIMULATOR_HEADER} on the
     * answer. Within the first-byte timeout, typed like any one-shot call, and not retried.
     */
    public Uni<Boolean> upstreamIsSimulator() {
        Duration limit = config.firstByteTimeout();
        return Uni.createFrom()
                .deferred(() -> apis().models().list(keys.first().secret(), config.version(), 1))
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

    /**
     * Tells {@link UpstreamCapacity} what the answer of an opened stream said of its key's limits, and what a 429 said.
     */
    <T extends StreamCall<?>> Uni<T> observed(UpstreamKey key, String model, Uni<T> call) {
        return call.invoke(opened -> observe(key, model, opened.passedHeaders()))
                .onFailure().invoke(failure -> refused(key, model, failure));
    }

    /** What a one-shot answer said of its key's limits. */
    void observe(UpstreamKey key, String model, RestResponse<?> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.getStringHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), values.getFirst());
            }
        });
        observe(key, model, headers);
    }

    private void observe(UpstreamKey key, String model, Map<String, String> headers) {
        UpstreamRateLimits limits = UpstreamRateLimits.from(headers::get, Instant.now());
        if (!limits.isEmpty()) {
            capacity.observed(key, model, limits);
        }
    }

    /**
     * What an error answer said of its key's limits. A 429 that reports them (the API's own rate limit says which ran
     * out and until when) holds the key until its {@code retry-after}; a bare 429 (a proxy's, an injected fault) is
     * left to the retry layer, which honours its {@code retry-after} for that call alone.
     */
    void refused(UpstreamKey key, String model, Throwable failure) {
        if (failure instanceof AnthropicException upstream) {
            upstream.rateLimits().filter(MessagesClient::reportsLimits)
                    .ifPresent(limits -> capacity.observed(key, model, limits));
        }
    }

    private static boolean reportsLimits(UpstreamRateLimits limits) {
        return limits.requests().isPresent() || limits.inputTokens().isPresent() || limits.outputTokens().isPresent();
    }

    /** The keys; for {@link PassThroughClient}, which shares this client's route. */
    UpstreamKeys keys() {
        return keys;
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

    /** The key's shared stream headers, or a copy with the betas this request needs beside the configured ones. */
    private MultiMap streamHeaders(Apis current, UpstreamKey key, MessageRequest request) {
        MultiMap shared = current.streamHeaders().get(key.name());
        Optional<String> betas = Betas.of(request, config.beta());
        if (betas.equals(config.beta())) {
            return shared;
        }
        return MultiMap.caseInsensitiveMultiMap().addAll(shared).set("anthropic-beta", betas.get());
    }

    /** Each key's stream headers, built once. */
    private Map<String, MultiMap> streamHeaders() {
        Map<String, MultiMap> byKey = new LinkedHashMap<>();
        for (UpstreamKey key : keys.all()) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add("content-type", "application/json")
                    .add("accept", "text/event-stream")
                    .add("x-api-key", key.secret())
                    .add("anthropic-version", config.version());
            config.beta().ifPresent(beta -> headers.add("anthropic-beta", beta));
            byKey.put(key.name(), headers);
        }
        return Map.copyOf(byKey);
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
