package dev.parley.chat;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Server-side conversations ({@code parley.conversations.*}). */
@ConfigMapping(prefix = "parley.conversations")
public interface ConversationsConfig {

    /** Most conversations kept in memory; the least recently used go first. */
    @WithDefault("10000")
    int maxCount();

    /** A conversation not continued for this long is forgotten. */
    @WithDefault("24h")
    Duration ttl();
}
