package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.harness.Metrics;

/**
 * A journal that cannot be written, as on a full disk (here: its directory is a regular file): turns still end as
 * they would, every failed append is counted, and the rows reach the database from memory, so the whole ledger
 * contract holds.
 */
@QuarkusTest
@TestProfile(UnwritableJournalTest.JournalUnderAFile.class)
class UnwritableJournalTest extends UsageLedgerContract {

    public static class JournalUnderAFile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.ledger.journal-file", "pom.xml/ledger-journal.ndjson");
        }
    }

    @Test
    void aTurnEndsAndItsRowLandsWhenTheJournalCannotBeWrittenAndTheFailureIsCounted() {
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:tokens=3]]", "plain"));

        assertThat(reply.names()).last().isEqualTo("done");
        assertThat(awaitRow(reply.header("x-request-id"))).containsEntry("turn_id", reply.header("x-turn-id"));
        assertThat(Metrics.samples(given().get(app.resolve("/q/metrics")).asString())
                .get("parley_ledger_journal_failures_total")).isPositive();
    }
}
