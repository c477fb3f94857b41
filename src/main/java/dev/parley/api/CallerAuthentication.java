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

/**
 * Identifies the caller of every API request, by the configured mode, before any resource runs; a missing or wrong
 * key is a 401 problem, counted in {@code parley.auth.failures} and never logged with the key. The caller is kept
 * with the request for {@link #callerOf(RoutingContext)}.
 */
@ApplicationScoped
public class CallerAuthentication {

    public static final String ANONYMOUS = "anonymous";
    private static final String KEY = "parley.caller";
    private static final Pattern CALLER_NAME = Pattern.compile("[A-Za-z0-9._@:-]{1,128}");

    private final AuthConfig config;
    private final Map<String, String> callerByKeyHash;
    private final MeterRegistry registry;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    CallerAuthentication(AuthConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.callerByKeyHash = config.keys().entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(entry -> entry.getValue().sha256().trim().toLowerCase(),
                        Map.Entry::getKey));
    }

    /** The caller of the current request ({@code anonymous} without authentication). */
    static String callerOf(RoutingContext context) {
        String caller = context.get(KEY);
        return caller == null ? ANONYMOUS : caller;
    }

    @ServerRequestFilter
    public Optional<Response> authenticate(RoutingContext context) {
        Optional<String> caller = switch (config.mode()) {
            case NONE -> Optional.of(ANONYMOUS);
            case API_KEY -> byKey(context);
            case GATEWAY -> byGatewayHeader(context);
        };
        if (caller.isEmpty()) {
            return Optional.of(Response.status(401).type(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", config.mode() == AuthConfig.Mode.API_KEY ? "Bearer" : null)
                    .entity(Problem.of(401, "unauthorized", "Unauthorized",
                            "A valid API key is required: Authorization: Bearer <key> or x-api-key: <key>.",
                            RequestIds.of(context)))
                    .build());
        }
        context.put(KEY, caller.get());
        return Optional.empty();
    }

    private Optional<String> byKey(RoutingContext context) {
        String key = context.request().getHeader("x-api-key");
        String authorization = context.request().getHeader("Authorization");
        if (key == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        }
        if (key == null || key.isEmpty()) {
            return failed("missing_key");
        }
        String caller = callerByKeyHash.get(sha256(key));
        return caller == null ? failed("invalid_key") : Optional.of(caller);
    }

    private Optional<String> byGatewayHeader(RoutingContext context) {
        String caller = context.request().getHeader(config.gatewayHeader());
        if (caller == null || !CALLER_NAME.matcher(caller).matches()) {
            return failed("missing_gateway_header");
        }
        return Optional.of(caller);
    }

    private Optional<String> failed(String reason) {
        failures.computeIfAbsent(reason, r -> Counter.builder("parley.auth.failures")
                .description("API requests refused for want of a valid caller").tag("reason", r).register(registry))
                .increment();
        return Optional.empty();
    }

    /** Whether a caller may read every caller's usage. */
    boolean isAdmin(String caller) {
        AuthConfig.CallerKey key = config.keys().get(caller);
        return key != null && key.admin();
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
