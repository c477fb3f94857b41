package dev.parley.health;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import dev.parley.anthropic.MessagesClient;

/**
 * Wellness check {@code upstream} ({@code /q/health/well}): whether a TCP connection to the upstream's host opens
 * within {@code parley.health.timeout}, through the egress proxy's tunnel when calls take one. Always UP: an unreachable Anthropic API must never restart pods (liveness) or
 * empty the service (readiness; every replica would fail alike). The result is kept for
 * {@code parley.health.upstream-interval}, so probes never hammer the upstream. A connection, not a request: it costs
 * nothing, needs no key, and proves the network path, which is what an operator looks for here.
 */
@Wellness
@ApplicationScoped
class UpstreamWellness implements AsyncHealthCheck {

    private final MessagesClient client;
    private final NetClient net;
    private final Uni<Boolean> reachable;

    UpstreamWellness(MessagesClient client, Vertx vertx, HealthConfig config) {
        this.client = client;
        NetClientOptions options = new NetClientOptions().setConnectTimeout((int) config.timeout().toMillis());
        // Where the upstream is reached only through a proxy, the path to prove is the proxy's CONNECT tunnel.
        client.egressProxy().ifPresent(options::setProxyOptions);
        this.net = vertx.createNetClient(options);
        this.reachable = Uni.createFrom().deferred(this::connect).memoize().atLeast(config.upstreamInterval());
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return reachable.map(up -> HealthCheckResponse.named("upstream").up()
                .withData("upstream", up ? "reachable" : "unreachable")
                .withData("host", client.baseUri().getHost())
                .build());
    }

    private Uni<Boolean> connect() {
        URI upstream = client.baseUri();
        return Uni.createFrom()
                .completionStage(
                        () -> net.connect(MessagesClient.portOf(upstream), upstream.getHost()).toCompletionStage())
                .flatMap(socket -> Uni.createFrom().completionStage(() -> socket.close().toCompletionStage()))
                .map(closed -> true)
                .onFailure().recoverWithItem(false);
    }
}
