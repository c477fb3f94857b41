package dev.parley.simulator;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.*;

import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.*;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TempWalkTest {
    @TestHTTPResource("/simulator")
    URI simulator;

    @Test
    void walk() throws Exception {
        AnthropicClient c = AnthropicOkHttpClient.builder().baseUrl(simulator.toString()).apiKey("parley-simulator-key")
                .putHeader("anthropic-version", "2023-06-01").build();
        Tool tool = Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder()
                .properties(Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
                .build()).build();
        List<MessageCreateParams> ps = List.of(
                MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256)
                        .addUserMessage("hi [[sim:reply=Hello.]]").build(),
                MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256).addTool(tool)
                        .addUserMessage("hi [[sim:tool=get_weather {\"city\":\"Oslo\"}]]").build(),
                MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(2048).enabledThinking(1024)
                        .addUserMessage("hi [[sim:reply=Hello.]]").build(),
                MessageCreateParams.builder().model("claude-sonnet-4-6").maxTokens(256)
                        .addUserMessage("hi [[sim:stop=refusal]]").build());
        StringBuilder out = new StringBuilder();
        for (var p : ps) {
            walk("create", c.messages().create(p), out, new HashSet<>());
            MessageAccumulator acc = MessageAccumulator.create();
            try (var s = c.messages().createStreaming(p)) {
                s.stream().forEach(e -> {
                    walk("event", e, out, new HashSet<>());
                    acc.accumulate(e);
                });
            }
            walk("stream", acc.message(), out, new HashSet<>());
        }
        c.models().list().data().forEach(m -> walk("model", m, out, new HashSet<>()));
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/scratch/walk.txt"), out.toString());
        c.close();
    }

    private void walk(String path, Object o, StringBuilder out, Set<Object> seen) {
        if (o == null || !o.getClass().getName().startsWith("com.anthropic.models")
                || !seen.add(System.identityHashCode(o))) {
            if (o instanceof Optional<?> opt && opt.isPresent())
                walk(path, opt.get(), out, seen);
            if (o instanceof List<?> l)
                for (int i = 0; i < l.size(); i++)
                    walk(path + "[" + i + "]", l.get(i), out, seen);
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getName().startsWith("_")
                    || m.getName().startsWith("as")
                    || Set.of("toBuilder", "validate", "isValid", "hashCode", "toString", "getClass", "toParam",
                            "known", "value", "asString", "notify", "notifyAll", "wait").contains(m.getName())
                    || m.getName().contains("$"))
                continue;
            try {
                Object v = m.invoke(o);
                walk(path + "." + m.getName(), v, out, seen);
            } catch (java.lang.reflect.InvocationTargetException e) {
                out.append(path).append(".").append(m.getName()).append(" -> ").append(e.getCause()).append("\n");
            } catch (Exception e) {
                out.append(path).append(".").append(m.getName()).append(" !! ").append(e).append("\n");
            }
        }
    }
}
