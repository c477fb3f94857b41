package dev.parley.usage.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.quarkus.logging.Log;

/**
 * One process per ledger journal: the journal's segments are appended, read back and deleted by one writer, so a
 * second process on the same files would corrupt them (and, with the embedded store, the database file beside them
 * is open in one process at a time). An exclusive lock on {@code ledger-journal.lock} (the journal's name with
 * {@code .lock} for its extension), taken before either is opened, makes a second process refuse to start in one line
 * that names the folder and the setting to change. The operating system releases the lock when the process dies,
 * kill -9 included, so a restarted container never finds it stale.
 */
final class JournalLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static JournalLock acquire(Path journal) {
        // ledger-journal.lock beside ledger-journal.ndjson: not a name the journal's segments (<journal>.N) start with.
        String name = journal.getFileName().toString();
        Path file = journal.resolveSibling((name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name)
                + ".lock");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                channel.close();
                throw new IllegalStateException("the ledger journal " + journal.toAbsolutePath().normalize()
                        + " is still held by an earlier start of parley in this process", e);
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("the ledger journal " + journal.toAbsolutePath().normalize()
                        + " is in use by another parley process" + holder
                        + ": give each process a folder of its own with PARLEY_LEDGER_DIRECTORY");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)),
                    0);
            return new JournalLock(channel, lock);
        } catch (IOException e) {
            // An unwritable folder: the journal will fail too, and the ledger keeps rows in memory (README "Usage
            // ledger"). Refusing to start would lose them all; a second process here is unlikely but not stopped.
            Log.warnf("cannot lock the ledger journal %s (%s): a second process on it would not be stopped",
                    file.toAbsolutePath(), e.getMessage());
            return new JournalLock(null, null);
        }
    }

    /** " (pid N)" as the holder wrote it, or nothing if it cannot be read. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer content = ByteBuffer.allocate(32);
            channel.read(content, 0);
            String pid = new String(content.array(), 0, content.position(), StandardCharsets.UTF_8).strip();
            return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the lock; again is harmless. */
    @Override
    public void close() {
        if (lock == null || !lock.isValid()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            Log.debugf("releasing the ledger journal's lock: %s", e.getMessage());
        }
    }
}
