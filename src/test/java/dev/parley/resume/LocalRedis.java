package dev.parley.resume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.runtime.datasource.ReactiveRedisDataSourceImpl;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisAPI;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.redis.client.RedisOptions;

/**
 * A Redis data source without Quarkus, on a Vert.x of its own, to the Redis server on this machine (127.0.0.1:6379)
 * or through a port in front of it: the same client class the application injects, for plain JUnit tests.
 */
final class LocalRedis implements AutoCloseable {

    private final Vertx vertx;
    private final Redis client;
    final ReactiveRedisDataSource dataSource;

    LocalRedis(int port) {
        vertx = Vertx.vertx();
        client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port)
                .setMaxPoolSize(16).setMaxPoolWaiting(1024));
        dataSource = new ReactiveRedisDataSourceImpl(vertx, client, RedisAPI.api(client));
    }

    /** The keys under {@code prefix}, by {@code SCAN} (never {@code KEYS} on a shared server). */
    List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
            Response page = call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
            cursor = page.get(0).toString();
            page.get(1).forEach(key -> keys.add(key.toString()));
        } while (!"0".equals(cursor));
        return keys;
    }

    /** The key's time to live in ms: -1 without one, -2 when there is no such key. */
    long pttl(String key) {
        return call("PTTL", key).toLong();
    }

    Response call(String command, String... arguments) {
        return dataSource.execute(command, arguments).await().atMost(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        client.close();
        vertx.closeAndAwait();
    }
}
