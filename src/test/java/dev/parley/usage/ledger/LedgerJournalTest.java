package dev.parley.usage.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The journal's files: segments, reading back from a position, deleting what was stored, a torn last line. */
class LedgerJournalTest {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    @TempDir
    Path directory;

    @Test
    void rowsAreReadBackInOrderAcrossSegmentsAndStoredSegmentsAreDeleted() throws IOException {
        LedgerJournal journal = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1_000, true);
        for (int i = 0; i < 10; i++) {
            journal.append(List.of(row("a" + i), row("b" + i)));
        }
        assertThat(segments()).as("sealed at the segment size").hasSizeGreaterThan(2);

        List<String> read = new ArrayList<>();
        LedgerJournal.Position at = journal.oldest();
        for (LedgerJournal.Chunk chunk = journal.read(at, 3); !chunk.next().equals(at); chunk = journal.read(at,
                3)) {
            chunk.rows().forEach(row -> read.add(row.turnId()));
            at = chunk.next();
            journal.release(at);
        }

        assertThat(read).containsExactlyElementsOf(
                IntStream.range(0, 10).boxed().flatMap(i -> Stream.of("a" + i, "b" + i)).toList());
        assertThat(segments()).as("only the segment being written is left").hasSize(1);
        journal.close(at);
        assertThat(segments()).as("everything stored: nothing is left").isEmpty();
    }

    @Test
    void aNewProcessReplaysWhatAnEarlierOneLeftSkipsATornLastLineAndNeverAppendsAfterIt() throws IOException {
        LedgerJournal earlier = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1 << 20, true);
        earlier.append(List.of(row("one"), row("two")));
        Path segment = segments().getFirst();
        Files.writeString(segment, "{\"turnId\":\"torn\",\"requ", StandardOpenOption.APPEND);

        LedgerJournal later = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1 << 20, true);
        assertThat(later.rowsAtStart()).isEqualTo(2);
        later.append(List.of(row("three")));

        List<String> read = new ArrayList<>();
        LedgerJournal.Position at = later.oldest();
        for (LedgerJournal.Chunk chunk = later.read(at, 100); !chunk.next().equals(at); chunk = later.read(at,
                100)) {
            chunk.rows().forEach(row -> read.add(row.turnId()));
            at = chunk.next();
        }
        assertThat(read).containsExactly("one", "two", "three");
        assertThat(segments()).hasSize(2);
    }

    @Test
    void aLegacyJournalFileIsReadFirst() throws IOException {
        Files.writeString(directory.resolve("journal.ndjson"), JSON.writeValueAsString(row("legacy")) + "\n");
        LedgerJournal journal = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1 << 20, true);
        journal.append(List.of(row("new")));

        assertThat(journal.read(journal.oldest(), 100).rows()).extracting(LedgerRow::turnId)
                .containsExactly("legacy", "new");
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().matches("journal\\.ndjson\\.[0-9]+")).sorted()
                    .toList();
        }
    }

    @Test
    void aRowJournalledByTheVersionBeforeIssue18ReadsWithZeroThinkingAndNoRounds() throws IOException {
        // A line exactly as that version wrote it (Quarkus's ObjectMapper: ISO instants, plain decimals).
        Files.writeString(directory.resolve("journal.ndjson.1"), "{\"turnId\":\"t\",\"requestId\":\"r\","
                + "\"at\":\"2026-12-01T10:00:00Z\",\"caller\":\"anonymous\",\"assistant\":\"plain\","
                + "\"conversationId\":null,\"model\":\"claude-sonnet-4-6\",\"outcome\":\"ok\",\"rounds\":1,"
                + "\"inputTokens\":10,\"outputTokens\":20,\"outputTokensFinal\":true,\"cacheReadInputTokens\":3,"
                + "\"cacheWrite5mInputTokens\":4,\"cacheWrite1hInputTokens\":5,\"costUsd\":0.000123,"
                + "\"timeToFirstTokenMs\":42,\"durationMs\":100}\n");
        LedgerJournal journal = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1 << 20, true);

        List<LedgerRow> rows = journal.read(journal.oldest(), 100).rows();

        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.turnId()).isEqualTo("t");
            assertThat(row.costUsd()).isEqualByComparingTo("0.000123");
            assertThat(row.cacheWrite1hInputTokens()).isEqualTo(5);
            assertThat(row.durationMs()).isEqualTo(100);
            assertThat(row.thinkingTokens()).isZero();
            assertThat(row.savedUsd()).isNull();
            assertThat(row.servedModels()).isNull();
            assertThat(row.stopReason()).isNull();
            assertThat(row.stopDetails()).isNull();
            assertThat(row.serviceTier()).isNull();
            assertThat(row.upstreamRounds()).isEmpty();
        });
    }

    @Test
    void thinkingSavingsStopAndRoundsSurviveTheJournalExactly() throws IOException {
        LedgerJournal journal = new LedgerJournal(directory.resolve("journal.ndjson"), JSON, 1 << 20, true);
        LedgerRow written = new LedgerRow("t", "r", Instant.parse("2026-12-01T00:00:00Z"), "caller", "plain", null,
                "claude-opus-5-5", "ok", 2, 10, 200, true, 300, 40, 0, new BigDecimal("0.004123000001"), 5L, 20, 150,
                new BigDecimal("-0.000012500000"), "claude-opus-5-5,claude-sonnet-5-5", "refusal",
                "{\"type\":\"refusal\",\"category\":\"cyber\"}", "standard",
                List.of(new LedgerRow.RoundRow("req_1", "msg_1", "claude-opus-5-5"),
                        new LedgerRow.RoundRow(null, "msg_2", "claude-opus-5-5,claude-sonnet-5-5")));
        journal.append(List.of(written));

        assertThat(journal.read(journal.oldest(), 100).rows()).containsExactly(written);
    }

    private static LedgerRow row(String turnId) {
        return new LedgerRow(turnId, "req-" + turnId, Instant.parse("2026-12-01T00:00:00Z"), "caller", "plain", null,
                "claude-sonnet-4-6", "ok", 1, 10, 2, true, 0, 0, 0, new BigDecimal("0.000120"), 5L, 20, 0,
                new BigDecimal("0"), "claude-sonnet-4-6", "end_turn", null, "standard",
                List.of(new LedgerRow.RoundRow("req_" + turnId, "msg_" + turnId, "claude-sonnet-4-6")));
    }
}
