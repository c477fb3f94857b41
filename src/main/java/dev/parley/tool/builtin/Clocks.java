package dev.parley.tool.builtin;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.arc.DefaultBean;

/** The system clock in UTC, as a bean, so that what reads the time can be tested with a fixed one. */
@Singleton
public class Clocks {

    @Produces
    @Singleton
    @DefaultBean
    Clock systemUtc() {
        return Clock.systemUTC();
    }
}
