package dev.parley.anthropic;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.resteasy.reactive.RestResponse;

import io.smallrye.mutiny.Uni;

/**
 * The front door's client of the upstream: a client's request passed through as bytes, with parley's key, its route
 * (base URL or embedded simulator, egress proxy, CA bundle) and the forwarded {@code anthropic-version} and
 * {@code anthropic-beta}; the answer's body as bytes too. A message is made under {@link UpstreamProtection} (a
 * concurrency permit held until its answer, the circuit breaker judging it); token counts and the model catalog are
 * short free calls, bounded like {@link MessagesClient}'s own. Every failure is typed (an {@link AnthropicException},
 * its texts redacted; an {@link UpstreamRejectedException} when parley does not make the call). A message goes with an
 * upstream key that has room for it ({@link UpstreamCapacity}), as the chat's calls do. It does not retry: the front
 * door does, in one layer.
 */
@ApplicationScoped
public class PassThroughClient {

    /**
     * The connection's idle backstop (the REST client's read timeout). Every call has its own, shorter bound, which
     * fires first and names what stalled; this only closes a connection nothing else would.
     */
    private static final Duration BACKSTOP = Duration.ofHours(1);
    private static final Duration SHORTEST = Duration.ofMillis(1);

    private final MessagesClient client;
    private final UpstreamProtection protection;
    private final AnthropicConfig config;
    private final UpstreamCapacity capacity;
    private volatile PassThroughApi api;

    PassThroughClient(MessagesClient client, UpstreamProtection protection, AnthropicConfig config,
            UpstreamCapacity capacity) {
        this.client = client;
        this.protection = protection;
        this.config = config;
        this.capacity = capacity;
    }

    /**
     * One non-streamed message (of the model its body names), within {@code within}: waits for an upstream key with
     * room for it and
     * then for a concurrency permit, and holds the permit until the answer (no key with room in time, a full queue, or
     * an open breaker fails with {@link UpstreamRejectedException} before the call). {@code sending} runs just before
     * the request is written: from then on the upstream may bill for it.
     */
    public Uni<UpstreamReply> message(byte[] body, ForwardedHeaders headers, Duration within, Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            PassThroughApi upstream = api();
            String model = RequestModel.of(body);
            return capacity.admit(model, UpstreamCapacity.estimatedInputTokens(body.length), within)
                    .flatMap(key -> protection.open(release -> {
                        sending.run();
                        return typed(upstream.message(key.secret(), version(headers), headers.beta().orElse(null),
                                body), "message", within, key, model).onTermination().invoke(release);
                    }));
        });
    }

    /**
     * One streamed message ({@code body} as the client wrote it, {@code "stream": true} in it, its model the one it
     * names): waits
     * (at most {@code within}) for an upstream key with room for it, then for a concurrency permit, and holds the
     * permit until the call is over; completes with the call once its first content event arrived (its head,
     * {@code message_start} and pings held until then, so that a failure before it can be retried unseen), or fails
     * typed. Subscribe on the context the events should be delivered on.
     */
    public Uni<StreamCall<RawEvent>> stream(byte[] body, ForwardedHeaders headers, Duration within,
            Runnable sending) {
        return Uni.createFrom().deferred(() -> {
            String model = RequestModel.of(body);
            return capacity.admit(model, UpstreamCapacity.estimatedInputTokens(body.length), within)
                    .flatMap(key -> client.observed(key, model, protection.open(release -> client.openRaw(body,
                            key, headers, release, sending))));
        });
    }

    /**
     * Refuses at once while the circuit breaker is open (an {@link UpstreamRejectedException}), before anything is
     * reserved for the call.
     */
    public void checkBreaker() {
        protection.checkBreaker();
    }

    /** A token count ({@code count_tokens}, free), within the first-content timeout or {@code within} if shorter. */
    public Uni<UpstreamReply> countTokens(byte[] body, ForwardedHeaders headers, Duration within) {
        return Uni.createFrom().deferred(() -> typed(api().countTokens(client.keys().first().secret(), version(headers),
                headers.beta().orElse(null), body), "token count", shorter(within, config.firstContentTimeout())));
    }

    /** A page of the model catalog, within the first-byte timeout. */
    public Uni<UpstreamReply> models(ForwardedHeaders headers, Optional<Integer> limit, Optional<String> afterId,
            Optional<String> beforeId) {
        return Uni.createFrom().deferred(() -> typed(api().models(client.keys().first().secret(), version(headers),
                headers.beta().orElse(null), limit.orElse(null), afterId.orElse(null), beforeId.orElse(null)),
                "models list", config.firstByteTimeout()));
    }

    /** One model of the catalog, within the first-byte timeout. */
    public Uni<UpstreamReply> model(String id, ForwardedHeaders headers) {
        return Uni.createFrom().deferred(() -> typed(api().model(client.keys().first().secret(), version(headers),
                headers.beta().orElse(null), id), "model", config.firstByteTimeout()));
    }

    private String version(ForwardedHeaders headers) {
        return headers.version().orElse(config.version());
    }

    /** The call bounded (past the bound it fails as a timeout and is cancelled, resetting it) and its failure typed. */
    private Uni<UpstreamReply> typed(Uni<RestResponse<byte[]>> call, String what, Duration within) {
        Duration limit = within.compareTo(SHORTEST) < 0 ? SHORTEST : within;
        return call.ifNoItem().after(limit).failWith(() -> AnthropicException.timeout(what, limit))
                .onFailure().transform(client::classified)
                .map(PassThroughClient::reply);
    }

    /** A message's call, typed, and what its answer said of {@code key}'s limits told to {@link UpstreamCapacity}. */
    private Uni<UpstreamReply> typed(Uni<RestResponse<byte[]>> call, String what, Duration within, UpstreamKey key,
            String model) {
        return typed(call.invoke(response -> client.observe(key, model, response)), what, within)
                .onFailure().invoke(failure -> client.refused(key, model, failure));
    }

    private static UpstreamReply reply(RestResponse<byte[]> response) {
        Map<String, String> headers = new LinkedHashMap<>();
        response.getStringHeaders().forEach((name, values) -> {
            if (UpstreamReply.passes(name) && !values.isEmpty()) {
                headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values));
            }
        });
        byte[] body = response.getEntity();
        return new UpstreamReply(response.getStatus(), headers, body == null ? new byte[0] : body);
    }

    private static Duration shorter(Duration one, Duration other) {
        return one.compareTo(other) < 0 ? one : other;
    }

    /** Built on first use, once the server listens (the embedded simulator's port is known only then). */
    private PassThroughApi api() {
        PassThroughApi current = api;
        if (current == null) {
            synchronized (this) {
                current = api;
                if (current == null) {
                    current = client.restClient(PassThroughApi.class, BACKSTOP);
                    api = current;
                }
            }
        }
        return current;
    }
}
