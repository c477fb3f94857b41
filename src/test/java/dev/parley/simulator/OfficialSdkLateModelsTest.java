package dev.parley.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.helpers.BetaMessageAccumulator;
import com.anthropic.models.beta.AnthropicBeta;
import com.anthropic.models.beta.messages.BetaContentBlock;
import com.anthropic.models.beta.messages.BetaFallbackBlock;
import com.anthropic.models.beta.messages.BetaFallbackParam;
import com.anthropic.models.beta.messages.BetaMessage;
import com.anthropic.models.beta.messages.BetaRawMessageStreamEvent;
import com.anthropic.models.beta.messages.BetaUsage;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Model;
import com.anthropic.models.messages.OutputConfig;
import com.anthropic.models.messages.RefusalStopDetails;
import com.anthropic.models.messages.ThinkingConfigAdaptive;
import com.anthropic.models.messages.ThinkingConfigBetweenTools;
import com.anthropic.models.messages.ThinkingConfigDisabled;
import com.anthropic.models.models.ModelInfo;
import com.anthropic.models.models.ModelLine;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The late-2026 API (§9) through the official Java SDK 3.x, which models it: the models and their lifecycle, adaptive
 * thinking with display and effort, the per-model 400s, refusals' stop details, the server-side fallback (beta types:
 * fallback block, usage iterations, streamed and whole) and the thinking prefix rule. The SDK parses what the real
 * API sends, so a field it cannot read here is a simulator bug.
 */
@QuarkusTest
class OfficialSdkLateModelsTest {

    private static final String KEY = "parley-simulator-key";

    @TestHTTPResource("/simulator")
    URI simulator;

    private AnthropicClient client;

    @BeforeEach
    void client() {
        client = AnthropicOkHttpClient.builder().baseUrl(simulator.toString()).apiKey(KEY).maxRetries(0).build();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void theSdksModelConstantsAreServedAndTheRetiredSonnet45IsNot() {
        for (Model model : List.of(Model.CLAUDE_FABLE_5_2, Model.CLAUDE_MYTHOS_5_2, Model.CLAUDE_MYTHOS_5_1,
                Model.CLAUDE_OPUS_5_5, Model.CLAUDE_SONNET_5_5, Model.CLAUDE_HAIKU_5_5)) {
            ModelInfo info = client.models().retrieve(model.asString());
            assertThat(info.lifecycle()).isEqualTo(ModelInfo.Lifecycle.ACTIVE);
            assertThat(info.deprecatedAt()).isEmpty();
            assertThat(client.messages().create(ask(model, "[[sim:reply=Hi.]]").build()).model()).isEqualTo(model);
        }
        assertThat(client.models().retrieve(Model.CLAUDE_FABLE_5_2.asString()).line()).contains(ModelLine.FABLE);
        ModelInfo retired = client.models().retrieve(Model.CLAUDE_SONNET_4_5.asString());
        assertThat(retired.lifecycle()).isEqualTo(ModelInfo.Lifecycle.RETIRED);
        assertThat(retired.retiresAt()).contains(OffsetDateTime.of(2026, 11, 30, 0, 0, 0, 0, ZoneOffset.UTC));
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> client.messages().create(ask(Model.CLAUDE_SONNET_4_5, "Hi").build()));
        assertThat(e.apiMessage()).contains("model: claude-sonnet-4-5");
    }

    @Test
    void adaptiveThinkingWithDisplayAndEffortParses() {
        Message message = client.messages().create(ask(Model.CLAUDE_OPUS_5_5, "[[sim:reply=Done.]]")
                .thinking(ThinkingConfigAdaptive.builder().display(ThinkingConfigAdaptive.Display.SUMMARIZED).build())
                .outputConfig(OutputConfig.builder().effort(OutputConfig.Effort.LOW).build())
                .build());
        assertThat(message.content()).extracting(ContentBlock::isThinking).containsExactly(true, false);
        assertThat(message.content().getFirst().asThinking().thinking()).isNotBlank();
        assertThat(message.usage().outputTokensDetails()).hasValueSatisfying(
                details -> assertThat(details.thinkingTokens()).isEqualTo(12));
        Message omitted = client.messages().create(ask(Model.CLAUDE_FABLE_5_2, "[[sim:reply=Done.]]").build());
        assertThat(omitted.content().getFirst().asThinking().thinking()).isEmpty();
        assertThat(omitted.content().getFirst().asThinking().signature()).isNotEmpty();
    }

    @Test
    void aThinkingTypeTheModelRefusesIsTheSdksBadRequest() {
        BadRequestException disabled = assertThrows(BadRequestException.class, () -> client.messages()
                .create(ask(Model.CLAUDE_OPUS_5_5, "Hi").thinking(ThinkingConfigDisabled.builder().build()).build()));
        assertThat(disabled.apiMessage()).contains("\"thinking.type.disabled\" is not supported for this model. Use "
                + "\"thinking.type.adaptive\" and \"output_config.effort\" to control thinking behavior.");
        Message betweenTools = client.messages().create(ask(Model.CLAUDE_SONNET_5_5, "[[sim:reply=Hi.]]")
                .thinking(ThinkingConfigBetweenTools.builder().build()).build());
        assertThat(betweenTools.content()).extracting(ContentBlock::isText).containsExactly(true);
    }

    @Test
    void aRefusalsStopDetailsNameItsCategory() {
        Message refused = client.messages().create(ask(Model.CLAUDE_OPUS_5_5,
                "[[sim:stop=refusal]] [[sim:refusal-category=cyber]]").build());
        assertThat(refused.stopReason()).hasValueSatisfying(reason -> assertThat(reason.asString())
                .isEqualTo("refusal"));
        assertThat(refused.stopDetails()).hasValueSatisfying(details -> {
            assertThat(details.category()).contains(RefusalStopDetails.Category.CYBER);
            assertThat(details.explanation()).isPresent();
        });
    }

    @Test
    void theServerSideFallbackServesARefusedRequestStreamedAndWhole() {
        com.anthropic.models.beta.messages.MessageCreateParams params = com.anthropic.models.beta.messages.MessageCreateParams
                .builder().model(Model.CLAUDE_FABLE_5_2).maxTokens(300)
                .addUserMessage("[[sim:refuse-on=claude-fable-5-2]] [[sim:reply=Served.]]")
                .addBeta(AnthropicBeta.SERVER_SIDE_FALLBACK_2026_07_01)
                .fallbacksOfFallbackParams(List.of(BetaFallbackParam.builder().model(Model.CLAUDE_OPUS_5_5).build()))
                .build();

        BetaMessage whole = client.beta().messages().create(params);
        BetaMessageAccumulator accumulator = BetaMessageAccumulator.create();
        try (StreamResponse<BetaRawMessageStreamEvent> stream = client.beta().messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        BetaMessage streamed = accumulator.message();

        assertThat(whole.model()).isEqualTo(Model.CLAUDE_OPUS_5_5);
        for (BetaMessage message : List.of(whole, streamed)) {
            BetaFallbackBlock fallback = message.content().getFirst().asFallback();
            assertThat(fallback.from().model()).isEqualTo(Model.CLAUDE_FABLE_5_2);
            assertThat(fallback.to().model()).isEqualTo(Model.CLAUDE_OPUS_5_5);
            assertThat(message.content()).extracting(BetaContentBlock::isText).containsExactly(false, false, true);
            List<BetaUsage.Iteration> hops = message.usage().iterations().orElseThrow();
            assertThat(hops).extracting(BetaUsage.Iteration::isMessage).containsExactly(true, false);
            assertThat(hops.get(0).asMessage().model()).contains(Model.CLAUDE_FABLE_5_2);
            assertThat(hops.get(1).asFallbackMessage().model()).isEqualTo(Model.CLAUDE_OPUS_5_5);
            assertThat(message.usage().inputTokens()).isEqualTo(hops.get(0).asMessage().inputTokens()
                    + hops.get(1).asFallbackMessage().inputTokens());
        }
        assertThat(streamed.usage().iterations()).isEqualTo(whole.usage().iterations());
    }

    @Test
    void thinkingSentBackAfterAnotherSystemPromptIsTheSdksBadRequest() {
        MessageCreateParams first = ask(Model.CLAUDE_OPUS_5_5, "Hi [[sim:reply=Hello.]]").system("You are terse.")
                .build();
        Message answer = client.messages().create(first);
        MessageCreateParams.Builder next = first.toBuilder().addMessage(answer).addUserMessage("Again");
        assertThat(client.messages().create(next.build()).content()).isNotEmpty();
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> client.messages().create(next.system("You are verbose.").build()));
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message)
                .startsWith("messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a "
                        + "different conversation."));
    }

    private static MessageCreateParams.Builder ask(Model model, String text) {
        return MessageCreateParams.builder().model(model).maxTokens(300).addUserMessage(text);
    }
}
