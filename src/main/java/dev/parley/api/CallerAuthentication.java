package dev.parley.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;

import dev.parley.usage.UsageMeter;

/**
 * Identifies the caller of every API request, by the configured mode, before any resource runs; a missing or wrong
 * key is a 401 problem, counted in {@code parley.auth.failures} (and, for a chat request, in
 * {@code parley.chat.rejections}) and never logged with the key; on the path of an {@link EdgeSurface} it is that
 * surface's own 401 instead, in its error shape. The caller is kept
 * with the request for {@link #callerOf(RoutingContext)}.
 */
@ApplicationScoped
public class CallerAuthentication {

    public static final String ANONYMOUS = "anonymous";
    private static final String KEY = "parley.caller";
    private static final String KEY_REQUIRED = "A valid API key is required: Authorization: Bearer <key> or "
            + "x-api-key: <key>.";
    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");

    private final AuthConfig config;
    private final Map<String, String> callerByKeyHash;
    private final MeterRegistry registry;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final UsageMeter meter;
    private final EdgeSurfaces surfaces;

    CallerAuthentication(AuthConfig config, MeterRegistry registry, UsageMeter meter, EdgeSurfaces surfaces) {
        this.config = config;
        this.registry = registry;
        this.meter = meter;
        this.surfaces = surfaces;
        this.callerByKeyHash = config.keys().entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(entry -> entry.getValue().sha256().trim().toLowerCase(),
                        Map.Entry::getKey));
    }

    /** The caller of the current request ({@code anonymous} without authentication). */
    public static String callerOf(RoutingContext context) {
        String caller = context.get(KEY);
        return caller == null ? ANONYMOUS : caller;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(RoutingContext context) {
        Verdict verdict = switch (config.mode()) {
            case NONE -> new Verdict(ANONYMOUS, null);
            case API_KEY -> byKey(context);
            case GATEWAY -> byGatewayHeader(context);
        };
        if (verdict.caller() == null) {
            if (ChatResource.isChatRequest(context)) {
                meter.rejected("unauthorized");
            }
            Optional<EdgeSurface> surface = surfaces.of(context.request().path());
            if (surface.isPresent()) {
                return Optional.of(EdgeSurfaces.response(surface.get().refusal(401, "unauthorized",
                        verdict.refusal(), RequestIds.of(context), 0)));
            }
            return Optional.of(Response.status(401).type(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", config.mode() == AuthConfig.Mode.API_KEY ? "Bearer" : null)
                    .entity(Problem.of(401, "unauthorized", "Unauthorized", verdict.refusal(),
                            RequestIds.of(context)))
                    .build());
        }
        context.put(KEY, verdict.caller());
        return Optional.empty();
    }

    private Verdict byKey(RoutingContext context) {
        String key = context.request().getHeader("x-api-key");
        String authorization = context.request().getHeader("Authorization");
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
        if (key != null && bearer != null && !key.equals(bearer)) {
            // Two keys may name two callers: refused rather than letting one header silently win.
            return failed("conflicting_keys", "Send one API key: x-api-key and Authorization: Bearer "
                    + "carry different keys.");
        }
        if (key == null) {
            key = bearer;
        }
        if (key == null || key.isEmpty()) {
            return failed("missing_key", KEY_REQUIRED);
        }
        String caller = callerByKeyHash.get(sha256(key));
        return caller == null ? failed("invalid_key", KEY_REQUIRED) : new Verdict(caller, null);
    }

    private Verdict byGatewayHeader(RoutingContext context) {
        String caller = context.request().getHeader(config.gatewayHeader());
        if (caller == null || !CALLER_NAME.matcher(caller).matches()) {
            // The client of a gateway has no key to fix: whatever reached parley did not come through the gateway.
            return failed("missing_gateway_header", "This service is reached through its API gateway, "
                    + "which names the caller; this request did not come through it.");
        }
        return new Verdict(caller, null);
    }

    private Verdict failed(String reason, String detail) {
        failures.computeIfAbsent(reason, r -> Counter.builder("parley.auth.failures")
                .description("API requests refused for want of a valid caller").tag("reason", r).register(registry))
                .increment();
        return new Verdict(null, detail);
    }

    /** The caller, or (when null) the detail of the 401 refusing the request. */
    private record Verdict(String caller, String refusal) {
    }

    /**
     * Whether a caller may read every caller's usage and budget: by its key's {@code admin} in {@code api-key} mode,
     * by {@code parley.auth.gateway-admins} in {@code gateway} mode, never in {@code none} mode.
     */
    boolean isAdmin(String caller) {
        return switch (config.mode()) {
            case NONE -> false;
            case API_KEY -> {
                AuthConfig.CallerKey key = config.keys().get(caller);
                yield key != null && key.admin();
            }
            case GATEWAY -> config.gatewayAdmins().map(admins -> admins.contains(caller)).orElse(false);
        };
    }

    /** The hex SHA-256 of a key, as {@code parley.auth.keys.<caller>.sha256} holds it. */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
