package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.parley.harness.Metrics;
import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;
import dev.parley.harness.RawHttp;

/**
 * The packaged application with a 256 MB heap, as a small Kubernetes limit gives it, under what took a 512 MB one
 * down before request bodies were bounded: 100 concurrent oversized bodies (half declared by {@code Content-Length}
 * and sent anyway, half chunked without end), then 100 concurrent bodies of the largest legal size. It refuses what
 * it must with problems, serves what its budget admits, and stays healthy: liveness answers, a normal chat works,
 * what the heap holds after a collection stays under {@value #LIVE_CEILING_MB} MB and the resident set under
 * {@value #RSS_CEILING_MB} MB. (The heap in use before a collection is no measure: G1 fills the heap first.)
 */
@PackagedJar
class RequestFloodIT {

    static final int HEAP_MB = 256;
    static final int LIVE_CEILING_MB = 200;
    static final int RSS_CEILING_MB = 550;
    private static final int CLIENTS = 100;
    /** Production's limits: 6 x (100,000 + 400,000) characters + 64 x 200 messages + 16 KiB. */
    private static final int MAX_BODY = 3_029_184;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aSmallHeapSurvivesFloodsOfOversizedAndOfLargestLegalBodies() throws Exception {
        long began = System.nanoTime();
        // Its own simulator is its upstream: one process to start, and the simulator's share of the memory counted too.
        try (ParleyProcess parley = ParleyProcess.start("flooded", Map.of("PARLEY_SIMULATOR_ENABLED", "true",
                "PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_ANTHROPIC_API_KEY", "parley-simulator-key"),
                List.of("-Xmx" + HEAP_MB + "m"))) {
            URI base = parley.uri();
            long started = System.nanoTime();
            HeapWatch heap = new HeapWatch(base);
            heap.start();

            Map<Integer, Integer> oversized = flood(i -> oversized(base, i % 2 == 0));
            assertThat(oversized.keySet()).as("statuses of oversized bodies (0: no answer read)")
                    .isSubsetOf(413, 503, 0);
            assertThat(oversized.getOrDefault(413, 0)).isPositive();

            long floodedOversized = System.nanoTime();
            byte[] largest = largestLegalBody();
            assertThat(largest.length).isBetween(MAX_BODY - 24_000, MAX_BODY);
            Map<Integer, Integer> legal = flood(i -> legal(base, largest));
            assertThat(legal.keySet()).as("statuses of largest legal bodies").isSubsetOf(200, 503);
            assertThat(legal.getOrDefault(200, 0)).as("served within the budget").isGreaterThanOrEqualTo(5);

            long floodedLegal = System.nanoTime();
            heap.stop();
            assertThat(get(base, "/q/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> chat = HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/chat/stream"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"[[sim:reply=Still here.]]\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.statusCode()).isEqualTo(200);
            assertThat(chat.body()).contains("event: done");
            long rssMb = peakRssKb(parley.pid()) / 1024;
            System.out.printf("RequestFloodIT: oversized %s, largest legal %s, peak heap used %d MB, live after GC %d"
                    + " MB, peak RSS %d MB; start %d ms, oversized flood %d ms, legal flood %d ms%n", oversized, legal,
                    heap.peakBytes() / (1024 * 1024), heap.peakLiveBytes() / (1024 * 1024), rssMb,
                    (started - began) / 1_000_000,
                    (floodedOversized - started) / 1_000_000, (floodedLegal - floodedOversized) / 1_000_000);
            assertThat(heap.peakLiveBytes()).as("peak heap live after a collection")
                    .isLessThan(LIVE_CEILING_MB * 1024L * 1024);
            assertThat(rssMb).as("peak resident set, MB").isLessThan(RSS_CEILING_MB);
            assertThat(String.join("\n", parley.output())).doesNotContain("OutOfMemoryError")
                    .doesNotContain("event executor terminated");
        }
    }

    /** Runs {@value #CLIENTS} clients at once; how many got which status. */
    private static Map<Integer, Integer> flood(Function<Integer, Integer> client) throws Exception {
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                clients.add(threads.submit(() -> {
                    start.await();
                    statuses.merge(client.apply(n), 1, Integer::sum);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> done : clients) {
                done.get();
            }
        }
        return statuses;
    }

    /** 10 MB, sent whatever the server says, as an attacker would; the status of the answer, 0 if none was read. */
    private static int oversized(URI base, boolean chunked) {
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'x');
        try (RawHttp http = RawHttp.connect(base)) {
            http.head("POST /v1/chat/stream HTTP/1.1", "Host: localhost", "Content-Type: application/json",
                    chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + 10 * 1024 * 1024);
            for (int sent = 0; sent < 10 * 1024 * 1024 && !http.writeFailed(); sent += piece.length) {
                if (chunked) {
                    http.chunk(piece);
                } else {
                    http.send(piece);
                }
            }
            return http.reply().status();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The largest legal body, sent as a careful client does: after the server's {@code 100 Continue}. */
    private static int legal(URI base, byte[] body) {
        try (RawHttp http = RawHttp.connect(base)) {
            http.head("POST /v1/chat HTTP/1.1", "Host: localhost", "Content-Type: application/json",
                    "Accept: application/json", "Content-Length: " + body.length, "Expect: 100-continue");
            var refused = http.continueOrReply();
            if (refused.isPresent()) {
                if (refused.get().status() == 503) {
                    assertThat(refused.get().header("Retry-After")).isNotBlank();
                }
                return refused.get().status();
            }
            return http.send(body).reply().status();
        }
    }

    /**
     * 100,000 message and 400,000 history characters in 200 messages, each character a letter written as a
     * six-byte JSON escape: the most bytes the character limits let through (and only 125,000 tokens upstream).
     */
    private static byte[] largestLegalBody() {
        String letter = "\\u8a9e";
        StringBuilder body = new StringBuilder("{\"message\":\"").append(letter.repeat(100_000))
                .append("\",\"history\":[");
        for (int i = 0; i < 200; i++) {
            body.append(i == 0 ? "" : ",").append("{\"role\":\"").append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"").append(letter.repeat(2_000)).append("\"}");
        }
        return body.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The process's peak resident set ({@code VmHWM}), in kB. */
    private static long peakRssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }

    /** Samples the heap from /q/metrics while it runs: in use (heap areas summed) and live after a collection. */
    private static final class HeapWatch {

        private final URI base;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong peakLive = new AtomicLong();
        private Thread thread;

        HeapWatch(URI base) {
            this.base = base;
        }

        void start() {
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    try {
                        Map<String, Double> samples = Metrics.samples(get(base, "/q/metrics").body());
                        long used = samples.entrySet().stream()
                                .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{")
                                        && e.getKey().contains("area=\"heap\""))
                                .mapToLong(e -> e.getValue().longValue()).sum();
                        peak.accumulateAndGet(used, Math::max);
                        Double live = samples.get("jvm_gc_live_data_size_bytes");
                        if (live != null) {
                            peakLive.accumulateAndGet(live.longValue(), Math::max);
                        }
                    } catch (IOException e) {
                        // A scrape that fails under load is skipped; the next one counts.
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(Duration.ofSeconds(15));
        }

        long peakBytes() {
            return peak.get();
        }

        /** The most the old generation held after a collection ({@code jvm_gc_live_data_size_bytes}). */
        long peakLiveBytes() {
            return peakLive.get();
        }
    }
}
