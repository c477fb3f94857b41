package dev.parley.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Mutiny's callbacks run as they are, without thread-context propagation around each call.
 * <p>
 * Quarkus installs SmallRye Context Propagation as Mutiny's only callback decorator: every lambda given to an
 * operator is wrapped so that each call saves, switches and restores the thread contexts of every provider (the CDI
 * request context, JTA's transaction). A relayed token passes about ten operators, so this was a fifth to a third of
 * the relay's CPU in the profile (bench/README.md), to move contexts parley never reads on another thread: a turn's
 * state travels explicitly (the routing context, {@code TurnRun}, its Vert.x context), tools get their input as
 * arguments, the ledger runs its own JDBC transactions on its own thread, and tracing keeps its context on the Vert.x
 * context. This is the one place that decides it; {@code PlainCallbacksTest} checks it holds.
 */
@ApplicationScoped
class PlainCallbacks {

    void clearDecorators(@Observes StartupEvent event) {
        Infrastructure.clearInterceptors();
    }
}
