import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps N chat streams open against a running parley for a while, each asking the simulator for a long, slow reply,
 * so a replica's memory can be measured under load. Run with the JDK's source launcher:
 *
 * <pre>java bench/StreamLoad.java http://localhost:8080 300 60 [api-key]</pre>
 *
 * (base URL, concurrent streams, seconds). Each stream that ends is replaced at once; at the end it prints how many
 * streams completed with {@code done} and how many did not.
 */
public class StreamLoad {

    private static final String BODY = """
            {"message":"Tell me a long story [[sim:tokens=200]] [[sim:delay=5ms]]","assistant":"concise"}""";

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0].replaceAll("/$", "") + "/v1/chat/stream");
        int streams = Integer.parseInt(args[1]);
        Duration duration = Duration.ofSeconds(Long.parseLong(args[2]));
        String key = args.length > 3 ? args[3] : null;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            lanes.add(lane(client, uri, key, end, done, failed));
        }
        CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).join();
        System.out.printf("streams=%d seconds=%d done=%d failed=%d%n", streams, duration.toSeconds(), done.get(),
                failed.get());
    }

    /** One stream after another until the end time: a lane holds one open stream at any moment. */
    private static CompletableFuture<Void> lane(HttpClient client, URI uri, String key, long end, AtomicLong done,
            AtomicLong failed) {
        if (System.nanoTime() > end) {
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (key != null) {
            request.header("x-api-key", key);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error == null && response.statusCode() == 200 && response.body().contains("event: done")) {
                done.incrementAndGet();
            } else {
                failed.incrementAndGet();
                if (failed.get() <= 3) {
                    System.err.println(error != null ? error.toString()
                            : response.statusCode() + " " + response.body().lines().limit(3).toList());
                }
            }
            return null;
        }).thenCompose(ignored -> lane(client, uri, key, end, done, failed));
    }
}
