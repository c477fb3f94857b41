package dev.parley.chat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.CacheControl;
import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.MessageRequest;
import dev.parley.anthropic.MessagesClient;
import dev.parley.anthropic.ToolDefinition;
import dev.parley.chat.ChatCommand.HistoryEntry;
import dev.parley.chat.ChatRejectedException.Reason;
import dev.parley.resilience.Deadlines;
import dev.parley.resilience.RetryDecision;
import dev.parley.resilience.RetryMeter;
import dev.parley.resilience.RetryPolicy;
import dev.parley.resilience.ShutdownCoordinator;
import dev.parley.resilience.UpstreamProtection;
import dev.parley.resilience.UpstreamRejectedException;
import dev.parley.tool.ToolRegistry;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.UsageMeter;

/**
 * Runs chat turns. {@link #prepare} decides everything that can be decided before the upstream is called (so the API
 * can still answer with an HTTP status); {@link #run} then streams the turn as one {@code Multi<ChatEvent>} that
 * always ends with exactly one {@code TurnDone} or {@code TurnFailed}.
 */
@ApplicationScoped
public class ChatEngine {

    private static final char[] ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MessagesClient client;
    private final AssistantProfiles profiles;
    private final ConversationStore conversations;
    private final ChatLimitsConfig limits;
    private final Pricing pricing;
    private final UsageMeter meter;
    private final RetryPolicy retries;
    private final RetryMeter retryMeter;
    private final UpstreamProtection protection;
    private final ShutdownCoordinator shutdown;
    private final ToolRegistry tools;
    private final TurnBudgets budgets;
    private final ChatTracing tracing;

    ChatEngine(MessagesClient client, AssistantProfiles profiles, ConversationStore conversations,
            ChatLimitsConfig limits, Pricing pricing, UsageMeter meter, RetryPolicy retries, RetryMeter retryMeter,
            UpstreamProtection protection, ShutdownCoordinator shutdown, ToolRegistry tools, TurnBudgets budgets,
            ChatTracing tracing) {
        this.client = client;
        this.profiles = profiles;
        this.conversations = conversations;
        this.limits = limits;
        this.pricing = pricing;
        this.meter = meter;
        this.retries = retries;
        this.retryMeter = retryMeter;
        this.protection = protection;
        this.shutdown = shutdown;
        this.tools = tools;
        this.budgets = budgets;
        this.tracing = tracing;
    }

    /**
     * Checks a command, builds the upstream request and, for a caller with a budget, reserves the turn's worst case;
     * fails with {@link ChatRejectedException}, with {@link UpstreamRejectedException} while the circuit breaker
     * is open, or with {@link ConversationStoreUnavailableException} when a conversation cannot be read.
     */
    public Uni<PreparedTurn> prepare(ChatCommand command) {
        return check(command).flatMap(budgets::reserveFirstRound).onFailure().invoke(this::rejected);
    }

    private void rejected(Throwable failure) {
        switch (failure) {
            case ChatRejectedException rejected -> meter.rejected(rejected.reason().code());
            case UpstreamRejectedException rejected -> meter.rejected(rejected.code());
            case ConversationStoreUnavailableException unavailable ->
                meter.rejected(ConversationStoreUnavailableException.CODE);
            default -> meter.rejected("internal_error");
        }
    }

    private Uni<PreparedTurn> check(ChatCommand command) {
        if (shutdown.draining()) {
            return reject(Reason.SERVER_SHUTTING_DOWN, "This server is shutting down; send the request again.");
        }
        try {
            protection.checkBreaker();
        } catch (UpstreamRejectedException e) {
            return Uni.createFrom().failure(e);
        }
        if (command.message().length() > limits.maxMessageChars()) {
            return reject(Reason.MESSAGE_TOO_LONG,
                    "message is longer than " + limits.maxMessageChars() + " characters");
        }
        if (command.conversationId().isPresent() && !command.history().isEmpty()) {
            return reject(Reason.INVALID_REQUEST, "send either history or a conversationId, not both");
        }
        if (command.conversationId().isPresent() && command.startConversation()) {
            return reject(Reason.INVALID_REQUEST, "startConversation cannot be combined with a conversationId");
        }
        if (command.conversationId().isEmpty()) {
            List<InputMessage> history = command.history().stream().map(ChatEngine::toMessage).toList();
            Optional<String> newId = command.startConversation()
                    ? Optional.of(newConversationId())
                    : Optional.empty();
            return Uni.createFrom().item(() -> build(command, profileNamed(command.assistant()), history, newId));
        }
        String id = command.conversationId().get();
        if (!ConversationIds.plausible(id)) {
            return reject(Reason.CONVERSATION_NOT_FOUND, "no conversation " + ConversationIds.shown(id));
        }
        return conversations.find(id).map(found -> {
            // Another caller's conversation is as good as none: its existence is not revealed.
            Conversation conversation = found.filter(c -> c.caller().equals(command.caller())).orElseThrow(
                    () -> new ChatRejectedException(Reason.CONVERSATION_NOT_FOUND, "no conversation " + id));
            if (command.assistant().isPresent() && !command.assistant().get().equals(conversation.assistant())) {
                throw new ChatRejectedException(Reason.INVALID_REQUEST,
                        "conversation " + id + " belongs to assistant '" + conversation.assistant() + "'");
            }
            return build(command, profileNamed(Optional.of(conversation.assistant())), conversation.messages(),
                    Optional.of(id));
        });
    }

    /**
     * Streams a prepared turn. A round that fails before anything of it reached the client is retried (with a
     * {@code Retrying} event), within the attempts and the deadline; after that, a failure ends the turn. Cancelling
     * the stream cancels the upstream request; so does the end of a shutdown's grace period, which ends the turn with
     * a {@code server_shutting_down} failure. A turn waits for a free upstream stream under the concurrency limit;
     * when even the queue is full, the stream fails before its first event with {@link UpstreamRejectedException}.
     * The deadline counts from the turn's admission: a turn whose deadline passes while it waits ends with a
     * {@code deadline_exceeded} failure as its only event, and gives its budget hold back at once, as does a turn
     * cancelled while it waits.
     */
    public Multi<ChatEvent> run(PreparedTurn turn) {
        return Multi.createFrom().deferred(() -> {
            // The request's context, captured when the turn is subscribed: the turn runs there, even when the permit
            // it waited for was released on another context.
            Context requestContext = Vertx.currentContext();
            Executor onRequestContext = work -> TurnRun.onContext(requestContext, work);
            if (Log.isDebugEnabled()) {
                RequestLogs.withRequestId(turn.requestId(),
                        () -> Log.debugf("turn admitted on context %s", TurnRun.currentContextName()));
            }
            Multi<ChatEvent> started = Multi.createFrom().deferred(() -> {
                TurnRun run = new TurnRun(turn, conversations, pricing, meter, limits, requestContext,
                        tracing.start(turn));
                if (Log.isDebugEnabled()) {
                    RequestLogs.withRequestId(turn.requestId(),
                            () -> Log.debugf("turn started on context %s", TurnRun.currentContextName()));
                }
                return shutdown.endOnDrain(Deadlines.enforce(attempt(run, 0), run.remaining(),
                        DeadlineExceededException::new, run::onContext)
                        .onFailure(DeadlineExceededException.class)
                        .recoverWithMulti(failure -> run.fail(failure).toMulti())
                        .onCancellation().invoke(run::cancelled), run::serverShutdown);
            }).runSubscriptionOn(onRequestContext);
            // A turn that leaves the queue without a permit never reaches the upstream: no ledger row will settle its
            // budget hold, so it is released here, at once.
            return protection.admitted(started, turn.remaining(), DeadlineExceededException::new, onRequestContext,
                    () -> budgets.release(turn));
        }).onFailure(UpstreamRejectedException.class).invoke(this::rejected)
                .onFailure(DeadlineExceededException.class).recoverWithItem(() -> expiredInQueue(turn));
    }

    /**
     * A turn whose deadline passed while it waited for a permit: refused (counted so, no ledger row, nothing used),
     * but as the turn's last event, since heartbeats may have committed the stream while it waited.
     */
    private ChatEvent expiredInQueue(PreparedTurn turn) {
        meter.rejected(ChatFailure.Code.DEADLINE_EXCEEDED.wireName());
        return new ChatEvent.TurnFailed(ChatFailure.from(new DeadlineExceededException()), TokenUsage.ZERO,
                pricing.cost(turn.request().model(), TokenUsage.ZERO),
                new ChatEvent.Timings(Optional.empty(), Duration.ofNanos(System.nanoTime() - turn.admittedNanos())));
    }

    private Multi<ChatEvent> attempt(TurnRun run, int retriesDone) {
        return Multi.createFrom().deferred(() -> {
            run.startAttempt();
            return run.span().within(() -> protection.opening(client.stream(run.request())))
                    // map and filter, not transformToIterable: that subscribes to a new stream per token
                    .map(run::onEvent).filter(Optional::isPresent).map(Optional::get)
                    .onCompletion().switchTo(() -> afterRound(run))
                    .onFailure().recoverWithMulti(failure -> retryOrFail(run, retriesDone, failure));
        });
    }

    /**
     * After a round: the model's tools run in parallel (each result streamed as it returns), then the next round
     * starts with their results; or the turn is finished. A round cut short fails, and may be retried.
     */
    private Multi<ChatEvent> afterRound(TurnRun run) {
        TurnRun.RoundEnd end;
        try {
            end = run.endRound();
        } catch (AnthropicException cutOff) {
            return Multi.createFrom().failure(cutOff);
        }
        return switch (end) {
            case TurnRun.RoundEnd.RunTools tools -> Multi.createBy().concatenating().streams(
                    // Tools finish on their own threads; the turn's state lives on its Vert.x context.
                    run.span().within(() -> this.tools.invokeAll(tools.calls())).emitOn(run::onContext)
                            .map(run::onToolResult),
                    Multi.createFrom().deferred(() -> {
                        run.startNextRound();
                        return budgets.beforeNextRound(run).onItem().transformToMulti(ignored -> attempt(run, 0))
                                .onFailure(BudgetExhaustedException.class)
                                .recoverWithMulti(exhausted -> run.fail(exhausted).toMulti());
                    }));
            case TurnRun.RoundEnd.Finished finished -> run.finish(finished.stopReason()).toMulti();
        };
    }

    private Multi<ChatEvent> retryOrFail(TurnRun run, int retriesDone, Throwable failure) {
        if (run.sentToClient()) {
            // The client has seen part of this round: a retry would repeat or contradict it.
            return run.fail(failure).toMulti();
        }
        return switch (retries.decide(failure, retriesDone, run.remaining())) {
            case RetryDecision.Retry retry -> {
                String reason = ChatFailure.from(failure).code().wireName();
                retryMeter.retried(reason);
                RequestLogs.withRequestId(run.requestId(), () -> Log.infof("retrying after %s in %d ms (attempt %d)",
                        reason, retry.delay().toMillis(), retriesDone + 2));
                yield Multi.createBy().concatenating().streams(
                        Multi.createFrom().item(new ChatEvent.Retrying(retriesDone + 2, reason, retry.delay())),
                        Uni.createFrom().voidItem().onItem().delayIt().by(retry.delay())
                                // The delay's timer fires where it was set (in Quarkus a Vert.x timer on the failed
                                // call's context; on Mutiny's own pool a worker thread): the next attempt starts on
                                // the turn's context, like the first.
                                .emitOn(run::onContext)
                                .onItem().transformToMulti(ignored -> attempt(run, retriesDone + 1)));
            }
            case RetryDecision.GiveUp giveUp -> run.fail(failure, giveUp.retryAfter()).toMulti();
        };
    }

    private PreparedTurn build(ChatCommand command, AssistantProfile profile, List<InputMessage> history,
            Optional<String> conversationId) {
        if (history.size() > limits.maxHistoryMessages()) {
            throw new ChatRejectedException(Reason.HISTORY_TOO_LONG,
                    "history has more than " + limits.maxHistoryMessages() + " messages");
        }
        if (Messages.textLength(history) > limits.maxHistoryChars()) {
            throw new ChatRejectedException(Reason.HISTORY_TOO_LONG,
                    "history is longer than " + limits.maxHistoryChars() + " characters");
        }
        int maxTokens = command.maxTokens().orElse(profile.maxTokens());
        if (maxTokens < 1 || maxTokens > profile.maxTokens()) {
            throw new ChatRejectedException(Reason.MAX_TOKENS_OUT_OF_RANGE,
                    "maxTokens must be between 1 and " + profile.maxTokens() + " for assistant '" + profile.name()
                            + "'");
        }
        InputMessage user = InputMessage.user(command.message());
        List<InputMessage> messages = new ArrayList<>(history);
        messages.add(user);
        CacheControl cache = switch (profile.cacheSystemPrompt()) {
            case NONE -> null;
            case FIVE_MINUTES -> CacheControl.fiveMinutes();
            case ONE_HOUR -> CacheControl.oneHour();
        };
        ContentBlock.Text system = new ContentBlock.Text(profile.systemPrompt(), cache);
        List<ToolDefinition> definitions = profile.tools().stream()
                .map(name -> tools.spec(name).orElseThrow())
                .map(spec -> new ToolDefinition(spec.name(), spec.description(), spec.inputSchema(), null))
                .toList();
        MessageRequest request = new MessageRequest(profile.model(), maxTokens, messages, List.of(system),
                definitions.isEmpty() ? null : definitions, null, null, null, profile.temperature().orElse(null),
                null);
        long admittedNanos = System.nanoTime();
        Duration deadline = command.deadline().filter(wanted -> wanted.compareTo(limits.maxDeadline()) < 0)
                .orElse(limits.maxDeadline());
        return new PreparedTurn(UUID.randomUUID().toString(), command.requestId(), command.caller(), profile, request,
                user, conversationId, history.size(), deadline, admittedNanos, Optional.empty());
    }

    private AssistantProfile profileNamed(Optional<String> name) {
        String wanted = name.orElse(AssistantProfiles.DEFAULT);
        return profiles.find(wanted).orElseThrow(
                () -> new ChatRejectedException(Reason.UNKNOWN_ASSISTANT, "no assistant named '" + wanted + "'"));
    }

    private static InputMessage toMessage(HistoryEntry entry) {
        return entry.role() == ChatCommand.Role.USER
                ? InputMessage.user(entry.text())
                : InputMessage.assistant(List.of(new ContentBlock.Text(entry.text())));
    }

    private static String newConversationId() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) {
            id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
        }
        return "conv_" + new String(id);
    }

    private static <T> Uni<T> reject(Reason reason, String message) {
        return Uni.createFrom().failure(new ChatRejectedException(reason, message));
    }
}
