package dev.parley.frontdoor;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * What the tests that point the official Java SDK at the front door share: a client per caller key with the front
 * door as its base URL (closed after each test), and the {@link DoorWitness} of the ledger and the simulator.
 */
abstract class JavaSdkAtTheDoor {

    @TestHTTPResource("/")
    URI app;

    @Inject
    @Any
    InjectableInstance<AgroalDataSource> datasources;

    @ConfigProperty(name = "parley.ledger.store")
    String store;

    DoorWitness door;
    private final List<AnthropicClient> clients = new ArrayList<>();

    @BeforeEach
    void witness() {
        door = new DoorWitness(datasources, store);
    }

    @AfterEach
    void closeClients() {
        clients.forEach(AnthropicClient::close);
    }

    /** The SDK with the front door's base URL and {@code key}, its only two settings. */
    AnthropicClient client(String key) {
        return clientOf("/anthropic", key);
    }

    /** The SDK pointed at {@code path} of parley's server (the simulator's, for a request made without parley). */
    AnthropicClient clientOf(String path, String key) {
        AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(app.resolve(path).toString()).apiKey(key)
                .build();
        clients.add(client);
        return client;
    }
}
