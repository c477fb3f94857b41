package dev.parley.api;

import jakarta.inject.Singleton;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Small send buffers on the server's sockets, for the test profiles that set {@code parley.test.small-socket-buffers}:
 * left to the operating system, a loopback socket's send buffer grows to megabytes, enough to hide a whole reply from
 * the flow control under test. It applies to the embedded simulator's responses too (the same server).
 */
@Singleton
@IfBuildProperty(name = "parley.test.small-socket-buffers", stringValue = "true")
public class SmallSocketBuffers implements HttpServerOptionsCustomizer {

    static final int SEND_BUFFER_BYTES = 16 * 1024;

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setSendBufferSize(SEND_BUFFER_BYTES);
    }
}
