package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.LogCapture;

/**
 * An assistant profile whose model has no price is named, with its model, in one warning at start-up; priced profiles
 * (by id or by alias) are not. Besides this test's own {@code imaginary}, the test configuration has {@code unpriced}
 * (claude-future-9, which the model_unpriced tests use).
 */
@QuarkusTest
@TestProfile(ProfilePricingCheckTest.AnUnpricedProfile.class)
class ProfilePricingCheckTest {

    /**
     * The start-up's log: installed by the profile, which Quarkus consults before it starts the application, so the
     * capture sees what the application logs while it starts.
     */
    static LogCapture startup;

    /** Beside the shipped profiles: one with a model missing from the price table, one with a newly priced model. */
    public static class AnUnpricedProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (startup == null) {
                startup = LogCapture.install();
            }
            return Map.of(
                    "parley.assistants.imaginary.model", "claude-imaginary-9",
                    "parley.assistants.imaginary.system-prompt", "You do not exist.",
                    "parley.assistants.fabulous.model", "claude-fable-5-2",
                    "parley.assistants.fabulous.system-prompt", "You tell stories.");
        }
    }

    @Inject
    ProfilePricingCheck check;

    @AfterAll
    static void stopCapturing() {
        if (startup != null) {
            startup.close();
        }
    }

    @Test
    void warnsOnceAtStartUpForTheProfileWhoseModelHasNoPriceNamingProfileAndModel() {
        List<String> warnings = pricingWarnings();

        assertThat(warnings).filteredOn(line -> line.contains("'imaginary'")).singleElement().satisfies(line -> {
            assertThat(line).startsWith("Assistant profile 'imaginary' uses model 'claude-imaginary-9', which has no"
                    + " configured price");
            assertThat(line).contains("model_unpriced").contains("parley.pricing.models.claude-imaginary-9.*");
        });
    }

    @Test
    void warnsOncePerUnpricedProfileAndSaysNothingOfPricedOnes() {
        // Counted for 'imaginary' alone, which no other test's application has: should the capture outlive this
        // application's start-up, it sees the others' warnings about 'unpriced' too
        assertThat(pricingWarnings())
                .anyMatch(line -> line.startsWith("Assistant profile 'unpriced' uses model 'claude-future-9',"))
                // default (claude-sonnet-4-6), concise (the alias claude-haiku-4-5), toolbox, fabulous (Fable 5.2)
                .noneMatch(line -> line.contains("'default'") || line.contains("'concise'")
                        || line.contains("'toolbox'") || line.contains("'fabulous'"));
        assertThat(check.unpricedProfiles()).extracting(AssistantProfile::name)
                .containsExactly("imaginary", "unpriced");
    }

    @Test
    void leavesTheUnknownModelCounterToTurnsActuallyPriced() {
        // Pricing.price is a lookup: the check must not make Pricing log its per-turn unknown-model warning
        assertThat(startup.lines()).noneMatch(line -> line.message().contains("claude-imaginary-9")
                && line.message().contains("the cost of its calls is unknown"));
    }

    private static List<String> pricingWarnings() {
        return startup.lines().stream()
                .filter(line -> line.level().intValue() >= Level.WARNING.intValue())
                .filter(line -> line.logger().equals(ProfilePricingCheck.class.getName()))
                .map(LogCapture.Line::message)
                .toList();
    }
}
