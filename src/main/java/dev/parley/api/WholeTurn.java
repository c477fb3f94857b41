package dev.parley.api;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;

import dev.parley.chat.ChatEngine;
import dev.parley.chat.ChatEvent;
import dev.parley.chat.PreparedTurn;
import dev.parley.chat.TurnControl;
import dev.parley.chat.TurnListener;

/** A turn collected whole, for {@code POST /v1/chat}: its events once the last has come. */
final class WholeTurn implements TurnListener {

    private final List<ChatEvent> events = new ArrayList<>();
    private final UniEmitter<? super List<ChatEvent>> result;
    private boolean over;
    private boolean gone;
    private TurnControl control;

    private WholeTurn(UniEmitter<? super List<ChatEvent>> result) {
        this.result = result;
    }

    /**
     * Runs the turn on {@code context} and completes with all its events, the last being its {@code done} or
     * {@code error}; fails with a refusal that came before any upstream call. Cancelling it cancels the turn.
     */
    static Uni<List<ChatEvent>> run(ChatEngine engine, PreparedTurn turn, Context context) {
        return Uni.createFrom().<List<ChatEvent>>emitter(result -> {
            WholeTurn whole = new WholeTurn(result);
            TurnControl control = engine.start(turn, context, whole);
            result.onTermination(() -> {
                if (!whole.over) {
                    control.cancel(); // the client went away
                }
            });
        });
    }

    @Override
    public void onEvent(ChatEvent event) {
        if (over) {
            return;
        }
        events.add(event);
        if (event instanceof ChatEvent.TurnDone || event instanceof ChatEvent.TurnFailed) {
            over = true;
            result.complete(List.copyOf(events));
        }
    }

    @Override
    public boolean onRefused(RuntimeException refusal) {
        over = true;
        result.fail(refusal);
        return true;
    }
}
