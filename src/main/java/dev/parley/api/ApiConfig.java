package dev.parley.api;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The public HTTP API ({@code parley.api.*}). */
@ConfigMapping(prefix = "parley.api")
public interface ApiConfig {

    /** A {@code : ping} comment is sent on a stream that has been silent this long, so proxies keep it open. */
    @WithDefault("15s")
    Duration heartbeatInterval();
}
