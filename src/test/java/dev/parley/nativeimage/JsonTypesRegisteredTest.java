package dev.parley.nativeimage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonSubTypes;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.anthropic.ErrorBody;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.Message;
import dev.parley.anthropic.MessageRequest;
import dev.parley.anthropic.StreamEvent;
import dev.parley.anthropic.TokenCount;
import dev.parley.anthropic.TokenCountRequest;
import dev.parley.harness.MainClasses;
import dev.parley.tool.Tool;

/**
 * Every type of parley's that Jackson reads or writes is registered for reflection, as a native executable needs:
 * without it, Jackson finds no constructor or no properties there, and a stream failed with {@code upstream_interrupted}
 * on its first {@code message_delta} ({@code StreamEvent.StopInfo}), and the journal could write no row
 * ({@code LedgerRow}), while the JVM, which reflects on anything, passed every test. The walk starts at the types
 * handed to Jackson and the types carrying Jackson's annotations, and follows record components (with their type
 * arguments), {@code @JsonSubTypes} and sealed hierarchies; tools' input types come from the tools themselves.
 */
class JsonTypesRegisteredTest {

    /** Handed to an ObjectMapper in src/main: the wire types, the journal's rows, the chat request. */
    private static final Set<Class<?>> HANDED_TO_JACKSON = Set.of(StreamEvent.class, Message.class,
            MessageRequest.class, TokenCountRequest.class, TokenCount.class, ErrorBody.class, InputMessage.class,
            classNamed("dev.parley.usage.ledger.LedgerRow"), classNamed("dev.parley.api.ChatRequest"),
            classNamed("dev.parley.tool.builtin.Quote"),
            classNamed("dev.parley.tool.builtin.CurrentTimeTool$CurrentTime"));

    @Test
    void everyTypeJacksonMapsIsRegisteredForReflection() throws Exception {
        Deque<Class<?>> pending = new ArrayDeque<>(HANDED_TO_JACKSON);
        for (Class<?> type : MainClasses.in("dev.parley")) {
            if (hasJacksonAnnotation(type) && !type.getPackageName().startsWith("dev.parley.simulator")) {
                pending.add(type);
            }
            if (Tool.class.isAssignableFrom(type) && !type.isInterface()) {
                pending.add(inputTypeOf(type));
            }
        }
        Set<Class<?>> seen = new LinkedHashSet<>();
        Set<String> unregistered = new TreeSet<>();
        while (!pending.isEmpty()) {
            Class<?> type = pending.poll();
            if (type == null || !type.getName().startsWith("dev.parley.") || type.isEnum() || !seen.add(type)) {
                continue;
            }
            if (!type.isAnnotationPresent(RegisterForReflection.class)) {
                unregistered.add(type.getName());
            }
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    collect(component.getGenericType(), pending);
                }
            }
            JsonSubTypes subTypes = type.getAnnotation(JsonSubTypes.class);
            if (subTypes != null) {
                for (JsonSubTypes.Type subType : subTypes.value()) {
                    pending.add(subType.value());
                }
            }
            if (type.isSealed()) {
                pending.addAll(java.util.List.of(type.getPermittedSubclasses()));
            }
        }
        assertThat(seen).as("types walked").hasSizeGreaterThan(30);
        assertThat(unregistered).as("mapped by Jackson, not registered for reflection").isEmpty();
    }

    private static void collect(Type type, Deque<Class<?>> pending) {
        if (type instanceof Class<?> plain) {
            pending.add(plain.isArray() ? plain.getComponentType() : plain);
        } else if (type instanceof ParameterizedType generic) {
            collect(generic.getRawType(), pending);
            for (Type argument : generic.getActualTypeArguments()) {
                collect(argument, pending);
            }
        } else if (type instanceof WildcardType wildcard) {
            for (Type bound : wildcard.getUpperBounds()) {
                collect(bound, pending);
            }
        } else if (type instanceof TypeVariable<?>) {
            // A type parameter names no class of its own.
        }
    }

    private static boolean hasJacksonAnnotation(Class<?> type) {
        for (Annotation annotation : type.getAnnotations()) {
            if (annotation.annotationType().getPackageName().startsWith("com.fasterxml.jackson")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code I} of a {@code Tool<I>} implementation. */
    private static Class<?> inputTypeOf(Class<?> tool) {
        for (Type implemented : tool.getGenericInterfaces()) {
            if (implemented instanceof ParameterizedType generic && generic.getRawType() == Tool.class
                    && generic.getActualTypeArguments()[0] instanceof Class<?> input) {
                return input;
            }
        }
        return null;
    }

    private static Class<?> classNamed(String name) {
        try {
            return Class.forName(name, false, JsonTypesRegisteredTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
