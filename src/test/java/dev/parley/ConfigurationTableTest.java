package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import dev.parley.harness.MainClasses;

/**
 * README's configuration table and the {@code @ConfigMapping} interfaces of parley name the same {@code parley.*}
 * keys: every property of every mapping (nested groups included, map keys as {@code <placeholder>}) is in the table,
 * and every {@code parley.*} key in the table is a property.
 */
class ConfigurationTableTest {

    private static final Pattern KEY = Pattern.compile("`([^`]+)`");
    private static final Pattern PLACEHOLDER = Pattern.compile("<[^>]+>");

    @Test
    void readmeTableListsEveryKeyOfEveryMappingAndNoOther() throws IOException {
        Set<String> mapped = mappedKeys();
        assertThat(mapped).contains("parley.anthropic.api-key", "parley.assistants.<*>.model",
                "parley.pricing.models.<*>.long-context.threshold-tokens", "parley.tools.timeouts.<*>");
        Set<String> documented = documentedKeys();
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(mapped);
        Set<String> undocumented = new TreeSet<>(mapped);
        undocumented.removeAll(documented);
        assertThat(unknown).as("in README's configuration table, but not a property").isEmpty();
        assertThat(undocumented).as("a property missing from README's configuration table").isEmpty();
    }

    /** Every key of every {@code @ConfigMapping} under {@code dev.parley}, map keys written {@code <*>}. */
    static Set<String> mappedKeys() {
        Set<String> keys = new TreeSet<>();
        for (Class<?> type : MainClasses.in("dev.parley")) {
            ConfigMapping mapping = type.getAnnotation(ConfigMapping.class);
            if (mapping != null) {
                collect(mapping.prefix(), type, keys);
            }
        }
        assertThat(keys).as("mapped keys").isNotEmpty();
        return keys;
    }

    private static void collect(String prefix, Class<?> group, Set<String> keys) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = method.isAnnotationPresent(WithParentName.class)
                    ? prefix
                    : prefix + "." + nameOf(method);
            add(name, unwrapOptional(method.getGenericReturnType()), keys);
        }
    }

    private static void add(String key, Type type, Set<String> keys) {
        if (type instanceof ParameterizedType generic && generic.getRawType() == Map.class) {
            add(key + ".<*>", unwrapOptional(generic.getActualTypeArguments()[1]), keys);
        } else if (type instanceof Class<?> group && group.isInterface()
                && group.getPackageName().startsWith("dev.parley")) {
            collect(key, group, keys);
        } else {
            keys.add(key);
        }
    }

    private static Type unwrapOptional(Type type) {
        if (type instanceof ParameterizedType generic && generic.getRawType() == Optional.class) {
            return generic.getActualTypeArguments()[0];
        }
        return type;
    }

    private static String nameOf(Method method) {
        WithName name = method.getAnnotation(WithName.class);
        return name != null ? name.value() : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /**
     * The {@code parley.*} keys of README's "Configuration" table: the first column holds a key, then optionally
     * siblings written {@code / `other`} (or {@code / `.other`}), each replacing the key's last segment.
     */
    static Set<String> documentedKeys() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("\n## Configuration\n"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        Set<String> keys = new TreeSet<>();
        for (String line : section.lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            Matcher names = KEY.matcher(line.split("\\|")[1]);
            List<String> row = new ArrayList<>();
            while (names.find()) {
                row.add(names.group(1));
            }
            String first = row.getFirst();
            if (!first.startsWith("parley.")) {
                continue;
            }
            String parent = first.substring(0, first.lastIndexOf('.') + 1);
            keys.add(normalized(first));
            for (String sibling : row.subList(1, row.size())) {
                keys.add(normalized(parent + (sibling.startsWith(".") ? sibling.substring(1) : sibling)));
            }
        }
        assertThat(keys).as("documented keys").isNotEmpty();
        return keys;
    }

    private static String normalized(String key) {
        return PLACEHOLDER.matcher(key).replaceAll("<*>");
    }
}
