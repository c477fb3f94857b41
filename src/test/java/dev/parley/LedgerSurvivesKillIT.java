package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.api.TcpSwitch;
import dev.parley.harness.Metrics;
import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * The packaged application with the PostgreSQL ledger behind the tests' TCP switch, under concurrent streaming load,
 * killed with SIGKILL at a random moment while the database is up, refusing connections and frozen; restarted on the
 * same journal with the database back: every turn whose last event ({@code done} or {@code error}) reached its
 * client, and every turn its client hung up on that parley had taken note of, has exactly one row, counted by turn
 * id. The last restart also finds a torn last line at the end of the journal, as a kill in the middle of a write
 * leaves it.
 */
@PackagedJar
class LedgerSurvivesKillIT {

    private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final int CLIENTS = 12;

    private final TcpSwitch database = TcpSwitch.to(5432);
    private final HttpClient http = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong requests = new AtomicLong();
    /** Turns whose last event the client read. */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    /** Answers other than 200: none are expected (no budgets, no limits in reach). */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Last events whose turn id is not the one of their response's header. */
    private final Set<String> mismatched = ConcurrentHashMap.newKeySet();
    /** Turns the client hung up on, not yet known to be noticed by parley. */
    private final Set<String> hungUp = ConcurrentHashMap.newKeySet();
    /** Turns the client hung up on and parley counted (and so journalled) before the kill. */
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    @AfterEach
    void databaseBack() {
        database.up();
    }

    @Test
    void noCompletedOrCancelledTurnIsLostOrDoubledByAKillWhateverTheDatabaseDoes() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target"), "parley-kill9-");
        Map<String, String> environment = Map.of(
                "PARLEY_LEDGER_STORE", "postgresql",
                "PARLEY_LEDGER_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + database.port() + "/test",
                "PARLEY_LEDGER_USERNAME", "postgres",
                "PARLEY_LEDGER_RETRY_INTERVAL", "200ms",
                // Small segments: rows cross sealed segments while the database is away.
                "PARLEY_LEDGER_JOURNAL_SEGMENT_SIZE", "4K",
                "PARLEY_SIMULATOR_ENABLED", "true",
                "ANTHROPIC_BASE_URL", "embedded",
                "ANTHROPIC_API_KEY", "parley-simulator-key");
        List<TcpSwitch.Mode> outages = List.of(TcpSwitch.Mode.UP, TcpSwitch.Mode.DOWN, TcpSwitch.Mode.FROZEN);
        for (int i = 0; i < outages.size(); i++) {
            ParleyProcess parley = ParleyProcess.restart("kill9-" + i, environment, data);
            underLoadKilled(parley, outages.get(i));
            if (i == outages.size() - 1) {
                tearTheJournalsLastLine(data);
            }
        }
        database.up();
        try (ParleyProcess restarted = ParleyProcess.restart("kill9-restarted", environment, data)) {
            Set<String> expected = new HashSet<>(ended);
            expected.addAll(cancelled);
            assertThat(refused).as("refused turns").isEmpty();
            assertThat(mismatched).as("last events with another turn id than X-Turn-Id").isEmpty();
            assertThat(ended).as("turns that ended before the kills").hasSizeGreaterThan(50);
            assertThat(cancelled).as("turns cancelled before the kills").isNotEmpty();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(rowsByTurn(expected).keySet()).containsAll(expected));
            Map<String, Long> rows = rowsByTurn(expected);
            assertThat(rows.values()).as("rows per turn").allMatch(count -> count == 1);
            // And nothing beyond: no row of this run's requests has a turn id twice.
            assertThat(duplicatedTurnsOfThisRun()).isZero();
        }
    }

    /** Load, then the outage, then (after a moment chosen at random) SIGKILL. */
    private void underLoadKilled(ParleyProcess parley, TcpSwitch.Mode outage) throws Exception {
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicBoolean hangingUp = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(Thread.ofVirtual().start(() -> {
                while (loading.get()) {
                    turn(parley.uri(), client % 4 == 0 && hangingUp.get());
                }
            }));
        }
        try {
            hungUp.clear();
            long start = ended.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> ended.size() >= start + 20 && hungUp.size() >= 3);
            database.set(outage);
            long before = ended.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> ended.size() >= before + 10);
            // Cancellations count once parley has noticed them and synced what it had noticed.
            hangingUp.set(false);
            Set<String> hungUpNow = Set.copyOf(hungUp);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metric(parley, "parley_chat_requests_total{gen_ai_request_model=\"claude-haiku-4-5\","
                            + "outcome=\"client_cancelled\"}") >= hungUpNow.size());
            double counted = turnsCounted(parley);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metric(parley, "parley_ledger_journal_commit_seconds_count") >= counted + CLIENTS);
            cancelled.addAll(hungUpNow);
            hungUp.removeAll(hungUpNow);
            // Killed at a random moment of the load.
            long more = ended.size() + ThreadLocalRandom.current().nextInt(5, 40);
            await().atMost(Duration.ofSeconds(20)).until(() -> ended.size() >= more);
        } finally {
            parley.kill9();
            loading.set(false);
            for (Thread client : clients) {
                client.join(Duration.ofSeconds(10));
            }
            database.up();
        }
    }

    /** One streamed turn; the client hangs up after the first text if {@code hangUp}. */
    private void turn(URI parley, boolean hangUp) {
        String requestId = "kill9-" + run + "-" + requests.incrementAndGet();
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) parley.resolve("/v1/chat/stream").toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(30_000);
            connection.setRequestProperty("content-type", "application/json");
            connection.setRequestProperty("x-request-id", requestId);
            connection.getOutputStream().write(("{\"assistant\":\"concise\",\"message\":\"[[sim:tokens="
                    + (hangUp ? 60 : 12) + "]] [[sim:delay=5ms]]\"}").getBytes(StandardCharsets.UTF_8));
            if (connection.getResponseCode() != 200) {
                refused.add(connection.getResponseCode() + " " + new String(connection.getErrorStream()
                        .readAllBytes(), StandardCharsets.UTF_8));
                return;
            }
            String turnId = connection.getHeaderField("X-Turn-Id");
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                String event = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        if (hangUp && "text".equals(event)) {
                            hungUp.add(turnId);
                            return;
                        }
                        if ("done".equals(event) || "error".equals(event)) {
                            if (!line.contains("\"turnId\":\"" + turnId + "\"")) {
                                mismatched.add(line);
                            }
                            ended.add(turnId);
                            return;
                        }
                    }
                }
            }
        } catch (IOException e) {
            // The process was killed under this turn: it did not end, and nothing is expected of it.
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** What a kill in the middle of a write leaves: the start of a line, without its end. */
    private static void tearTheJournalsLastLine(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data)) {
            Path last = files.filter(f -> f.getFileName().toString().startsWith("ledger-journal.ndjson."))
                    .max((a, b) -> Long.compare(segment(a), segment(b))).orElseThrow();
            Files.writeString(last, "{\"turnId\":\"torn-" + UUID.randomUUID() + "\",\"requestId\":\"kil",
                    StandardOpenOption.APPEND);
        }
    }

    private static long segment(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf('.') + 1));
    }

    private double turnsCounted(ParleyProcess parley) throws Exception {
        return samples(parley).entrySet().stream()
                .filter(sample -> sample.getKey().startsWith("parley_chat_requests_total{")
                        && !sample.getKey().contains("outcome=\"rejected\""))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private double metric(ParleyProcess parley, String sample) throws Exception {
        return samples(parley).getOrDefault(sample, 0.0);
    }

    private Map<String, Double> samples(ParleyProcess parley) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(parley.uri().resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return Metrics.samples(page.body());
    }

    private static Map<String, Long> rowsByTurn(Set<String> turnIds) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                PreparedStatement select = connection.prepareStatement(
                        "SELECT turn_id, COUNT(*) FROM usage_ledger WHERE turn_id = ANY(?) GROUP BY turn_id")) {
            Array ids = connection.createArrayOf("varchar", turnIds.toArray());
            select.setArray(1, ids);
            Map<String, Long> rows = new HashMap<>();
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getString(1), result.getLong(2));
                }
            }
            return rows;
        }
    }

    private long duplicatedTurnsOfThisRun() throws SQLException {
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM (SELECT turn_id FROM "
                        + "usage_ledger WHERE request_id LIKE ? GROUP BY turn_id HAVING COUNT(*) > 1) AS twice")) {
            select.setString(1, "kill9-" + run + "-%");
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
