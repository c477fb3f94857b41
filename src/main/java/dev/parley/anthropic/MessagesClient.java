package dev.parley.anthropic;

import java.net.URI;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.reactive.client.SseEvent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.LaunchMode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Parley's client of the Anthropic Messages API: adds the headers, decodes the stream once into typed
 * {@link StreamEvent}s (pings skipped, an {@code error} event turned into an {@link AnthropicException}) and types
 * every failure. It does not retry: exactly one layer does, and it is the chat engine's, which knows whether anything
 * has reached the client yet.
 */
@ApplicationScoped
public class MessagesClient {

    private final AnthropicConfig config;
    private final ObjectMapper mapper;
    private final String apiKey;
    private volatile MessagesApi api;

    MessagesClient(AnthropicConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.apiKey = config.apiKey().orElse("");
    }

    /** Streams a reply. Cancelling the returned stream closes the upstream connection. */
    public Multi<StreamEvent> stream(MessageRequest request) {
        return Multi.createFrom()
                .deferred(() -> api().stream(apiKey, config.version(), config.beta().orElse(null),
                        request.streaming(true)))
                .map(this::decode)
                .filter(event -> !(event instanceof StreamEvent.Ping || event instanceof StreamEvent.Unknown))
                .onFailure().transform(UpstreamErrors::classify);
    }

    /** A whole reply in one response. */
    public Uni<Message> create(MessageRequest request) {
        return Uni.createFrom()
                .deferred(() -> api().create(apiKey, config.version(), config.beta().orElse(null),
                        request.streaming(false)))
                .onFailure().transform(UpstreamErrors::classify);
    }

    /** The URL requests go to, {@code embedded} resolved. */
    public URI baseUri() {
        if (!AnthropicConfig.EMBEDDED.equals(config.baseUrl())) {
            return URI.create(config.baseUrl().replaceAll("/+$", ""));
        }
        // Tests run on a random port that Quarkus publishes once the server listens.
        String portProperty = LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
        int port = ConfigProvider.getConfig().getOptionalValue(portProperty, Integer.class).orElse(8080);
        return URI.create("http://localhost:" + port + "/simulator");
    }

    private StreamEvent decode(SseEvent<String> sse) {
        StreamEvent event;
        try {
            event = mapper.readValue(sse.data(), StreamEvent.class);
        } catch (JsonProcessingException e) {
            throw AnthropicException.transport(AnthropicException.Kind.INTERRUPTED, e);
        }
        if (event instanceof StreamEvent.Error error) {
            throw UpstreamErrors.fromStreamError(error);
        }
        return event;
    }

    private MessagesApi api() {
        MessagesApi current = api;
        if (current == null) {
            synchronized (this) {
                current = api;
                if (current == null) {
                    current = QuarkusRestClientBuilder.newBuilder()
                            .baseUri(baseUri())
                            .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .readTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                            .build(MessagesApi.class);
                    api = current;
                }
            }
        }
        return current;
    }
}
