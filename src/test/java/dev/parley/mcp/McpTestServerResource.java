package dev.parley.mcp;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.parley.harness.McpServerProcess;

/**
 * Starts the MCP test server as a process of its own before the application, and configures two servers on it:
 * {@code test} (every tool) and {@code other} ({@code allowed-tools=echo}). A test field of type
 * {@link McpServerProcess} annotated {@link Server} gets the process, to change its tools, stop or restart it.
 */
public class McpTestServerResource implements QuarkusTestResourceLifecycleManager {

    /** Marks the field that gets the running server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Server {
    }

    private McpServerProcess server;

    @Override
    public Map<String, String> start() {
        server = McpServerProcess.start();
        String url = server.uri().toString();
        return Map.of("parley.mcp.servers.test.url", url, "parley.mcp.servers.other.url", url);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(Server.class, McpServerProcess.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
