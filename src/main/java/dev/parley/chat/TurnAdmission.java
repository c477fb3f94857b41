package dev.parley.chat;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.CacheControl;
import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.MessageRequest;
import dev.parley.anthropic.MessagesClient;
import dev.parley.anthropic.ToolDefinition;
import dev.parley.anthropic.UpstreamRejectedException;
import dev.parley.chat.ChatCommand.HistoryEntry;
import dev.parley.chat.ChatRejectedException.Reason;
import dev.parley.resilience.ShutdownCoordinator;
import dev.parley.usage.UsageMeter;

/**
 * Admits chat turns: decides everything that can be decided before the upstream is called (so the API can still
 * answer with an HTTP status), builds the upstream request and, for a caller with a budget, reserves the turn's worst
 * case. {@link ChatEngine} then runs the admitted turn.
 */
@ApplicationScoped
public class TurnAdmission {

    private static final char[] ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MessagesClient client;
    private final AssistantProfiles profiles;
    private final ConversationStore conversations;
    private final ChatLimitsConfig limits;
    private final UsageMeter meter;
    private final ShutdownCoordinator shutdown;
    private final TurnBudgets budgets;
    private final TurnCallerLimits callerLimits;

    TurnAdmission(MessagesClient client, AssistantProfiles profiles, ConversationStore conversations,
            ChatLimitsConfig limits, UsageMeter meter, ShutdownCoordinator shutdown,
            TurnBudgets budgets, TurnCallerLimits callerLimits) {
        this.client = client;
        this.profiles = profiles;
        this.conversations = conversations;
        this.limits = limits;
        this.meter = meter;
        this.shutdown = shutdown;
        this.budgets = budgets;
        this.callerLimits = callerLimits;
    }

    /**
     * Checks a command, builds the upstream request and, for a caller with a budget, reserves the turn's worst case,
     * and for a caller with rate limits counts it and holds its first round's tokens; fails with
     * {@link ChatRejectedException}, with {@link UpstreamRejectedException} while the circuit breaker is open, or with
     * {@link ConversationStoreUnavailableException} when a conversation cannot be read.
     */
    public Uni<PreparedTurn> prepare(ChatCommand command) {
        return check(command).flatMap(budgets::reserveFirstRound)
                // After the budget, so the limit's token bound can use the budget's count of the input.
                .flatMap(turn -> callerLimits.admit(turn).onFailure().invoke(() -> budgets.release(turn)))
                .onFailure().invoke(this::rejected);
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
            client.checkBreaker();
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
            List<InputMessage> history = command.history().stream().map(TurnAdmission::toMessage).toList();
            Optional<String> newId = command.startConversation()
                    ? Optional.of(newConversationId())
                    : Optional.empty();
            return Uni.createFrom().item(() -> build(command, profileNamed(command.assistant()), history, newId,
                    Optional.empty()));
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
                    Optional.of(id), Optional.of(conversation));
        });
    }

    private PreparedTurn build(ChatCommand command, AssistantProfile profile, List<InputMessage> history,
            Optional<String> conversationId, Optional<Conversation> stored) {
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
        ContentBlock.Text system = new ContentBlock.Text(profile.systemPrompt(),
                CacheBreakpoints.control(profile.cacheSystemPrompt()));
        // The tools as they are now: an MCP server's list may have changed since the last turn, and with it the
        // fingerprint, which then drops the earlier thinking as for a reconfigured profile.
        List<ToolDefinition> definitions = CacheBreakpoints.onLastTool(profiles.offeredTools(profile).stream()
                .map(spec -> new ToolDefinition(spec.name(), spec.description(), spec.inputSchema(), null))
                .toList(), profile.cacheTools());
        String prefix = ThinkingBinding.fingerprint(profile.model(), List.of(system), definitions);
        ThinkingBinding thinking = stored.map(conversation -> ThinkingBinding.forTurn(conversation, prefix))
                .orElse(new ThinkingBinding(prefix, 0));
        InputMessage user = InputMessage.user(command.message());
        List<InputMessage> messages = new ArrayList<>(thinking.replayable(history));
        messages.add(user);
        MessageRequest request = new MessageRequest(profile.model(), maxTokens, messages, List.of(system),
                definitions.isEmpty() ? null : definitions, null, profile.thinking().orElse(null), null,
                profile.temperature().orElse(null), null,
                profile.effort().map(MessageRequest.OutputConfig::new).orElse(null),
                profile.cacheConversation() == AssistantProfile.ConversationCache.AUTOMATIC
                        ? CacheControl.fiveMinutes()
                        : null,
                Fallbacks.json(profile.fallbacks()));
        long admittedNanos = System.nanoTime();
        Duration deadline = command.deadline().filter(wanted -> wanted.compareTo(limits.maxDeadline()) < 0)
                .orElse(limits.maxDeadline());
        return new PreparedTurn(UUID.randomUUID().toString(), command.requestId(), command.caller(), profile, request,
                user, conversationId, history.size(), deadline, admittedNanos, Optional.empty(), thinking,
                OptionalLong.empty(),
                Optional.empty());
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
