package dev.parley.usage.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.logging.Log;

/**
 * The local append-only journal every ledger row is written to before the database: one JSON object a line, in
 * numbered segment files {@code <journal-file>.1}, {@code .2}, … (a file at {@code <journal-file>} itself, from an
 * older version, is read as segment 0). {@link #append} writes a batch and forces it to disk; the database writer
 * {@link #read}s rows back from a {@link Position} and {@link #release}s what it stored, which deletes whole segments.
 * The segment written to is sealed and a new one started when it reaches the segment size; a sealed segment is
 * deleted once the writer stored all of it, and at shutdown everything is deleted if the writer stored everything.
 * So the journal holds what the database has not taken yet, plus at most one segment of rows it has.
 *
 * <p>
 * A line is complete only with its newline: a torn last line (a crash in the middle of a write, before its sync, so
 * before its turn ended) is skipped when read, and a new process never appends after it (it starts a new segment).
 * Appends and compaction are serialized on this object; reads need no lock: they never go past {@link #synced()}.
 */
final class LedgerJournal {

    /** Where the next row to read is: a segment's number and a byte offset in it. */
    record Position(long segment, long offset) {
    }

    /** Rows read and where reading goes on. */
    record Chunk(List<LedgerRow> rows, Position next) {
    }

    private final Path base;
    private final ObjectMapper json;
    private final long segmentSize;
    private final boolean sync;
    private final TreeSet<Long> segments = new TreeSet<>();
    private final long rowsAtStart;
    /** The segment appended to; its file exists once something was appended. */
    private long active;
    private FileChannel channel;
    /** Bytes of the active segment on disk and synced: readers stop there. */
    private volatile Position synced;

    /**
     * @param sync whether an append is forced to disk ({@code fdatasync}); without it an appended row survives the
     *        process's death (it is in the kernel's page cache) but not the machine's
     */
    LedgerJournal(Path base, ObjectMapper json, long segmentSize, boolean sync) {
        this.base = base.toAbsolutePath();
        this.json = json;
        this.segmentSize = segmentSize;
        this.sync = sync;
        long last = 0;
        try (Stream<Path> siblings = Files.list(this.base.getParent())) {
            String prefix = this.base.getFileName() + ".";
            for (Path sibling : (Iterable<Path>) siblings::iterator) {
                String name = sibling.getFileName().toString();
                if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,18}")) {
                    segments.add(Long.parseLong(name.substring(prefix.length())));
                }
            }
        } catch (NoSuchFileException e) {
            // No directory yet: nothing to replay; it is made with the first segment.
        } catch (IOException e) {
            Log.errorf("cannot list the ledger journal's directory %s: %s", this.base.getParent(), e.getMessage());
        }
        if (Files.exists(this.base)) {
            segments.add(0L);
        }
        if (!segments.isEmpty()) {
            last = segments.last();
        }
        // Never append to a segment of an earlier process: its last line may be torn.
        active = last + 1;
        synced = new Position(active, 0);
        long rows = 0;
        Position at = oldest();
        while (true) {
            Chunk chunk = read(at, 10_000);
            rows += chunk.rows().size();
            if (chunk.next().equals(at)) {
                break;
            }
            at = chunk.next();
        }
        rowsAtStart = rows;
    }

    /** Rows found in the journal when it was opened: rows of an earlier process, some perhaps already stored. */
    long rowsAtStart() {
        return rowsAtStart;
    }

    /** Where reading starts: the oldest segment's first row. */
    synchronized Position oldest() {
        return new Position(segments.isEmpty() ? active : segments.first(), 0);
    }

    /** The end of what is durably in the journal. */
    Position synced() {
        return synced;
    }

    /**
     * Writes the rows at the end of the journal and forces them to disk; when this returns, they survive a crash of
     * the process and (when syncing) of the machine. On failure (a full disk) nothing of the batch counts as written: the segment is
     * cut back to where it was, so the next append starts on a line of its own.
     */
    synchronized void append(List<LedgerRow> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder(rows.size() * 400);
        for (LedgerRow row : rows) {
            lines.append(json.writeValueAsString(row)).append('\n');
        }
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        if (synced.offset() >= segmentSize) {
            seal();
        }
        FileChannel out = channel();
        long before = synced.offset();
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes, before + bytes.position());
            }
            if (sync) {
                out.force(false);
            }
        } catch (IOException e) {
            try {
                out.truncate(before);
            } catch (IOException cut) {
                e.addSuppressed(cut);
                // The segment's end is unknown now: the next append starts a new one.
                seal();
            }
            throw e;
        }
        synced = new Position(active, before + bytes.limit());
    }

    /**
     * Reads up to {@code max} complete rows from {@code from}, never past what is synced; moves on to the next segment
     * at the end of a sealed one (skipping a torn last line). {@code next} equals {@code from} when nothing is left.
     */
    Chunk read(Position from, int max) {
        Position end = synced;
        Position at = from;
        List<LedgerRow> rows = new ArrayList<>();
        while (rows.size() < max) {
            boolean sealed = at.segment() < end.segment();
            long limit;
            try {
                limit = sealed ? size(at.segment()) : end.offset();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the ledger journal " + path(at.segment()), e);
            }
            if (at.offset() < limit) {
                at = readLines(at, limit, max, rows);
                if (at.offset() < limit) {
                    if (rows.size() < max && sealed) {
                        // A torn last line: skip it.
                        Log.warnf("skipping the torn end of the ledger journal %s", path(at.segment()));
                        at = new Position(at.segment(), limit);
                    } else {
                        break;
                    }
                }
            }
            if (!sealed) {
                break;
            }
            at = new Position(next(at.segment(), end.segment()), 0);
        }
        return new Chunk(rows, at);
    }

    /** The writer stored everything before {@code upTo}: the segments wholly before it are deleted. */
    synchronized void release(Position upTo) {
        while (!segments.isEmpty() && segments.first() < upTo.segment()) {
            long segment = segments.pollFirst();
            try {
                Files.deleteIfExists(path(segment));
            } catch (IOException e) {
                Log.warnf("cannot delete the stored ledger journal segment %s: %s", path(segment), e.getMessage());
            }
        }
    }

    /** Closes the active segment; deletes every segment if the writer stored everything (read up to {@code at}). */
    synchronized void close(Position at) {
        boolean stored = at.equals(synced);
        seal();
        if (stored) {
            release(synced);
        }
    }

    private void seal() {
        closeChannel();
        if (segments.contains(active)) {
            active++;
        }
        synced = new Position(active, 0);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Path file = path(active);
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            segments.add(active);
            // The new file's name must survive a crash too, not only its content.
            try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                directory.force(true);
            } catch (IOException e) {
                Log.debugf("cannot sync the directory %s: %s", file.getParent(), e.getMessage());
            }
        }
        return channel;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                Log.debugf("closing the ledger journal: %s", e.getMessage());
            }
            channel = null;
        }
    }

    private synchronized long next(long segment, long activeSegment) {
        Long higher = segments.higher(segment);
        return higher == null || higher > activeSegment ? activeSegment : higher;
    }

    private long size(long segment) throws IOException {
        try {
            return Files.size(path(segment));
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Adds complete lines' rows from {@code from} until {@code rows} holds {@code max} or {@code limit} is reached. */
    private Position readLines(Position from, long limit, int max, List<LedgerRow> rows) {
        Path file = path(from.segment());
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long offset = from.offset();
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(limit - offset, 1 << 20));
            byte[] carry = new byte[0];
            while (offset + carry.length < limit && rows.size() < max) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), limit - offset - carry.length));
                int read = in.read(buffer, offset + carry.length);
                if (read <= 0) {
                    break;
                }
                byte[] bytes = new byte[carry.length + read];
                System.arraycopy(carry, 0, bytes, 0, carry.length);
                System.arraycopy(buffer.array(), 0, bytes, carry.length, read);
                int start = 0;
                for (int i = 0; i < bytes.length && rows.size() < max; i++) {
                    if (bytes[i] == '\n') {
                        parse(new String(bytes, start, i - start, StandardCharsets.UTF_8), file).ifPresent(rows::add);
                        start = i + 1;
                    }
                }
                offset += start;
                carry = Arrays.copyOfRange(bytes, start, bytes.length);
            }
            return new Position(from.segment(), offset);
        } catch (NoSuchFileException e) {
            return new Position(from.segment(), limit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ledger journal " + file, e);
        }
    }

    private Optional<LedgerRow> parse(String line, Path file) {
        if (line.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(line, LedgerRow.class));
        } catch (JsonProcessingException e) {
            Log.warnf("skipping an unreadable line of the ledger journal %s", file);
            return Optional.empty();
        }
    }

    private Path path(long segment) {
        return segment == 0 ? base : base.resolveSibling(base.getFileName() + "." + segment);
    }
}
