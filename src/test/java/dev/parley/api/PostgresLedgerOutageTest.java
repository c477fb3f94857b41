package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A PostgreSQL outage, made by switching off a TCP proxy in front of the server: chats still succeed, their rows are
 * in the journal (the pending metric shows them waiting), and once the database is back they are in the table exactly
 * once.
 */
@QuarkusTest
@TestProfile(PostgresLedgerOutageTest.BehindASwitch.class)
class PostgresLedgerOutageTest extends UsageLedgerContract {

    private static final Pattern PENDING = Pattern.compile("(?m)^parley_ledger_pending ([0-9.E]+)$");

    @ConfigProperty(name = "parley.ledger.journal-file")
    Path journal;

    public static class BehindASwitch implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.ledger.store", "postgresql", "quarkus.datasource.ledger-pg.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:" + TcpSwitch.to(5432).port() + "/test");
        }
    }

    @AfterEach
    void databaseBack() {
        TcpSwitch.to(5432).up();
    }

    @Test
    void rowsWaitInTheJournalDuringAnOutageAndLandOnceWhenTheDatabaseIsBack() throws SQLException, IOException {
        TcpSwitch.to(5432).down();
        List<String> requestIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:tokens=5]]", "plain"));
            assertThat(reply.names()).last().isEqualTo("done");
            requestIds.add(reply.header("x-request-id"));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> journalText().contains(requestIds.getLast()));
        assertThat(journalText()).contains(requestIds.getFirst());
        assertThat(pending()).isGreaterThanOrEqualTo(3);

        TcpSwitch.to(5432).up();

        for (String requestId : requestIds) {
            awaitRow(requestId);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pending() == 0);
        for (String requestId : requestIds) {
            assertThat(count(requestId)).isEqualTo(1);
        }
    }

    /** Every segment of the journal ({@code <journal-file>.1}, {@code .2}, ...), in order. */
    private String journalText() throws IOException {
        if (!Files.isDirectory(journal.toAbsolutePath().getParent())) {
            return "";
        }
        try (Stream<Path> files = Files.list(journal.toAbsolutePath().getParent())) {
            StringBuilder text = new StringBuilder();
            for (Path segment : files.filter(f -> f.getFileName().toString().startsWith(journal.getFileName() + "."))
                    .sorted().toList()) {
                text.append(Files.readString(segment));
            }
            return text.toString();
        }
    }

    private double pending() {
        Matcher matcher = PENDING.matcher(given().get(app.resolve("/q/metrics")).asString());
        assertThat(matcher.find()).as("parley_ledger_pending is exported").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
