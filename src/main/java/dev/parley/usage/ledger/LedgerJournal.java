package dev.parley.usage.ledger;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * The local append-only journal of rows the database could not take: one JSON object a line, forced to disk on each
 * append. Replaying reads it whole; once every row is in the database it is deleted. Thread-safe.
 */
final class LedgerJournal {

    private final Path file;
    private final ObjectMapper json;
    private final AtomicLong rows = new AtomicLong();

    LedgerJournal(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
        rows.set(read().size());
    }

    /** Rows waiting in the journal. */
    long size() {
        return rows.get();
    }

    synchronized void append(List<LedgerRow> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)) {
                for (LedgerRow row : batch) {
                    out.write(json.writeValueAsString(row));
                    out.write('\n');
                }
            }
            rows.addAndGet(batch.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the ledger journal " + file, e);
        }
    }

    /** Every row in the journal, in the order written; a line that cannot be read (a torn last write) is skipped. */
    synchronized List<LedgerRow> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<LedgerRow> result = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    result.add(json.readValue(line, LedgerRow.class));
                } catch (JsonProcessingException e) {
                    Log.warnf("skipping an unreadable line of the ledger journal %s", file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ledger journal " + file, e);
        }
        return result;
    }

    /**
     * Removes the first {@code replayed} rows, which are now in the database. Rows appended since the read stay.
     */
    synchronized void dropFirst(int replayed) {
        List<LedgerRow> all = read();
        try {
            if (all.size() <= replayed) {
                Files.deleteIfExists(file);
                rows.set(0);
                return;
            }
            List<LedgerRow> rest = all.subList(replayed, all.size());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                for (LedgerRow row : rest) {
                    out.write(json.writeValueAsString(row));
                    out.write('\n');
                }
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            rows.set(rest.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the ledger journal " + file, e);
        }
    }
}
