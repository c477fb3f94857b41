package dev.parley.mcp;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;

import reactor.core.publisher.Mono;

/**
 * The SDK's transport with one addition: a call can be cancelled on the server. The SDK (2.2.0) never sends
 * {@code notifications/cancelled} and does not say which JSON-RPC id it gave a request, so this transport notes the id
 * of a {@code tools/call} it sends into the holder the call put in its Reactor context ({@link #REQUEST_ID}), and
 * {@link #cancel} names that id in the notification, as the specification's cancellation asks.
 */
final class CancellableCalls implements McpClientTransport {

    /** The Reactor context key of the holder a call's JSON-RPC id is written to. */
    static final String REQUEST_ID = "parley.mcp.request-id";
    private static final String CANCELLED = "notifications/cancelled";

    private final McpClientTransport delegate;

    CancellableCalls(McpClientTransport delegate) {
        this.delegate = delegate;
    }

    /** Tells the server that the request is no longer wanted; the answer, if one comes, is dropped by the SDK. */
    Mono<Void> cancel(Object requestId, String reason, McpAsyncClient client) {
        McpSchema.JSONRPCNotification notification = new McpSchema.JSONRPCNotification(CANCELLED,
                Map.of("requestId", requestId, "reason", reason));
        McpSchema.InitializeResult session = client.getCurrentInitializationResult();
        return delegate.sendMessage(notification).contextWrite(context -> session == null
                ? context
                : context.put(McpAsyncClient.NEGOTIATED_PROTOCOL_VERSION, session.protocolVersion()));
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest request
                && McpSchema.METHOD_TOOLS_CALL.equals(request.method())) {
            return Mono.deferContextual(context -> {
                context.<AtomicReference<Object>>getOrEmpty(REQUEST_ID).ifPresent(id -> id.set(request.id()));
                return delegate.sendMessage(message);
            });
        }
        return delegate.sendMessage(message);
    }

    @Override
    public Mono<Void> connect(
            Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return delegate.connect(handler);
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        delegate.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return delegate.closeGracefully();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return delegate.unmarshalFrom(data, typeRef);
    }

    @Override
    public List<String> protocolVersions() {
        return delegate.protocolVersions();
    }
}
