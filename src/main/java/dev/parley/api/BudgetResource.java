package dev.parley.api;

import java.util.List;

import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

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
    public Uni<BudgetReport> budget(@QueryParam("caller") String caller, RoutingContext context) {
        String me = CallerAuthentication.callerOf(context);
        if (caller != null && !caller.equals(me) && !callers.isAdmin(me)) {
            throw new ForbiddenException("only an admin may read another caller's budget");
        }
        String whose = caller == null ? me : caller;
        return budgets.status(whose).map(windows -> new BudgetReport(whose, windows));
    }
}
