package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.harness.Jdks;
import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;
import dev.parley.harness.ParleyProcess.Exited;

/**
 * The packaged service refuses what cannot work in one plain line on the console, also with production's JSON logs:
 * a Java older than 21 (which otherwise printed nothing at all), a second process on a ledger folder in use (which
 * otherwise died in a 4 KB JSON line from the database engine), an embedded upstream with its simulator switched
 * off (which otherwise started and failed every chat).
 */
@PackagedJar
class StartupRefusalsIT {

    @Test
    void javaOlderThan21IsRefusedInOneLineThatSaysWhatToRun() throws Exception {
        Exited start = ParleyProcess.refusedStart(Jdks.olderThan21().resolve("bin/java"),
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded"), folder("old-java"));

        assertThat(start.code()).isEqualTo(1);
        assertThat(start.output()).singleElement().asString()
                .startsWith("parley needs Java 21 or newer; this is Java 17")
                .contains("\"$JAVA_HOME/bin/java\"");
    }

    @Test
    void secondProcessOnALedgerFolderInUseIsRefusedAndTheFirstServesOn() throws Exception {
        try (ParleyProcess first = ParleyProcess.start("folder-owner", Map.of("PARLEY_ANTHROPIC_BASE_URL",
                "embedded"))) {
            Exited second = ParleyProcess.refusedStart(ParleyProcess.thisJava(),
                    Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded"), first.data());

            assertThat(second.code()).isNotZero();
            assertThat(plainLines(second.output())).singleElement().asString()
                    .startsWith("parley did not start: the ledger journal " + first.data().toAbsolutePath())
                    .contains("in use by another parley process (pid " + first.pid() + ")")
                    .endsWith("give each process a folder of its own with PARLEY_LEDGER_DIRECTORY");
            assertThat(String.join("\n", second.output())).doesNotContain("Database may be already in use");

            HttpResponse<String> chat = HttpClient.newHttpClient().send(HttpRequest
                    .newBuilder(first.uri().resolve("/v1/chat/stream")).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"Still mine?\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(chat.body()).contains("event: done");
        }
    }

    @Test
    void embeddedUpstreamWithItsSimulatorSwitchedOffIsRefused() throws Exception {
        Exited start = ParleyProcess.refusedStart(ParleyProcess.thisJava(),
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_SIMULATOR_ENABLED", "false"),
                folder("simulator-off"));

        assertThat(start.code()).isNotZero();
        assertThat(plainLines(start.output())).containsExactly("parley did not start: PARLEY_ANTHROPIC_BASE_URL="
                + "embedded calls the built-in simulator, but PARLEY_SIMULATOR_ENABLED=false switches it off: unset "
                + "one of the two");
    }

    @Test
    void aProfileAskingItsModelForThinkingItRefusesIsRefusedInOneLine() throws Exception {
        Exited start = ParleyProcess.refusedStart(ParleyProcess.thisJava(),
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_ASSISTANTS_AGENT_MODEL", "claude-opus-5-5",
                        "PARLEY_ASSISTANTS_AGENT_SYSTEM_PROMPT", "You act.", "PARLEY_ASSISTANTS_AGENT_THINKING",
                        "disabled"),
                folder("thinking-refused"));

        assertThat(start.code()).isNotZero();
        assertThat(plainLines(start.output())).containsExactly("parley did not start: parley.assistants.agent."
                + "thinking is disabled, but claude-opus-5-5 always thinks and refuses it: use adaptive and set "
                + "effort for depth");
    }

    @Test
    void aProfileFallingBackToAModelParleyDoesNotKnowIsRefusedInOneLine() throws Exception {
        Exited start = ParleyProcess.refusedStart(ParleyProcess.thisJava(),
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_ASSISTANTS_AGENT_MODEL", "claude-sonnet-4-6",
                        "PARLEY_ASSISTANTS_AGENT_SYSTEM_PROMPT", "You act.",
                        "PARLEY_ASSISTANTS_AGENT_FALLBACK_MODELS", "claude-haiku-4-5,claude-nonesuch-1"),
                folder("fallback-unknown"));

        assertThat(start.code()).isNotZero();
        assertThat(plainLines(start.output())).containsExactly("parley did not start: parley.assistants.agent."
                + "fallback-models names claude-nonesuch-1, which is not a model parley knows (it has no price: "
                + "configure parley.pricing.models.claude-nonesuch-1.*)");
    }

    /** The lines that are not JSON log records: what a person reads on the console. */
    static List<String> plainLines(List<String> output) {
        return output.stream().filter(line -> !line.startsWith("{")).toList();
    }

    private static Path folder(String name) throws Exception {
        return Files.createTempDirectory(Path.of("target"), name + "-");
    }
}
