package dev.parley.usage.ledger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Blocking calls to the ledger's database from a request's path (budget checks, usage reports), bounded twice so that
 * a hung database can neither hold a request nor take the worker pool: the answer comes within a timeout (else
 * {@link LedgerUnavailableException}), and at most as many calls as the datasource has connections block worker
 * threads at once; one more fails at once instead of queueing behind them (it would only wait for a connection). The
 * timeout frees the request, not the thread: a JDBC call stuck on a socket returns only when the driver's own
 * timeouts fire or the database answers, and until then it keeps its permit.
 */
@ApplicationScoped
public class LedgerCalls {

    private static final Duration MINIMUM = Duration.ofMillis(1);

    private final Semaphore running;
    private final int permits;
    private final Duration readTimeout;

    LedgerCalls(LedgerDatabase database, LedgerConfig config) {
        this.permits = Math.max(1, database.dataSource().getConfiguration().connectionPoolConfiguration().maxSize());
        this.running = new Semaphore(permits);
        this.readTimeout = config.readTimeout();
    }

    /** JDBC work, the one kind of work that blocks. */
    public interface Jdbc<T> {
        T run() throws SQLException;
    }

    /** Runs a read for the API within {@code parley.ledger.read-timeout}. */
    public <T> Uni<T> read(Jdbc<T> work) {
        return call(work, readTimeout);
    }

    /**
     * Runs the work on a worker thread; fails with {@link LedgerUnavailableException} when it fails, when it has not
     * answered within {@code timeout}, or when every permit is held by a call that is still waiting.
     */
    public <T> Uni<T> call(Jdbc<T> work, Duration timeout) {
        // A spent deadline still gets its (immediate) answer: Mutiny refuses a zero timeout.
        Duration bound = timeout.compareTo(MINIMUM) < 0 ? MINIMUM : timeout;
        return Uni.createFrom().<T>emitter(emitter -> {
            if (!running.tryAcquire()) {
                emitter.fail(new LedgerUnavailableException(
                        "all " + permits + " ledger database calls are still waiting for the database", null));
                return;
            }
            try {
                emitter.complete(work.run());
            } catch (SQLException | RuntimeException | AssertionError e) {
                // AssertionError too: with assertions on, the PostgreSQL driver asserts on a connection cut under it.
                emitter.fail(new LedgerUnavailableException("the ledger database failed: " + e.getMessage(), e));
            } finally {
                running.release();
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .ifNoItem().after(bound).failWith(() -> new LedgerUnavailableException(
                        "the ledger database did not answer within " + bound.toMillis() + " ms", null));
    }
}
