package dev.parley.chat;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.MessagesClient;
import dev.parley.resilience.RetryMeter;
import dev.parley.resilience.RetryPolicy;
import dev.parley.resilience.ShutdownCoordinator;
import dev.parley.tool.ToolApprovalRules;
import dev.parley.tool.ToolRegistry;
import dev.parley.usage.Pricing;
import dev.parley.usage.UsageMeter;

/**
 * Runs admitted chat turns (see {@link TurnAdmission}). Each runs on the Vert.x context it is started on, owned from
 * start to end by one {@link TurnDriver}: its rounds, its retries (a round that failed before anything of it reached
 * the client, within the attempts and the deadline), its tools, and its one end, which is always exactly one
 * {@code TurnDone} or {@code TurnFailed} unless the client went away. The deadline counts from the turn's admission, so
 * the wait for an upstream permit uses it too.
 */
@ApplicationScoped
public class ChatEngine {

    /** What a running turn works with besides its own state. */
    record Parts(MessagesClient client, ToolRegistry tools, ToolApprovalRules approvalRules, ToolApprovals approvals,
            TurnBudgets budgets, TurnCallerLimits callerLimits, RetryPolicy retries,
            RetryMeter retryMeter, UsageMeter meter, Pricing pricing, ShutdownCoordinator shutdown, Vertx vertx) {
    }

    private final Parts parts;
    private final ConversationStore conversations;
    private final ChatLimitsConfig limits;
    private final ChatTracing tracing;

    ChatEngine(MessagesClient client, ConversationStore conversations, ChatLimitsConfig limits, Pricing pricing,
            UsageMeter meter, RetryPolicy retries, RetryMeter retryMeter, ShutdownCoordinator shutdown,
            ToolRegistry tools, ToolApprovalRules approvalRules, ToolApprovals approvals, TurnBudgets budgets,
            TurnCallerLimits callerLimits, ChatTracing tracing, Vertx vertx) {
        this.parts = new Parts(client, tools, approvalRules, approvals, budgets, callerLimits, retries, retryMeter,
                meter, pricing, shutdown,
                vertx);
        this.conversations = conversations;
        this.limits = limits;
        this.tracing = tracing;
    }

    /**
     * Starts an admitted turn on {@code context} (the request's: the turn's every step runs there, and the listener is
     * called there), telling {@code listener} its events. Call it from the request, whose span becomes the parent of
     * the turn's.
     */
    public TurnControl start(PreparedTurn turn, Context context, TurnListener listener) {
        if (Log.isDebugEnabled()) {
            RequestLogs.withRequestId(turn.requestId(),
                    () -> Log.debugf("turn admitted on context %s", TurnRun.currentContextName()));
        }
        TurnRun run = new TurnRun(turn, conversations, parts.pricing(), parts.meter(), limits, tracing.start(turn),
                parts.callerLimits());
        TurnDriver driver = new TurnDriver(parts, turn, run, listener, context);
        driver.start();
        return driver;
    }
}
