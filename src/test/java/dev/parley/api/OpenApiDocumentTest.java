package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.HttpMethod;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.parley.chat.ChatFailure;
import dev.parley.chat.ChatRejectedException;
import dev.parley.harness.MainClasses;

/**
 * The OpenAPI document at {@code /q/openapi} describes every JAX-RS endpoint parley has (found by reflection, so a new
 * endpoint without documentation fails here), every problem code, every stream event and both ways to send an API key.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final Pattern CODE = Pattern.compile("`([a-z_]+)`");

    @Test
    void documentsEveryEndpointWithASummaryAndItsResponses() throws IOException {
        JsonNode paths = document().path("paths");
        List<String> endpoints = endpoints();
        assertThat(endpoints).contains("POST /v1/chat/stream", "POST /v1/chat", "GET /v1/assistants",
                "GET /v1/conversations/{id}", "DELETE /v1/conversations/{id}", "GET /v1/usage");
        for (String endpoint : endpoints) {
            String[] methodAndPath = endpoint.split(" ", 2);
            JsonNode operation = paths.path(methodAndPath[1]).path(methodAndPath[0].toLowerCase(Locale.ROOT));
            assertThat(operation.isObject()).as("%s is in the document", endpoint).isTrue();
            assertThat(operation.path("summary").asText()).as("summary of %s", endpoint).isNotBlank();
            assertThat(operation.path("tags").size()).as("tags of %s", endpoint).isPositive();
            List<String> statuses = new ArrayList<>();
            operation.path("responses").fieldNames().forEachRemaining(statuses::add);
            assertThat(statuses).as("responses of %s", endpoint).anyMatch(status -> status.startsWith("2"))
                    .contains("401", "500");
        }
    }

    @Test
    void describesEverySumOfTheUsageReport() throws IOException {
        JsonNode group = document().at("/components/schemas/UsageGroup/properties");
        List<String> sums = new ArrayList<>();
        group.fieldNames().forEachRemaining(sums::add);
        assertThat(sums).contains("turns", "inputTokens", "outputTokens", "thinkingTokens", "costUsd", "savedUsd",
                "unpricedTurns");
    }

    @Test
    void namesEveryProblemCode() throws IOException {
        JsonNode document = document();
        Set<String> codes = new TreeSet<>(readmeCodes());
        Arrays.stream(ChatRejectedException.Reason.values()).map(ChatRejectedException.Reason::code)
                .forEach(codes::add);
        Arrays.stream(ChatFailure.Code.values()).map(ChatFailure.Code::wireName).forEach(codes::add);
        assertThat(codes).hasSizeGreaterThan(20);

        Set<String> documented = new TreeSet<>();
        document.at("/components/schemas/Problem/properties/code/enum")
                .forEach(code -> documented.add(code.asText()));
        assertThat(documented).containsAll(codes);
        // Each code is also explained at the status (or in the stream event) it comes with.
        String text = document.toString();
        for (String code : codes) {
            assertThat(text).as("explanation of %s", code).contains("`" + code + "`");
        }
    }

    @Test
    void describesEveryStreamEventAndItsPayload() throws IOException {
        JsonNode document = document();
        JsonNode content = document.at("/paths/~1v1~1chat~1stream/post/responses/200/content/text~1event-stream");
        assertThat(content.isObject()).as("text/event-stream response").isTrue();
        JsonNode mapping = content.at("/schema/discriminator/mapping");
        Set<String> names = new LinkedHashSet<>();
        mapping.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyInAnyOrderElementsOf(readmeEvents());
        for (String name : names) {
            String reference = mapping.path(name).asText();
            JsonNode schema = document.at("/components/schemas/"
                    + reference.substring(reference.lastIndexOf('/') + 1));
            assertThat(schema.at("/properties/type/enum").toString()).as("type of %s", name)
                    .isEqualTo("[\"" + name + "\"]");
            assertThat(schema.path("description").asText()).as("description of %s", name)
                    .contains("`event: " + name + "`");
        }
        assertThat(content.path("examples").toString()).contains("event: text", "event: done");
    }

    @Test
    void acceptsABearerTokenOrAnXApiKey() throws IOException {
        JsonNode document = document();
        JsonNode schemes = document.at("/components/securitySchemes");
        assertThat(schemes.at("/bearer/type").asText()).isEqualTo("http");
        assertThat(schemes.at("/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.at("/apiKey/type").asText()).isEqualTo("apiKey");
        assertThat(schemes.at("/apiKey/in").asText()).isEqualTo("header");
        assertThat(schemes.at("/apiKey/name").asText()).isEqualTo("x-api-key");
        assertThat(document.path("security").toString()).contains("\"bearer\"", "\"apiKey\"");
    }

    @Test
    void leavesTheSimulatorOutButSaysWhereItIs() throws IOException {
        JsonNode document = document();
        document.path("paths").fieldNames()
                .forEachRemaining(path -> assertThat(path).doesNotStartWith("/simulator").doesNotStartWith("/q/"));
        assertThat(document.at("/info/description").asText()).contains("/simulator");
    }

    private static JsonNode document() throws IOException {
        String json = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract()
                .asString();
        return new ObjectMapper().readTree(json);
    }

    /** "POST /v1/chat/stream", …: every resource method of {@code dev.parley}, from its JAX-RS annotations. */
    private static List<String> endpoints() {
        List<String> endpoints = new ArrayList<>();
        for (Class<?> type : MainClasses.in("dev.parley.api")) {
            jakarta.ws.rs.Path classPath = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (classPath == null || type.isInterface()) {
                continue;
            }
            for (Method method : type.getDeclaredMethods()) {
                Arrays.stream(method.getAnnotations())
                        .map(annotation -> annotation.annotationType().getAnnotation(HttpMethod.class))
                        .filter(httpMethod -> httpMethod != null)
                        .forEach(httpMethod -> {
                            jakarta.ws.rs.Path methodPath = method.getAnnotation(jakarta.ws.rs.Path.class);
                            endpoints.add(httpMethod.value() + " " + join(classPath.value(),
                                    methodPath == null ? "" : methodPath.value()));
                        });
            }
        }
        return endpoints;
    }

    private static String join(String base, String path) {
        String joined = ("/" + base + "/" + path).replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    /** The codes of README's "Statuses and error codes" table. */
    private static Set<String> readmeCodes() throws IOException {
        return firstColumnCodes("### Statuses and error codes");
    }

    /** The event names of README's "Stream events" table. */
    private static Set<String> readmeEvents() throws IOException {
        return firstColumnCodes("### Stream events");
    }

    private static Set<String> firstColumnCodes(String heading) throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf(heading) + heading.length());
        section = section.substring(0, section.indexOf("\n#"));
        Set<String> codes = new LinkedHashSet<>();
        for (String line : section.lines().toList()) {
            if (line.startsWith("| `")) {
                Matcher code = CODE.matcher(line.split("\\|")[1]);
                while (code.find()) {
                    codes.add(code.group(1));
                }
            }
        }
        assertThat(codes).as("codes of %s", heading).isNotEmpty();
        return codes;
    }
}
