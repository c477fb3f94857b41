package dev.parley.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.parley.simulator.ModelCatalog.SimModel;
import dev.parley.simulator.PromptAccounting.Result;

/**
 * Serves the simulated Anthropic API under {@code /simulator}: {@code POST /v1/messages} (streaming and not),
 * {@code POST /v1/messages/count_tokens}, {@code GET /v1/models[/{id}]}, and the admin endpoints under
 * {@code /simulator/admin}. Plain Vert.x routes on the event loop, so framing, timing and disconnects are under exact
 * control and a benchmark's upstream costs next to nothing. Registered at start-up only when
 * {@code parley.simulator.enabled} is true.
 */
@ApplicationScoped
public class SimulatorRoutes {

    static final String PREFIX = "/simulator";
    /**
     * The one header the real API never sends, on every response of the simulated API: a client that must not take
     * simulated replies for a model's (parley's chat page, say) can tell from the upstream itself.
     */
    static final String SELF_HEADER = "parley-simulator";
    /**
     * What the official SDKs' 2026 majors send (Java 3.x); its migration guide's breaking changes are in
     * {@link RequestValidator}.
     */
    static final String VERSION_2026_10_21 = "2026-10-21";
    private static final Set<String> API_VERSIONS = Set.of("2023-06-01", "2023-01-01", VERSION_2026_10_21);
    private static final Set<String> KNOWN_BETAS = Set.of("message-batches-2024-09-24", "prompt-caching-2024-07-31",
            "computer-use-2024-10-22", "computer-use-2025-01-24", "pdfs-2024-09-25", "token-counting-2024-11-01",
            "token-efficient-tools-2025-02-19", "output-128k-2025-02-19", "files-api-2025-04-14",
            "mcp-client-2025-04-04", "mcp-client-2025-11-20", "dev-full-thinking-2025-05-14",
            "interleaved-thinking-2025-05-14", "code-execution-2025-05-22", "extended-cache-ttl-2025-04-11",
            "context-1m-2025-08-07", "context-management-2025-06-27", "model-context-window-exceeded-2025-08-26",
            "skills-2025-10-02", "fast-mode-2026-02-01", "output-300k-2026-03-24",
            "fine-grained-tool-streaming-2025-05-14", Betas.SERVER_SIDE_FALLBACK, Betas.THINKING_DISPLAY_UPDATES,
            "thinking-binding-controls-2026-08-01", "compact-2026-09-04");
    private static final int MAX_MODELS_PAGE = 1000;

    private final SimulatorConfig config;
    private final SimulatorCounters counters;
    private final FaultBook faults;
    private final PromptCache cache;
    private final ThinkingSignatures signatures;
    private final RateLimitWindow rateLimits;
    private final ModelCatalog catalog;

    SimulatorRoutes(SimulatorConfig config, SimulatorCounters counters, FaultBook faults, PromptCache cache,
            ThinkingSignatures signatures, RateLimitWindow rateLimits) {
        this.config = config;
        this.counters = counters;
        this.faults = faults;
        this.cache = cache;
        this.signatures = signatures;
        this.rateLimits = rateLimits;
        this.catalog = new ModelCatalog(config.extraModels().orElse(List.of()));
    }

    void register(@Observes Router router) {
        if (!config.enabled().orElseGet(SimulatorRoutes::upstreamOfThisProcess)) {
            return;
        }
        router.post(PREFIX + "/v1/messages").handler(ctx -> withBody(ctx, this::messages));
        router.post(PREFIX + "/v1/messages/count_tokens").handler(ctx -> withBody(ctx, this::countTokens));
        router.get(PREFIX + "/v1/models").handler(this::listModels);
        router.get(PREFIX + "/v1/models/:id").handler(this::getModel);
        router.get(PREFIX + "/admin/counters").handler(this::adminCounters);
        router.get(PREFIX + "/admin/requests").handler(this::adminRequests);
        router.get(PREFIX + "/admin/faults").handler(this::adminListFaults);
        router.post(PREFIX + "/admin/faults").handler(ctx -> withBody(ctx, this::adminQueueFault));
        router.delete(PREFIX + "/admin/faults").handler(this::adminClearFaults);
        router.post(PREFIX + "/admin/reset").handler(this::adminReset);
        router.get(PREFIX + "/admin/rate-limits").handler(this::adminRateLimits);
        router.post(PREFIX + "/admin/rate-limits").handler(ctx -> withBody(ctx, this::adminLimitRates));
        router.route(PREFIX + "/*").handler(ctx -> sendError(ctx, Ids.request(),
                new SimulatedApiError(ErrorType.NOT_FOUND, "Not found")));
        Log.infof("Anthropic API simulator enabled at %s (not a real model)", PREFIX);
    }

    /**
     * Whether the process's own relay is configured to call this simulator. Read by name: the simulator shares no
     * code with parley, only this convention of its configuration.
     */
    private static boolean upstreamOfThisProcess() {
        return ConfigProvider.getConfig().getOptionalValue("parley.anthropic.base-url", String.class)
                .filter("embedded"::equals).isPresent();
    }

    // ---------------------------------------------------------------- Messages API

    private interface BodyHandler {
        void handle(RoutingContext ctx, String requestId, Buffer body);
    }

    /** Reads the body within the size limit; a larger one is answered with the real 413 before it is read. */
    private void withBody(RoutingContext ctx, BodyHandler handler) {
        String requestId = Ids.request();
        HttpServerRequest request = ctx.request();
        String length = request.getHeader("content-length");
        if (length != null && parseLong(length) > config.maxRequestBytes()) {
            ctx.response().putHeader("connection", "close");
            sendError(ctx, requestId, new SimulatedApiError(ErrorType.REQUEST_TOO_LARGE,
                    ErrorType.REQUEST_TOO_LARGE.defaultMessage()));
            return;
        }
        Future<Buffer> body;
        if (ctx.body().available()) {
            body = Future.succeededFuture(ctx.body().buffer());
        } else {
            body = request.body();
            // The router pauses requests until someone wants the body.
            request.resume();
        }
        body.onSuccess(buffer -> {
            Buffer content = buffer == null ? Buffer.buffer() : buffer;
            if (content.length() > config.maxRequestBytes()) {
                sendError(ctx, requestId, new SimulatedApiError(ErrorType.REQUEST_TOO_LARGE,
                        ErrorType.REQUEST_TOO_LARGE.defaultMessage()));
                return;
            }
            try {
                handler.handle(ctx, requestId, content);
            } catch (SimulatedApiError e) {
                sendError(ctx, requestId, e);
            }
        }).onFailure(e -> ctx.response().reset());
    }

    private void messages(RoutingContext ctx, String requestId, Buffer rawBody) {
        String apiKey = checkAuthAndVersion(ctx.request());
        JsonNode body = parseJson(rawBody);
        Directives directives = directives(body);
        SimulatorCounters.Scope scope = counters.scope(directives);
        long attempt = scope.request();
        scope.record(recordOf(ctx.request(), body));
        SimModel model = RequestValidator.validateMessages(body, ctx.request().getHeader("anthropic-version"),
                betas(ctx.request()), catalog, signatures);
        if (directives.overloadedOn(body.path("model").asText()) || directives.overloadedOn(model.id())) {
            throw new SimulatedApiError(ErrorType.OVERLOADED, ErrorType.OVERLOADED.defaultMessage());
        }
        Fault fault = faults.faultFor(directives, attempt).orElse(null);
        if (fault != null && fault.kind() == Fault.Kind.HTTP) {
            throw fault.asHttpError();
        }
        Served served = serve(body, model, directives);
        Result accounting = served.accounting();
        PlannedReply reply = served.reply();
        // Before anything is answered, as the API: a request beyond the key's limits is refused whole.
        // Per model as the request names it (an alias and its dated id are one model class on the API; tests name one).
        String limited = body.path("model").asText();
        Map<String, String> limits = rateLimits.admit(apiKey, limited,
                accounting.usage().inputTokens() + accounting.usage().cacheCreation());
        rateLimits.recordOutput(apiKey, limited, reply.outputTokens());
        Duration headerStall = fault != null && fault.kind() == Fault.Kind.STALL_HEADERS
                ? fault.stall()
                : Duration.ZERO;
        Runnable respond = () -> {
            // Entries become readable once the response begins, as on the real API.
            accounting.writes().forEach(write -> cache.write(write.key(), write.oneHour()));
            // A stream names the model asked for (the fallback block says who took over); a whole message the serving
            // one.
            String model1 = body.path("stream").asBoolean(false) ? body.path("model").asText() : served.model();
            String messageId = Ids.message();
            StreamPlayback.Timing timing = new StreamPlayback.Timing(
                    directives.ttft().orElse(config.firstTokenDelay()),
                    directives.delay().orElse(config.tokenDelay()),
                    directives.pingInterval().orElse(config.pingInterval()));
            HttpServerResponse response = ctx.response();
            commonHeaders(response, requestId);
            limits.forEach(response::putHeader);
            if (body.path("stream").asBoolean(false)) {
                response.setChunked(true);
                response.putHeader("content-type", "text/event-stream; charset=utf-8");
                response.putHeader("cache-control", "no-cache");
                StreamPlayback.play(ctx.vertx(), response, scope, messageId, model1, reply, accounting.usage(),
                        directives, timing, fault, requestId);
            } else {
                respondWhole(ctx, requestId, messageId, model1, reply, accounting, timing, fault);
            }
        };
        if (headerStall.isZero()) {
            respond.run();
        } else {
            ctx.vertx().setTimer(headerStall.toMillis(), id -> {
                if (!ctx.response().closed()) {
                    respond.run();
                }
            });
        }
    }

    /** What answers a request: the reply, its model and its prompt's accounting (summed over fallback hops). */
    private record Served(PlannedReply reply, String model, Result accounting) {
    }

    /**
     * The requested model's reply, or, when it refuses and the request has {@code fallbacks}, the reply of the first
     * fallback that does not refuse (§9): every hop is billed and listed in {@code usage.iterations}, a declined hop
     * contributes no content (it refused before any output), and a {@code fallback} block marks each hand-over.
     */
    private Served serve(JsonNode body, SimModel requested, Directives directives) {
        Result first = account(body, requested, directives);
        PlannedReply reply = plan(body, requested, directives);
        List<Fallbacks.Hop> chain = Fallbacks.chain(body, requested, catalog);
        if (!reply.refused() || chain.isEmpty()) {
            return new Served(reply, body.path("model").asText(), first);
        }
        List<PlannedReply.Block> blocks = new ArrayList<>();
        List<PlannedReply.Iteration> iterations = new ArrayList<>();
        List<PromptAccounting.PendingWrite> writes = new ArrayList<>(first.writes());
        PromptAccounting.InputUsage input = first.usage();
        long output = reply.outputTokens();
        long thinking = reply.thinkingTokens();
        SimModel from = requested;
        PlannedReply last = reply;
        Result lastAccounting = first;
        for (Fallbacks.Hop hop : chain) {
            iterations.add(new PlannedReply.Iteration("message", from.id(), lastAccounting.usage(),
                    last.outputTokens()));
            blocks.add(new PlannedReply.FallbackBlock(from.id(), hop.model().id(), last.refusal().category()));
            JsonNode request = hop.apply(body);
            lastAccounting = account(request, hop.model(), directives);
            last = plan(request, hop.model(), directives);
            writes.addAll(lastAccounting.writes());
            input = plus(input, lastAccounting.usage());
            output += last.outputTokens();
            thinking += last.thinkingTokens();
            from = hop.model();
            if (!last.refused()) {
                break;
            }
        }
        iterations.add(new PlannedReply.Iteration("fallback_message", from.id(), lastAccounting.usage(),
                last.outputTokens()));
        blocks.addAll(last.blocks());
        PlannedReply combined = new PlannedReply(List.copyOf(blocks), last.stopReason(), last.stopSequence(), output,
                thinking, last.refusal(), List.copyOf(iterations));
        return new Served(combined, from.id(), new Result(input, List.copyOf(writes)));
    }

    private Result account(JsonNode request, SimModel model, Directives directives) {
        Result accounting = PromptAccounting.account(request, model.id(),
                directives.cacheMinimum().orElse(model.cacheMinimumTokens()), directives.cacheMode(), cache);
        if (accounting.usage().totalPrompt() > model.maxInputTokens()) {
            throw SimulatedApiError.invalidRequest("prompt is too long: " + accounting.usage().totalPrompt()
                    + " tokens > " + model.maxInputTokens() + " maximum");
        }
        return accounting;
    }

    private PlannedReply plan(JsonNode request, SimModel model, Directives directives) {
        try {
            return ReplyPlanner.plan(request, model, directives, signatures, request.path("max_tokens").asLong());
        } catch (IllegalArgumentException e) {
            throw SimulatedApiError.invalidRequest("simulator directive: " + e.getMessage());
        }
    }

    private static PromptAccounting.InputUsage plus(PromptAccounting.InputUsage a, PromptAccounting.InputUsage b) {
        return new PromptAccounting.InputUsage(a.inputTokens() + b.inputTokens(), a.cacheWrite5m() + b.cacheWrite5m(),
                a.cacheWrite1h() + b.cacheWrite1h(), a.cacheRead() + b.cacheRead());
    }

    private static Set<String> betas(HttpServerRequest request) {
        String header = request.getHeader("anthropic-beta");
        return header == null
                ? Set.of()
                : java.util.Arrays.stream(header.split(",")).map(String::trim).filter(beta -> !beta.isEmpty())
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** A non-streaming reply arrives when the whole message would have been generated. */
    private void respondWhole(RoutingContext ctx, String requestId, String messageId, String model,
            PlannedReply reply, Result accounting, StreamPlayback.Timing timing, Fault fault) {
        int deltas = reply.deltaCount();
        long generation = timing.firstToken().toMillis() + timing.betweenDeltas().toMillis() * Math.max(0, deltas - 1);
        if (fault != null && fault.kind() == Fault.Kind.STALL) {
            generation += fault.stall().toMillis();
        }
        Runnable finish = () -> {
            if (ctx.response().closed()) {
                return;
            }
            if (fault != null && fault.kind() == Fault.Kind.DROP) {
                ctx.response().reset();
                return;
            }
            if (fault != null && fault.kind() == Fault.Kind.ERROR_EVENT) {
                sendError(ctx, requestId, new SimulatedApiError(fault.errorType().status(),
                        fault.errorType().wireName(), fault.message(), fault.headers()));
                return;
            }
            ctx.response().putHeader("content-type", "application/json")
                    .end(WireFormat.message(messageId, model, reply, accounting.usage()).toString());
        };
        if (generation <= 0) {
            finish.run();
        } else {
            ctx.vertx().setTimer(generation, id -> finish.run());
        }
    }

    /**
     * The prompt's tokens, exactly as a message with it would bill them, less {@code [[sim:count-under=N]]} (the real
     * count is documented as an estimate that may differ a little). Takes a queued admin fault, as any request does;
     * directive faults stay a schedule over message attempts.
     */
    private void countTokens(RoutingContext ctx, String requestId, Buffer rawBody) {
        checkAuthAndVersion(ctx.request());
        JsonNode body = parseJson(rawBody);
        Directives directives = directives(body);
        counters.scope(directives).tokenCount();
        RequestValidator.validateCountTokens(body, catalog);
        Optional<Fault> fault = faults.queuedFault();
        if (fault.isPresent() && fault.get().kind() == Fault.Kind.HTTP) {
            throw fault.get().asHttpError();
        }
        long counted = Math.max(1, PromptAccounting.countTokens(body) - directives.countUnder());
        ObjectNode result = SimJson.MAPPER.createObjectNode().put("input_tokens", counted);
        HttpServerResponse response = ctx.response();
        commonHeaders(response, requestId);
        response.putHeader("content-type", "application/json").end(result.toString());
    }

    private void listModels(RoutingContext ctx) {
        String requestId = Ids.request();
        try {
            checkAuthAndVersion(ctx.request());
            int limit = Optional.ofNullable(ctx.request().getParam("limit")).map(Integer::parseInt).orElse(20);
            if (limit < 1 || limit > MAX_MODELS_PAGE) {
                throw SimulatedApiError.invalidRequest("limit: Input should be between 1 and " + MAX_MODELS_PAGE);
            }
            // Retired models are listed only when asked for (lifecycle=retired, or lifecycle[]=… for several).
            List<String> lifecycles = new ArrayList<>(ctx.queryParam("lifecycle"));
            lifecycles.addAll(ctx.queryParam("lifecycle[]"));
            Set<String> wanted = lifecycles.isEmpty() ? Set.of("active", "deprecated") : Set.copyOf(lifecycles);
            var models = catalog.all().stream().filter(model -> wanted.contains(model.lifecycle())).toList();
            int from = 0;
            int to = models.size();
            String afterId = ctx.request().getParam("after_id");
            String beforeId = ctx.request().getParam("before_id");
            if (afterId != null) {
                from = indexOf(models, afterId) + 1;
            }
            if (beforeId != null) {
                to = indexOf(models, beforeId);
                from = Math.max(from, to - limit);
            }
            int end = Math.min(to, from + limit);
            ObjectNode page = SimJson.MAPPER.createObjectNode();
            ArrayNode data = page.putArray("data");
            models.subList(from, end).forEach(model -> data.add(modelJson(model)));
            page.put("has_more", beforeId != null ? from > 0 : end < to);
            page.put("first_id", from < end ? models.get(from).id() : null);
            page.put("last_id", from < end ? models.get(end - 1).id() : null);
            HttpServerResponse response = ctx.response();
            commonHeaders(response, requestId);
            response.putHeader("content-type", "application/json").end(page.toString());
        } catch (SimulatedApiError e) {
            sendError(ctx, requestId, e);
        } catch (NumberFormatException e) {
            sendError(ctx, requestId, SimulatedApiError.invalidRequest("limit: Input should be a valid integer"));
        }
    }

    private void getModel(RoutingContext ctx) {
        String requestId = Ids.request();
        try {
            checkAuthAndVersion(ctx.request());
            String id = ctx.pathParam("id");
            SimModel model = catalog.find(id)
                    .orElseThrow(() -> new SimulatedApiError(ErrorType.NOT_FOUND, "model: " + id));
            HttpServerResponse response = ctx.response();
            commonHeaders(response, requestId);
            response.putHeader("content-type", "application/json").end(modelJson(model).toString());
        } catch (SimulatedApiError e) {
            sendError(ctx, requestId, e);
        }
    }

    private static int indexOf(List<SimModel> models, String id) {
        for (int i = 0; i < models.size(); i++) {
            if (models.get(i).answersTo(id)) {
                return i;
            }
        }
        throw SimulatedApiError.invalidRequest("Unknown model id for pagination: " + id);
    }

    private static ObjectNode modelJson(SimModel model) {
        ObjectNode node = SimJson.MAPPER.createObjectNode();
        node.put("type", "model");
        node.put("id", model.id());
        node.put("display_name", model.displayName());
        node.put("created_at", model.created().toString());
        node.put("lifecycle", model.lifecycle());
        node.put("deprecated_at", model.deprecatedAt() == null ? null : model.deprecatedAt().toString());
        node.put("retires_at", model.retiresAt() == null ? null : model.retiresAt().toString());
        node.put("line", model.line());
        node.put("max_input_tokens", model.maxInputTokens());
        node.put("max_tokens", model.maxOutputTokens());
        ObjectNode capabilities = node.putObject("capabilities");
        for (String capability : new String[]{"batch", "citations", "code_execution", "context_management",
                "image_input", "pdf_input", "structured_outputs"}) {
            supported(capabilities, capability, true);
        }
        ModelBehaviour behaviour = model.behaviour();
        ObjectNode effort = supported(capabilities, "effort", behaviour.supportsEffort());
        for (String level : new String[]{"low", "medium", "high", "xhigh", "max"}) {
            supported(effort, level, behaviour.effortLevels().contains(level));
        }
        ObjectNode serverTools = supported(capabilities, "server_tools", true);
        supported(serverTools, "code_execution", true);
        supported(serverTools, "web_search", true);
        ObjectNode thinkingTypes = supported(capabilities, "thinking", true).putObject("types");
        for (String type : new String[]{"adaptive", "between_tools", "disabled", "enabled"}) {
            supported(thinkingTypes, type, !behaviour.refusedThinking().containsKey(type));
        }
        return node;
    }

    private static ObjectNode supported(ObjectNode parent, String name, boolean supported) {
        return parent.putObject(name).put("supported", supported);
    }

    // ---------------------------------------------------------------- checks shared by the API endpoints

    /** Checks the key and the version; answers the key. */
    private String checkAuthAndVersion(HttpServerRequest request) {
        String key = request.getHeader("x-api-key");
        String authorization = request.getHeader("authorization");
        if (key == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        }
        if (key == null) {
            throw new SimulatedApiError(ErrorType.AUTHENTICATION, "x-api-key header is required");
        }
        if (!key.equals(config.apiKey()) && !config.extraApiKeys().orElse(List.of()).contains(key)) {
            throw new SimulatedApiError(ErrorType.AUTHENTICATION, "invalid x-api-key");
        }
        String version = request.getHeader("anthropic-version");
        if (version == null) {
            throw SimulatedApiError.invalidRequest("anthropic-version: header is required");
        }
        if (!API_VERSIONS.contains(version)) {
            throw SimulatedApiError.invalidRequest("anthropic-version: \"" + version + "\" is not a valid version");
        }
        String betas = request.getHeader("anthropic-beta");
        if (betas != null) {
            var unknown = java.util.Arrays.stream(betas.split(",")).map(String::trim)
                    .filter(beta -> !beta.isEmpty() && !KNOWN_BETAS.contains(beta)).toList();
            if (!unknown.isEmpty()) {
                throw SimulatedApiError.invalidRequest("Unexpected value(s) `" + String.join("`, `", unknown)
                        + "` for the `anthropic-beta` header. Please consult our documentation at platform.claude.com/docs or try again without the header.");
            }
        }
        return key;
    }

    private static JsonNode parseJson(Buffer body) {
        try {
            JsonNode node = SimJson.MAPPER.readTree(body.getBytes());
            if (node == null) {
                throw SimulatedApiError.invalidRequest("There was an error parsing the body. The body is empty.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw SimulatedApiError.invalidRequest("There was an error parsing the body. Please send valid JSON.");
        } catch (java.io.IOException e) {
            throw SimulatedApiError.invalidRequest("There was an error reading the body.");
        }
    }

    private static Directives directives(JsonNode body) {
        try {
            return Directives.parse(Conversation.latestUserText(body).orElse(""));
        } catch (IllegalArgumentException e) {
            throw SimulatedApiError.invalidRequest("simulator directive " + e.getMessage());
        }
    }

    /** What a test may want to see of a request: its path, headers (keys masked) and body. */
    private static ObjectNode recordOf(HttpServerRequest request, JsonNode body) {
        ObjectNode record = SimJson.MAPPER.createObjectNode();
        record.put("path", request.path());
        ObjectNode headers = record.putObject("headers");
        request.headers().forEach(header -> {
            String name = header.getKey().toLowerCase();
            boolean secret = name.equals("x-api-key") || name.equals("authorization");
            headers.put(name, secret ? "(present)" : header.getValue());
        });
        record.set("body", body);
        return record;
    }

    private void commonHeaders(HttpServerResponse response, String requestId) {
        response.putHeader("request-id", requestId);
        response.putHeader("anthropic-organization-id", config.organizationId());
        response.putHeader(SELF_HEADER, "true");
    }

    private void sendError(RoutingContext ctx, String requestId, SimulatedApiError error) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten() || response.closed()) {
            return;
        }
        response.setStatusCode(error.status());
        commonHeaders(response, requestId);
        error.headers().forEach(response::putHeader);
        response.putHeader("content-type", "application/json");
        response.end(WireFormat.errorBody(error.type(), error.getMessage(), requestId).toString());
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- admin

    private void adminCounters(RoutingContext ctx) {
        json(ctx, 200, counters.snapshot(ctx.request().getParam("id")));
    }

    private void adminRequests(RoutingContext ctx) {
        String id = ctx.request().getParam("id");
        if (id == null) {
            json(ctx, 400, SimJson.MAPPER.createObjectNode().put("message", "id is required"));
            return;
        }
        ArrayNode list = SimJson.MAPPER.createArrayNode();
        counters.recorded(id).forEach(list::add);
        json(ctx, 200, list);
    }

    private void adminListFaults(RoutingContext ctx) {
        ArrayNode list = SimJson.MAPPER.createArrayNode();
        faults.describeQueue().forEach(list::add);
        json(ctx, 200, list);
    }

    private void adminQueueFault(RoutingContext ctx, String requestId, Buffer rawBody) {
        try {
            JsonNode body = SimJson.MAPPER.readTree(rawBody.getBytes());
            faults.enqueue(Fault.parse(body.path("fault").asText()));
            ctx.response().setStatusCode(204).end();
        } catch (IllegalArgumentException | java.io.IOException e) {
            json(ctx, 400, SimJson.MAPPER.createObjectNode().put("message", "bad fault: " + e.getMessage()));
        }
    }

    private void adminClearFaults(RoutingContext ctx) {
        faults.clear();
        ctx.response().setStatusCode(204).end();
    }

    /**
     * One key's window for one model ({@code ?apiKey=&model=}; the simulator's own key when absent): used, served and
     * refused.
     */
    private void adminRateLimits(RoutingContext ctx) {
        String key = ctx.request().getParam("apiKey");
        String model = ctx.request().getParam("model");
        if (model == null) {
            json(ctx, 400, SimJson.MAPPER.createObjectNode().put("message", "model is required"));
            return;
        }
        json(ctx, 200, rateLimits.describe(key == null ? config.apiKey() : key, model));
    }

    /**
     * Sets the limits of one key ({@code apiKey}) or of all, for one model ({@code model}) or all, and starts their
     * windows afresh, until the next reset: {@code {"apiKey": "...", "model": "...", "requests": 1, "inputTokens":
     * 1000, "outputTokens": 1000, "windowSeconds": 60}}, each absent number the configured one.
     */
    private void adminLimitRates(RoutingContext ctx, String requestId, Buffer rawBody) {
        JsonNode body = parseJson(rawBody);
        SimulatorConfig.RateLimits configured = config.rateLimits();
        RateLimitWindow.Limits limits = new RateLimitWindow.Limits(
                body.path("requests").asLong(configured.requests()),
                body.path("inputTokens").asLong(configured.inputTokens()),
                body.path("outputTokens").asLong(configured.outputTokens()),
                body.has("windowSeconds")
                        ? Duration.ofSeconds(body.path("windowSeconds").asLong())
                        : configured.window());
        rateLimits.limit(body.path("apiKey").asText(RateLimitWindow.ANY),
                body.path("model").asText(RateLimitWindow.ANY),
                limits);
        ctx.response().setStatusCode(204).end();
    }

    private void adminReset(RoutingContext ctx) {
        faults.clear();
        cache.clear();
        rateLimits.reset();
        ctx.response().setStatusCode(204).end();
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
    }
}
