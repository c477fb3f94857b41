package dev.parley.harness;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * Collects the spans of tests in memory: Quarkus exports to every {@code SpanExporter} bean. Idle unless a test
 * profile turns the OpenTelemetry SDK on (it is off by default, see {@code ChatTracingTest}).
 */
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
