package dev.parley.frontdoor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.parley.usage.Pricing;

/**
 * What each caller may ask of the upstream through the front door ({@code parley.front-door.callers.<caller>.*}, else
 * {@code parley.front-door.default.*}): the models it may name, a {@code max_tokens} ceiling, the
 * {@code anthropic-beta} values that pass. A request outside its caller's policy is refused before the upstream is
 * called: a forbidden model or beta with 403 {@code permission_error}, {@code max_tokens} above the ceiling with 400
 * {@code invalid_request_error}; both stop the SDKs' retries, as no retry can cure them.
 */
@Startup // its checks of the fallback chains stop a start-up, not the first request
@ApplicationScoped
class CallerPolicies {

    /** The {@code betas} entry that lets every value pass. */
    static final String ANY_BETA = "*";

    /** Without any configured policy: every model, no ceiling of parley's, no beta, no fallback. */
    private static final Policy OPEN = new Policy(Optional.empty(), OptionalInt.empty(), Set.of(), List.of(), false);
    /** A chain this long already tries four models, each with its retries, within one deadline. */
    private static final int MAX_FALLBACK_MODELS = 3;

    private final FrontDoorConfig config;

    /** Checks every policy's fallback chain at start-up: a chain parley could not serve stops it in one line. */
    CallerPolicies(FrontDoorConfig config, Pricing pricing) {
        this.config = config;
        config.callers().forEach((caller, policy) -> check("parley.front-door.callers." + caller, policy, pricing));
        config.defaults().ifPresent(policy -> check("parley.front-door.default", policy, pricing));
    }

    /**
     * One caller's policy, resolved. {@code models} empty: every model; {@code betas} holding {@code *}: any;
     * {@code fallbackModels} parley's own fallback chain, in order.
     */
    record Policy(Optional<Set<String>> models, OptionalInt maxTokens, Set<String> betas, List<String> fallbackModels,
            boolean fallBackAtOnceOnOverload) {

        static Policy of(FrontDoorConfig.CallerPolicy configured) {
            return new Policy(configured.models(), configured.maxTokens(), configured.betas().orElse(Set.of()),
                    chain(configured), configured.fallbackOnOverload().strip().equals("immediately"));
        }

        boolean allowsModel(String model) {
            return models.isEmpty() || models.get().contains(model);
        }
    }

    private static List<String> chain(FrontDoorConfig.CallerPolicy configured) {
        return configured.fallbackModels().orElse(List.of()).stream().map(String::strip)
                .filter(model -> !model.isEmpty()).toList();
    }

    private static void check(String prefix, FrontDoorConfig.CallerPolicy policy, Pricing pricing) {
        String key = prefix + ".fallback-models";
        List<String> chain = chain(policy);
        if (chain.size() > MAX_FALLBACK_MODELS) {
            throw new IllegalStateException(key + " names " + chain.size() + " models; at most "
                    + MAX_FALLBACK_MODELS + " are tried");
        }
        for (int i = 0; i < chain.size(); i++) {
            String model = chain.get(i);
            if (chain.subList(0, i).contains(model)) {
                throw new IllegalStateException(key + " names " + model + " twice");
            }
            if (pricing.price(model).isEmpty()) {
                throw new IllegalStateException(key + " names " + model + ", which is not a model parley knows (it has"
                        + " no price: configure parley.pricing.models." + model + ".*)");
            }
            if (policy.models().isPresent() && !policy.models().get().contains(model)) {
                throw new IllegalStateException(key + " names " + model + ", which " + prefix + ".models does not "
                        + "allow");
            }
        }
        String when = policy.fallbackOnOverload().strip();
        if (!when.equals("after-retries") && !when.equals("immediately")) {
            throw new IllegalStateException(prefix + ".fallback-on-overload is after-retries or immediately, not "
                    + policy.fallbackOnOverload());
        }
    }

    Policy of(String caller) {
        return Optional.ofNullable(config.callers().get(caller)).or(config::defaults).map(Policy::of).orElse(OPEN);
    }

    /** Whether the caller's policy names this model itself (so that the name is one of a configured, closed set). */
    boolean names(String caller, String model) {
        return of(caller).models().map(models -> models.contains(model)).orElse(false);
    }

    /** Refuses a request its caller's policy does not allow, with a {@link DoorRefusedException}. */
    void check(String caller, ClientRequest request, Optional<String> betas) {
        Policy policy = of(caller);
        for (String model : request.models()) {
            if (!policy.allowsModel(model)) {
                throw refused(DoorRefusal.forbidden("This caller may not use the model " + model + " through parley."));
            }
        }
        if (request.defaultFallbacks() && policy.models().isPresent()) {
            throw refused(DoorRefusal.forbidden("fallbacks: \"default\" lets the upstream choose models this caller "
                    + "may not use; list the fallback models instead."));
        }
        if (policy.maxTokens().isPresent()) {
            int ceiling = policy.maxTokens().getAsInt();
            List<OptionalInt> asked = new ArrayList<>();
            asked.add(request.maxTokens());
            request.fallbacks().forEach(hop -> asked.add(hop.maxTokens()));
            for (OptionalInt maxTokens : asked) {
                if (maxTokens.isPresent() && maxTokens.getAsInt() > ceiling) {
                    throw refused(DoorRefusal.invalidRequest("max_tokens: " + maxTokens.getAsInt()
                            + " is above this caller's ceiling of " + ceiling + " at parley."));
                }
            }
        }
        checkBetas(policy, betas);
    }

    /** Refuses an {@code anthropic-beta} value the caller's policy does not let pass. */
    void checkBetas(String caller, Optional<String> betas) {
        checkBetas(of(caller), betas);
    }

    private static void checkBetas(Policy policy, Optional<String> betas) {
        if (betas.isEmpty() || policy.betas().contains(ANY_BETA)) {
            return;
        }
        for (String beta : betas.get().split(",")) {
            String name = beta.strip();
            if (!name.isEmpty() && !policy.betas().contains(name)) {
                throw refused(DoorRefusal.forbidden("This caller may not use the beta " + name + " through parley."));
            }
        }
    }

    private static DoorRefusedException refused(DoorRefusal refusal) {
        return new DoorRefusedException(refusal);
    }
}
