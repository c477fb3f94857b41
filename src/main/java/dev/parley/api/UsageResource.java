package dev.parley.api;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatRejectedException;
import dev.parley.usage.ledger.LedgerCalls;
import dev.parley.usage.ledger.UsageGroup;
import dev.parley.usage.ledger.UsageLedger;
import dev.parley.usage.ledger.UsageQuery;

/**
 * {@code GET /v1/usage}: tokens and cost from the ledger over a time range, grouped by model, caller, assistant or
 * day. A caller sees only its own turns; an admin sees everyone's, or one caller's with {@code caller}.
 */
@Path("/v1/usage")
@Tag(name = "usage")
public class UsageResource {

    private static final Duration DEFAULT_RANGE = Duration.ofDays(30);
    /** The instants {@code from} and {@code to} may name: four-digit years, which every SQL database can hold. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final UsageLedger ledger;
    private final LedgerCalls database;
    private final CallerAuthentication callers;

    UsageResource(UsageLedger ledger, LedgerCalls database, CallerAuthentication callers) {
        this.ledger = ledger;
        this.database = database;
        this.callers = callers;
    }

    /** The answer: the range asked about, the groups and their total. */
    @RegisterForReflection
    public record UsageReport(Instant from, Instant to, String groupBy, List<UsageGroup> groups, UsageGroup total) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sum tokens and cost from the usage ledger", description = "Grouped by model, caller, "
            + "assistant or day, with their total. A caller sees only its own usage; an admin sees everyone's. Rows "
            + "still in the ledger's buffer or journal are not counted yet.")
    @APIResponse(responseCode = "200", description = "The groups and their total")
    @APIResponse(responseCode = "400", description = "Problem `invalid_request`: a bad `from`, `to` or `groupBy`.", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "403", ref = ApiDocumentation.FORBIDDEN)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.LEDGER_UNAVAILABLE)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    public Uni<UsageReport> usage(
            @Parameter(description = "ISO-8601 instant; default 30 days before `to`") @QueryParam("from") String from,
            @Parameter(description = "ISO-8601 instant; default now") @QueryParam("to") String to,
            @Parameter(schema = @Schema(enumeration = {"model", "caller", "assistant",
                    "day"})) @QueryParam("groupBy") @DefaultValue("model") String groupBy,
            @Parameter(description = "admins only: one caller's usage") @QueryParam("caller") String caller,
            RoutingContext context) {
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(DEFAULT_RANGE) : instant("from", from);
        UsageQuery.GroupBy grouping;
        try {
            grouping = UsageQuery.GroupBy.valueOf(groupBy.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("groupBy is one of model, caller, assistant, day");
        }
        String me = CallerAuthentication.callerOf(context);
        Optional<String> scope;
        if (callers.isAdmin(me)) {
            scope = Optional.ofNullable(caller);
        } else if (caller == null || caller.equals(me)) {
            scope = Optional.of(me);
        } else {
            throw new ForbiddenException("only an admin may read another caller's usage");
        }
        // JDBC on a worker thread, bounded in time and in threads: a hung database answers 503, it does not hold us.
        UsageQuery query = new UsageQuery(start, end, grouping, scope);
        return database.read(() -> ledger.summarize(query)).map(groups -> new UsageReport(start, end,
                grouping.name().toLowerCase(Locale.ROOT), groups, total(groups)));
    }

    private static UsageGroup total(List<UsageGroup> groups) {
        return groups.stream().reduce(UsageGroup.empty("total"), (a, b) -> a.plus("total", b));
    }

    private static Instant instant(String name, String value) {
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 instant, e.g. 2026-11-01T00:00:00Z");
        }
        // Instant reaches a billion years either way; the ledger's timestamps (and SQL's) do not.
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw invalid(name + " must be between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    private static ChatRejectedException invalid(String message) {
        return new ChatRejectedException(ChatRejectedException.Reason.INVALID_REQUEST, message);
    }
}
