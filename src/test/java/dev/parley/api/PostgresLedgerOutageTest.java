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

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A PostgreSQL outage, made by switching off a TCP proxy in front of the server: chats still succeed, their rows wait
 * in the journal (the pending metric shows them), and once the database is back they are in the table exactly once.
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
        assertThat(journal).doesNotExist();
        for (String requestId : requestIds) {
            assertThat(count(requestId)).isEqualTo(1);
        }
    }

    private String journalText() throws IOException {
        return Files.exists(journal) ? Files.readString(journal) : "";
    }

    private double pending() {
        Matcher matcher = PENDING.matcher(given().get(app.resolve("/q/metrics")).asString());
        assertThat(matcher.find()).as("parley_ledger_pending is exported").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
