package dev.parley.api;

import java.net.URI;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;

import io.quarkus.test.common.http.TestHTTPResource;

import dev.parley.anthropic.MessagesClient;

/**
 * What every egress test has: the application, its upstream client for one-shot calls, and a proxy and TLS front
 * (EgressUpstream) that have forgotten what earlier tests sent through them.
 */
abstract class EgressTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @TestHTTPResource("/")
    URI app;

    @Inject
    MessagesClient client;

    @BeforeEach
    void forgetWhatTheProxySaw() {
        EgressUpstream.reset();
    }
}
