package dev.parley.anthropic;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.Uni;

/** A streamed call read to its end, for tests of the client: every event it delivered, or its failure. */
final class StreamedReply {

    private StreamedReply() {
    }

    static Uni<List<StreamEvent>> of(MessagesClient client, MessageRequest request) {
        return client.open(request, java.time.Duration.ofMinutes(1), () -> {
        }).flatMap(call -> Uni.createFrom().<List<StreamEvent>>emitter(result -> {
            List<StreamEvent> events = new ArrayList<>();
            // Called on the call's context, where the item came.
            call.deliverTo(new StreamCall.Receiver<StreamEvent>() {
                @Override
                public void onEvent(StreamEvent event) {
                    events.add(event);
                }

                @Override
                public void onEnd() {
                    result.complete(events);
                }

                @Override
                public void onFailure(Throwable failure) {
                    result.fail(failure);
                }
            });
        }));
    }
}
