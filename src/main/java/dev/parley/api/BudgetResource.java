package dev.parley.api;

import java.util.List;

import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.parley.usage.budget.BudgetStatus;
import dev.parley.usage.budget.Budgets;

/**
 * {@code GET /v1/budget}: where the caller stands against its budget in each window (limit, spent, reserved by
 * running turns, remaining, reset time); no windows without a budget. An admin may ask about another caller.
 */
@Path("/v1/budget")
@Tag(name = "usage")
public class BudgetResource {

    private final Budgets budgets;
    private final CallerAuthentication callers;

    BudgetResource(Budgets budgets, CallerAuthentication callers) {
        this.budgets = budgets;
        this.callers = callers;
    }

    /** The answer: whose budget, and its windows. */
    @RegisterForReflection
    public record BudgetReport(String caller, List<BudgetStatus> windows) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Where the caller stands against its budget", description = "Per window (`day`, `month`, "
            + "UTC): the limit, what the ledger holds, what running turns have reserved, what remains and when the "
            + "window resets. No windows for a caller without a budget.")
    @APIResponse(responseCode = "200", description = "The caller's budget windows")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "403", ref = ApiDocumentation.FORBIDDEN)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    public Uni<BudgetReport> budget(
            @Parameter(description = "admins only: another caller's budget") @QueryParam("caller") String caller,
            RoutingContext context) {
        String me = CallerAuthentication.callerOf(context);
        if (caller != null && !caller.equals(me) && !callers.isAdmin(me)) {
            throw new ForbiddenException("only an admin may read another caller's budget");
        }
        String whose = caller == null ? me : caller;
        return budgets.status(whose).map(windows -> new BudgetReport(whose, windows));
    }
}
