package dev.parley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings.ConfigClass;

/**
 * The manifests under {@code deploy/k8s} agree with the application they deploy: its port, its health paths, its
 * configuration keys, its graceful shutdown, its image names; and with each other (labels, selectors, kustomizations).
 * Plain JUnit: it reads files, and the configuration mappings compiled into {@code target/classes}.
 */
class DeploymentManifestsTest {

    private static final Path DEPLOY = Path.of("deploy/k8s");
    private static final Path APPLICATION_PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Path DOCKERFILES = Path.of("src/main/docker");
    private static final Path CLASSES = Path.of("target/classes");
    private static final Map<String, String> PROBE_PATHS = Map.of("livenessProbe", "/q/health/live", "readinessProbe",
            "/q/health/ready", "startupProbe", "/q/health/started");
    /** {@code ${NAME}} or {@code ${NAME:default}} in application.properties: environment variables it reads. */
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");
    private static final Pattern IMAGE_TAG = Pattern.compile("docker build -f (\\S+) -t ([^:\\s]+)");
    private static final Path README = Path.of("README.md");
    /**
     * {@code README "A"}, {@code README's "A"}, {@code deploy/k8s/README.md, "A", "B" and "C"}: headings of a README
     * (group 1: its directory, none for the project's own).
     */
    private static final Pattern QUOTED_REFERENCE = Pattern
            .compile("\\b((?:[\\w.-]+/)+)?README(?:\\.md)?`?(?:'s)?,? (\"[^\"]+\"(?:(?:, | and )\"[^\"]+\")*)");
    /** A Markdown link to a heading: {@code [text](file.md#anchor)} or {@code [text](#anchor)}. */
    private static final Pattern MARKDOWN_LINK = Pattern.compile("\\]\\(([^)#\\s]*)#([^)\\s]+)\\)");
    private static final Path STATIC_RESOURCES = Path.of("src/main/resources/META-INF/resources");
    private static final List<String> JVM_DOCKERFILES = List.of("Dockerfile.jvm", "Dockerfile.jvm-aot");
    /** The JVM memory options of a JVM image, one variable that every launch in the Dockerfile uses. */
    private static final Pattern MEMORY_OPTIONS = Pattern.compile("(?m)^ENV PARLEY_JVM_MEMORY_OPTS=\"([^\"]+)\"$");
    /** The options that cap a memory pool of the JVM, in MiB. */
    private static final Pattern POOL_CAP = Pattern
            .compile("-(?:Xmx|XX:MaxDirectMemorySize=|XX:ReservedCodeCacheSize=|XX:MaxMetaspaceSize=)(\\d+)m");
    /** What the pools' caps leave out and a limit must hold too: thread stacks, malloc, GC and JIT structures. */
    private static final long UNCAPPED_MIB = 64;
    /**
     * What a native executable holds besides its heap: its code and image heap (mapped from the file, about 85 MB
     * resident when idle, README "Native"), thread stacks and malloc.
     */
    private static final long NATIVE_OUTSIDE_HEAP_MIB = 128;

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Every document of every manifest, with the file it came from. */
    record Manifest(Path file, JsonNode document) {

        String kind() {
            return document.path("kind").asText();
        }

        String name() {
            return document.path("metadata").path("name").asText();
        }
    }

    private static List<Manifest> manifests;
    private static Properties properties;
    private static String propertiesText;

    @BeforeAll
    static void readEverything() throws IOException {
        manifests = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(DeploymentManifestsTest::isYaml).sorted().toList()) {
                try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    documents.readAll().stream().filter(document -> !document.isNull())
                            .forEach(document -> manifests.add(new Manifest(file, document)));
                }
            }
        }
        propertiesText = Files.readString(APPLICATION_PROPERTIES);
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            properties.load(reader);
        }
    }

    @Test
    void everyKustomizationListsEveryManifestOfItsDirectoryButTheTemplates() throws IOException {
        List<Manifest> kustomizations = new ArrayList<>(ofKind("Kustomization"));
        kustomizations.addAll(ofKind("Component"));
        assertThat(kustomizations).extracting(manifest -> manifest.file().getParent().toString())
                .containsExactlyInAnyOrder("deploy/k8s", "deploy/k8s/knative", "deploy/k8s/common");
        for (Manifest kustomization : kustomizations) {
            Path directory = kustomization.file().getParent();
            Set<String> listed = new TreeSet<>();
            kustomization.document().path("resources").forEach(resource -> listed.add(resource.asText()));
            Set<String> present = new TreeSet<>();
            try (Stream<Path> files = Files.list(directory)) {
                files.filter(DeploymentManifestsTest::isYaml).map(file -> file.getFileName().toString())
                        .filter(name -> !name.equals("kustomization.yaml") && !name.endsWith(".example.yaml"))
                        .forEach(present::add);
            }
            assertThat(listed).as("resources of %s", kustomization.file()).isEqualTo(present);
        }
        // Both variants take what they share from the one component.
        for (Manifest variant : ofKind("Kustomization")) {
            Set<Path> components = new TreeSet<>();
            variant.document().path("components").forEach(component -> components
                    .add(variant.file().getParent().resolve(component.asText()).normalize()));
            assertThat(components).as("components of %s", variant.file())
                    .containsExactly(common().file().getParent());
        }
    }

    @Test
    void containersListenOnTheApplicationsHttpPort() {
        int port = Integer.parseInt(properties.getProperty("quarkus.http.port"));
        for (JsonNode container : containers()) {
            assertThat(container.path("ports")).as("ports of %s", container).hasSize(1);
            assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(port);
        }
        String targetPort = kubernetesService().path("spec").path("ports").get(0).path("targetPort").asText();
        JsonNode deploymentPort = deployment().path("spec").path("template").path("spec").path("containers").get(0)
                .path("ports").get(0);
        assertThat(targetPort).isIn(deploymentPort.path("name").asText(), String.valueOf(port));
    }

    @Test
    void probesUseTheRealHealthPaths() {
        List<JsonNode> containers = containers();
        for (JsonNode container : containers) {
            assertThat(container.has("livenessProbe") && container.has("readinessProbe")).as("probes of %s", container)
                    .isTrue();
            PROBE_PATHS.forEach((probe, path) -> {
                if (container.has(probe)) {
                    assertThat(container.path(probe).path("httpGet").path("path").asText()).as(probe).isEqualTo(path);
                }
            });
        }
        assertThat(deployment().path("spec").path("template").path("spec").path("containers").get(0)
                .has("startupProbe")).isTrue();
    }

    @Test
    void everyEnvironmentVariableIsARealConfigurationKey() throws Exception {
        List<Pattern> keys = configurationKeys().stream().map(DeploymentManifestsTest::environmentName).toList();
        Set<String> referenced = new HashSet<>();
        Matcher reference = ENV_REFERENCE.matcher(propertiesText);
        while (reference.find()) {
            referenced.add(reference.group(1));
        }
        Set<String> variables = environmentVariables();
        assertThat(variables).contains("PARLEY_AUTH_MODE", "ANTHROPIC_API_KEY", "PARLEY_LEDGER_STORE",
                "PARLEY_LEDGER_JDBC_URL");
        for (String variable : variables) {
            assertThat(referenced.contains(variable)
                    || keys.stream().anyMatch(key -> key.matcher(variable).matches()))
                    .as("%s is neither a configuration key nor read by application.properties", variable).isTrue();
        }
    }

    @Test
    void productionConfigurationIsExplicit() {
        for (Manifest configMap : ofKind("ConfigMap")) {
            JsonNode data = configMap.document().path("data");
            assertThat(data.path("PARLEY_AUTH_MODE").asText()).as("auth mode in %s", configMap.file())
                    .isIn("api-key", "gateway");
            assertThat(data.path("PARLEY_LEDGER_STORE").asText()).isEqualTo("postgresql");
            // The root filesystem is read-only: the journal must be on a mounted volume.
            String journal = data.path("PARLEY_LEDGER_JOURNAL_FILE").asText();
            assertThat(volumeMountPaths()).anyMatch(mount -> journal.startsWith(mount + "/"));
        }
    }

    /**
     * A workload that may run more than one replica keeps conversations in Redis: with the memory store a conversation
     * continued on another replica is {@code conversation_not_found}. Its budgets need the shared ledger too, and its
     * rate limits Redis as well.
     */
    @Test
    void severalReplicasShareOneConversationStore() {
        Map<String, JsonNode> workloads = Map.of("Deployment", deployment(), "Knative Service", knativeService());
        workloads.forEach((kind, workload) -> {
            Map<String, String> environment = environment(
                    workload.path("spec").path("template").path("spec").path("containers").get(0));
            if (mostReplicas(kind, workload) > 1) {
                assertThat(environment.get("PARLEY_CONVERSATIONS_STORE"))
                        .as("%s of up to %d replicas: the conversation store", kind, mostReplicas(kind, workload))
                        .isEqualTo("redis");
                assertThat(environment.get("PARLEY_REDIS_URL")).as("%s: where Redis is", kind)
                        .startsWith("redis");
                assertThat(environment.get("PARLEY_RATE_LIMITS_STORE"))
                        .as("%s: the rate limits, one per caller across the replicas", kind).isEqualTo("redis");
                assertThat(environment.get("PARLEY_STREAMS_STORE"))
                        .as("%s: resumable turns, resumed on any replica", kind).isEqualTo("redis");
                assertThat(environment.get("PARLEY_LEDGER_STORE")).as("%s: the ledger budgets are shared through",
                        kind).isEqualTo("postgresql");
            }
        });
    }

    /**
     * The journal holds every ledger row until PostgreSQL has it: it must outlive the container (a crash, an OOM kill:
     * an {@code emptyDir} or a persistent volume does, deploy/k8s/README.md says what survives what), sit on disk (a
     * memory-backed {@code emptyDir} makes its sync a no-op), and have room for more than one journal segment.
     */
    @Test
    void theLedgerJournalIsOnADiskBackedVolumeThatOutlivesTheContainer() {
        for (JsonNode pod : List.of(deployment().path("spec").path("template").path("spec"),
                knativeService().path("spec").path("template").path("spec"))) {
            String journal = ofKind("ConfigMap").getFirst().document().path("data").path("PARLEY_LEDGER_JOURNAL_FILE")
                    .asText();
            JsonNode mount = null;
            for (JsonNode candidate : pod.path("containers").get(0).path("volumeMounts")) {
                if (journal.startsWith(candidate.path("mountPath").asText() + "/")) {
                    mount = candidate;
                }
            }
            assertThat(mount).as("the journal's volume mount").isNotNull();
            String volumeName = mount.path("name").asText();
            JsonNode volume = null;
            for (JsonNode candidate : pod.path("volumes")) {
                if (candidate.path("name").asText().equals(volumeName)) {
                    volume = candidate;
                }
            }
            assertThat(volume).as("volume %s", volumeName).isNotNull();
            assertThat(volume.has("emptyDir") || volume.has("persistentVolumeClaim"))
                    .as("the journal outlives its container").isTrue();
            assertThat(volume.path("emptyDir").path("medium").asText("")).as("disk-backed").isNotEqualTo("Memory");
            String size = volume.path("emptyDir").path("sizeLimit").asText("");
            if (!size.isEmpty()) {
                assertThat(Long.parseLong(size.replace("Mi", "")) * 1024 * 1024)
                        .as("room for several journal segments").isGreaterThan(4 * (8L << 20));
            }
        }
    }

    @Test
    void containersRunAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp() {
        assertThat(volumeMountPaths()).contains("/tmp");
        for (JsonNode container : containers()) {
            assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
            assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        }
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        JsonNode knative = knativeService().path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(knative.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    }

    @Test
    void terminationGracePeriodCoversTheWholeGracefulShutdown() throws Exception {
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        long preStop = pod.path("containers").get(0).path("lifecycle").path("preStop").path("sleep").path("seconds")
                .asLong();
        Map<String, String> defaults = mappingDefaults();
        Duration delay = DurationConverter.parseDuration(properties.getProperty("quarkus.shutdown.delay"));
        Duration gracePeriod = DurationConverter.parseDuration(defaults.get("parley.shutdown.grace-period"));
        Duration ledgerFlush = DurationConverter.parseDuration(defaults.get("parley.ledger.shutdown-timeout"));
        // quarkus.shutdown.timeout follows the grace period: make sure it still does.
        assertThat(properties.getProperty("quarkus.shutdown.timeout")).startsWith("${parley.shutdown.grace-period");

        Duration needed = Duration.ofSeconds(preStop).plus(delay).plus(gracePeriod).plus(ledgerFlush);
        assertThat(preStop).isPositive();
        assertThat(Duration.ofSeconds(pod.path("terminationGracePeriodSeconds").asLong())).isGreaterThan(needed);
    }

    @Test
    void labelsAndSelectorsFitTogether() {
        JsonNode deployment = deployment();
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        JsonNode selector = deployment.path("spec").path("selector").path("matchLabels");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(isSubset(selector, podLabels)).as("Deployment selector matches its pods").isTrue();

        assertThat(isSubset(kubernetesService().path("spec").path("selector"), podLabels))
                .as("Service selects the pods").isTrue();

        for (JsonNode path : only("Ingress").path("spec").path("rules").get(0).path("http").path("paths")) {
            JsonNode backend = path.path("backend").path("service");
            assertThat(backend.path("name").asText())
                    .isEqualTo(kubernetesService().path("metadata").path("name").asText());
            assertThat(backend.path("port").path("name").asText())
                    .isEqualTo(kubernetesService().path("spec").path("ports").get(0).path("name").asText());
        }

        JsonNode pdb = only("PodDisruptionBudget");
        assertThat(pdb.path("spec").path("selector").path("matchLabels")).isEqualTo(selector);

        JsonNode target = only("HorizontalPodAutoscaler").path("spec").path("scaleTargetRef");
        assertThat(target.path("kind").asText()).isEqualTo("Deployment");
        assertThat(target.path("name").asText()).isEqualTo(deployment.path("metadata").path("name").asText());
        assertThat(only("HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt())
                .isGreaterThanOrEqualTo(2);
    }

    /**
     * The autoscaler scales on a signal that falls when the load goes, served by every cluster's metrics-server: not
     * memory, which a JVM keeps once committed (an HPA on it scales up and never down), and not a custom metric, which
     * needs an adapter (one that is not served stops every scale-down). Utilization needs the container's request.
     */
    @Test
    void theAutoscalerScalesOnASignalThatFallsWithTheLoad() {
        JsonNode metrics = only("HorizontalPodAutoscaler").path("spec").path("metrics");
        assertThat(metrics).as("HPA metrics").isNotEmpty();
        JsonNode requests = deployment().path("spec").path("template").path("spec").path("containers").get(0)
                .path("resources").path("requests");
        for (JsonNode metric : metrics) {
            assertThat(metric.path("type").asText()).as("metric %s: served by metrics-server", metric)
                    .isIn("Resource", "ContainerResource");
            JsonNode resource = metric.path(metric.path("type").asText().equals("Resource")
                    ? "resource"
                    : "containerResource");
            assertThat(resource.path("name").asText()).as("metric %s: a JVM does not give memory back", metric)
                    .isNotEqualTo("memory").isEqualTo("cpu");
            if (resource.path("target").path("type").asText().equals("Utilization")) {
                assertThat(requests.path("cpu").asText()).as("the CPU request utilization is relative to")
                        .isNotEmpty();
            }
        }
    }

    /**
     * The example Ingress serves what a browser and an API client need, the chat page's static files and {@code /v1},
     * and nothing under {@code /q} (health, metrics, OpenAPI: for the cluster only), with Kubernetes' path matching
     * (Exact: the whole path; Prefix: whole path elements). It passes a stream on as it comes, lets it last a whole
     * turn, and lets through every body parley would answer itself.
     */
    @Test
    void theExampleIngressServesTheChatPageAndTheApiButNotQ() throws Exception {
        JsonNode ingress = only("Ingress");
        List<JsonNode> paths = new ArrayList<>();
        ingress.path("spec").path("rules").forEach(rule -> rule.path("http").path("paths").forEach(paths::add));
        Set<String> page = new TreeSet<>();
        try (Stream<Path> files = Files.list(STATIC_RESOURCES)) {
            files.map(file -> file.getFileName().toString())
                    .forEach(name -> page.add(name.equals("index.html") ? "/" : "/" + name));
        }
        assertThat(page).contains("/", "/app.js", "/app.css");
        for (String served : page) {
            assertThat(routes(paths, served)).as("the chat page's %s", served).isTrue();
        }
        for (String served : List.of("/v1/chat/stream", "/v1/chat", "/v1/assistants", "/v1/messages")) {
            assertThat(routes(paths, served)).as("the API's %s", served).isTrue();
        }
        for (String internal : List.of("/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi")) {
            assertThat(routes(paths, internal)).as("%s stays inside the cluster", internal).isFalse();
        }

        JsonNode annotations = ingress.path("metadata").path("annotations");
        Map<String, String> defaults = mappingDefaults();
        assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText()).isEqualTo("off");
        Duration deadline = DurationConverter.parseDuration(defaults.get("parley.limits.max-deadline"));
        assertThat(annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asLong())
                .as("read timeout, s: a whole turn").isGreaterThanOrEqualTo(deadline.toSeconds());
        // nginx's sizes (k, m, g) are powers of 1024, as Quarkus's are.
        long bodySize = new MemorySizeConverter()
                .convert(annotations.path("nginx.ingress.kubernetes.io/proxy-body-size").asText()).asLongValue();
        assertThat(bodySize).as("nginx's largest body, above parley's own (%d bytes)", largestChatBody(defaults))
                .isGreaterThan(largestChatBody(defaults));
    }

    @Test
    void imagesAreTheOnesTheDockerfilesBuild() throws IOException {
        Map<String, String> dockerfileByImage = new HashMap<>();
        try (Stream<Path> files = Files.list(DOCKERFILES)) {
            for (Path dockerfile : files.toList()) {
                Matcher tag = IMAGE_TAG.matcher(Files.readString(dockerfile));
                while (tag.find()) {
                    assertThat(tag.group(1)).as("the build command in %s", dockerfile)
                            .isEqualTo("src/main/docker/" + dockerfile.getFileName());
                    dockerfileByImage.put(tag.group(2), tag.group(1));
                }
            }
        }
        assertThat(dockerfileByImage).containsKeys("parley/parley-jvm", "parley/parley-jvm-aot",
                "parley/parley-native");
        Map<String, JsonNode> images = imageSettings();
        assertThat(images).isNotEmpty();
        images.values().forEach(image -> assertThat(image.path("newName").asText()).as("image %s", image)
                .isIn(dockerfileByImage.keySet()));
        for (JsonNode container : containers()) {
            assertThat(images).as("an image setting for the container's %s", container.path("image"))
                    .containsKey(container.path("image").asText());
        }
    }

    /**
     * Registry, name and tag of each image are set in one file, the component both kustomizations take: the manifests
     * name a placeholder without registry or tag, which its {@code images} replace. Nothing else under deploy/k8s,
     * comments included, names an image the Dockerfiles build, so a change of registry or tag is one edit.
     */
    @Test
    void theImagesAreNamedInExactlyOneFile() throws IOException {
        Set<String> built = new TreeSet<>();
        try (Stream<Path> files = Files.list(DOCKERFILES)) {
            for (Path dockerfile : files.toList()) {
                Matcher tag = IMAGE_TAG.matcher(Files.readString(dockerfile));
                while (tag.find()) {
                    built.add(tag.group(2));
                }
            }
        }
        Pattern anyBuiltImage = Pattern.compile(String.join("|", built.stream().map(Pattern::quote).toList()));
        Set<Path> naming = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(DeploymentManifestsTest::isYaml).toList()) {
                if (anyBuiltImage.matcher(Files.readString(file)).find()) {
                    naming.add(file);
                }
            }
        }
        assertThat(naming).as("files naming one of %s", built).hasSize(1);
        assertThat(naming).containsExactly(common().file());
        for (JsonNode container : containers()) {
            assertThat(container.path("image").asText()).as("a placeholder, without registry or tag")
                    .matches("[a-z0-9-]+");
        }
    }

    /**
     * Every cross-reference in deploy/k8s (its README, the manifests' comments) and in the README's "Deploying" names a
     * heading that exists: {@code README "Memory"} one of README.md, {@code deploy/k8s/README.md, "Scaling"} one of
     * that file, a Markdown link's {@code #anchor} one of the file it points at.
     */
    @Test
    void crossReferencesNameRealHeadings() throws IOException {
        Map<Path, String> texts = new HashMap<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(file -> isYaml(file) || file.toString().endsWith(".md")).toList()) {
                String text = Files.readString(file);
                // A comment's sentence goes on in the next comment line.
                texts.put(file, isYaml(file) ? text.replaceAll("\\n\\s*#\\s*", " ") : text);
            }
        }
        String readme = Files.readString(README);
        Matcher deploying = Pattern.compile("(?ms)^## Deploying$.*?(?=^## )").matcher(readme);
        assertThat(deploying.find()).as("README's Deploying section").isTrue();
        texts.put(README, deploying.group());
        int references = 0;
        for (Map.Entry<Path, String> entry : texts.entrySet()) {
            String text = entry.getValue().replaceAll("\\s*\\n\\s*", " ");
            Matcher quoted = QUOTED_REFERENCE.matcher(text);
            while (quoted.find()) {
                Path target = quoted.group(1) == null ? README : Path.of(quoted.group(1) + "README.md");
                Matcher heading = Pattern.compile("\"([^\"]+)\"").matcher(quoted.group(2));
                while (heading.find()) {
                    references++;
                    assertThat(headings(target)).as("%s refers to %s \"%s\"", entry.getKey(), target, heading.group(1))
                            .contains(heading.group(1));
                }
            }
            Matcher link = MARKDOWN_LINK.matcher(text);
            while (link.find()) {
                Path target = link.group(1).isEmpty()
                        ? entry.getKey()
                        : entry.getKey().resolveSibling(link.group(1)).normalize();
                references++;
                assertThat(headings(target).stream().map(DeploymentManifestsTest::anchor).toList())
                        .as("%s links to %s#%s", entry.getKey(), target, link.group(2)).contains(link.group(2));
            }
        }
        assertThat(references).as("cross-references found").isGreaterThan(5);
    }

    /**
     * One set of JVM memory options wherever parley is launched: both JVM images (every launch in them, the AOT
     * training run too) and the README's {@code java -jar} lines, with Serial GC and two malloc arenas, and the
     * README's with the JDK of {@code $JAVA_HOME}.
     */
    @Test
    void theJvmImagesAndTheReadmeLaunchParleyWithTheSameMemoryOptions() throws IOException {
        String options = memoryOptions("Dockerfile.jvm");
        assertThat(options).contains("-Xmx", "-XX:MaxDirectMemorySize=", "-XX:MaxMetaspaceSize=",
                "-XX:ReservedCodeCacheSize=");
        for (String name : JVM_DOCKERFILES) {
            String dockerfile = Files.readString(DOCKERFILES.resolve(name));
            assertThat(memoryOptions(name)).as(name).isEqualTo(options);
            assertThat(dockerfile).as(name).contains("GC_CONTAINER_OPTIONS=\"-XX:+UseSerialGC\"",
                    "JAVA_MAX_MEM_RATIO=0", "MALLOC_ARENA_MAX=2");
            Matcher launch = Pattern.compile("JAVA_OPTS_APPEND=\"([^\"]*)").matcher(dockerfile);
            int launches = 0;
            while (launch.find()) {
                launches++;
                assertThat(launch.group(1)).as("a launch in %s", name).startsWith("$PARLEY_JVM_MEMORY_OPTS ");
            }
            assertThat(launches).as(name).isPositive();
        }
        String readme = Files.readString(README).replace("\\\n", " ");
        List<String> readmeLaunches = readme.lines()
                .filter(line -> line.contains("-jar target/quarkus-app/quarkus-run.jar"))
                .toList();
        assertThat(readmeLaunches).hasSizeGreaterThanOrEqualTo(2);
        for (String line : readmeLaunches) {
            String squashed = line.replaceAll("\\s+", " ");
            // The JDK the README tells a newcomer to set, not the PATH's java (17 on Debian).
            assertThat(squashed).as("README: %s", line).contains("MALLOC_ARENA_MAX=2",
                    "\"$JAVA_HOME/bin/java\" -XX:+UseSerialGC " + options);
        }
    }

    /** The container's memory limit holds every pool the JVM options cap, and room for what they cannot cap. */
    @Test
    void theMemoryLimitHoldsTheJvmsCappedPoolsWithHeadroom() {
        String options = memoryOptions("Dockerfile.jvm");
        long capped = 0;
        Matcher cap = POOL_CAP.matcher(options);
        while (cap.find()) {
            capped += Long.parseLong(cap.group(1));
        }
        long nativeHeap = nativeHeapCap();
        for (JsonNode container : containers()) {
            JsonNode resources = container.path("resources");
            long limit = mebibytes(resources.path("limits").path("memory").asText());
            long request = mebibytes(resources.path("requests").path("memory").asText());
            boolean isNative = container.path("image").asText().equals("parley-native");
            assertThat(limit).as("memory limit of %s", container.path("image").asText())
                    .isGreaterThanOrEqualTo(isNative ? nativeHeap + NATIVE_OUTSIDE_HEAP_MIB : capped + UNCAPPED_MIB);
            assertThat(request).as("memory request").isPositive().isLessThanOrEqualTo(limit);
        }
    }

    /**
     * The Knative Service runs the native executable, and its image carries what the executable links at run time:
     * the JDK's {@code .so} files the build leaves beside the runner (README "Native").
     */
    @Test
    void theKnativeServiceRunsTheNativeImageWithItsLibraries() throws IOException {
        JsonNode container = knativeService().path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("image").asText()).isEqualTo("parley-native");
        assertThat(imageSettings().get("parley-native").path("newName").asText()).isEqualTo("parley/parley-native");
        String dockerfile = Files.readString(DOCKERFILES.resolve("Dockerfile.native"));
        assertThat(dockerfile).contains("COPY --chown=1001:root --chmod=0755 target/*-runner /work/application")
                .contains("COPY --chown=1001:root --chmod=0644 target/*.so /work/")
                .contains("ENV PARLEY_LEDGER_STORE=postgresql");
    }

    /** The heap cap the native image's entry point gives the executable, in MiB. */
    private static long nativeHeapCap() {
        try {
            Matcher entryPoint = Pattern.compile("(?m)^ENTRYPOINT \\[\"\\./application\", \"-Xmx(\\d+)m\"")
                    .matcher(Files.readString(DOCKERFILES.resolve("Dockerfile.native")));
            assertThat(entryPoint.find()).as("Dockerfile.native caps the heap on its entry point").isTrue();
            return Long.parseLong(entryPoint.group(1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void noSecretHoldsARealLookingValue() {
        List<Manifest> secrets = ofKind("Secret");
        assertThat(secrets).isNotEmpty();
        for (Manifest secret : secrets) {
            assertThat(secret.file().getFileName().toString()).endsWith(".example.yaml");
            assertThat(secret.document().has("data")).as("base64 data hides what it holds").isFalse();
            secret.document().path("stringData").properties().forEach(entry -> {
                String value = entry.getValue().asText();
                assertThat(value).as(entry.getKey()).matches("<[^>]*>").doesNotContain("sk-ant-");
            });
        }
    }

    // ---- what the application says

    /** Every configuration key: application.properties (profiles stripped) and every {@code @ConfigMapping}. */
    private static Set<String> configurationKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (String name : properties.stringPropertyNames()) {
            keys.add(name.replaceFirst("^%[^.]+\\.", ""));
        }
        keys.addAll(mappingDefaults().keySet());
        return keys;
    }

    /** Each property of each {@code @ConfigMapping} in target/classes (map keys as {@code *}), with its default. */
    private static Map<String, String> mappingDefaults() throws Exception {
        Map<String, String> all = new HashMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, DeploymentManifestsTest.class.getClassLoader());
                if (type.isInterface() && type.isAnnotationPresent(ConfigMapping.class)) {
                    all.putAll(ConfigClass.configClass(type).getProperties());
                }
            }
        }
        assertThat(all).as("mapping properties").containsKey("parley.shutdown.grace-period");
        return all;
    }

    /**
     * The environment variable names SmallRye Config maps to a key: every character but letters and digits becomes
     * {@code _}, letters upper case; a map key ({@code *}) may be any name.
     */
    private static Pattern environmentName(String key) {
        StringBuilder regex = new StringBuilder();
        for (char c : key.toCharArray()) {
            if (c == '*') {
                regex.append("[A-Z0-9_]+");
            } else if (Character.isLetterOrDigit(c)) {
                regex.append(Character.toUpperCase(c));
            } else {
                regex.append('_');
            }
        }
        return Pattern.compile(regex.toString().replace("\"", ""));
    }

    // ---- what the manifests say

    /** Variables set on containers directly, and the keys of the ConfigMaps and Secrets they take whole. */
    private static Set<String> environmentVariables() {
        Set<String> variables = new TreeSet<>();
        for (JsonNode container : containers()) {
            container.path("env").forEach(variable -> variables.add(variable.path("name").asText()));
            for (JsonNode source : container.path("envFrom")) {
                String kind = source.has("configMapRef") ? "ConfigMap" : "Secret";
                String name = source.path(source.has("configMapRef") ? "configMapRef" : "secretRef").path("name")
                        .asText();
                JsonNode referenced = ofKind(kind).stream().filter(manifest -> manifest.name().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " (or its template)"))
                        .document();
                referenced.path(kind.equals("ConfigMap") ? "data" : "stringData").properties()
                        .forEach(entry -> variables.add(entry.getKey()));
            }
        }
        return variables;
    }

    /** The headings of a Markdown file, those in code blocks left out. */
    private static List<String> headings(Path markdown) {
        assertThat(markdown).as("a file cross-referenced").isRegularFile();
        List<String> headings = new ArrayList<>();
        boolean inCode = false;
        try {
            for (String line : Files.readAllLines(markdown)) {
                if (line.startsWith("```")) {
                    inCode = !inCode;
                } else if (!inCode && line.matches("#{1,6} .+")) {
                    headings.add(line.replaceFirst("#+ ", "").strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return headings;
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
    private static String anchor(String heading) {
        return heading.toLowerCase().replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** Whether an Ingress path of these routes the request path, as Kubernetes defines Exact and Prefix. */
    private static boolean routes(List<JsonNode> paths, String request) {
        for (JsonNode path : paths) {
            String pattern = path.path("path").asText();
            boolean matches = switch (path.path("pathType").asText()) {
                case "Exact" -> request.equals(pattern);
                case "Prefix" -> pattern.equals("/") || request.equals(pattern.replaceAll("/$", ""))
                        || request.startsWith(pattern.replaceAll("/$", "") + "/");
                default -> request.startsWith(pattern); // ImplementationSpecific: ingress-nginx takes a prefix
            };
            if (matches) {
                return true;
            }
        }
        return false;
    }

    /**
     * parley's own largest request body with the default limits (what {@code parley.requests.max-body-size} is when
     * unset), computed by the application's own {@code RequestBodyGuard.largestLegalBody}.
     */
    private static long largestChatBody(Map<String, String> defaults) throws Exception {
        Class<?> limitsType = Class.forName("dev.parley.chat.ChatLimitsConfig");
        Object limits = Proxy.newProxyInstance(limitsType.getClassLoader(), new Class<?>[]{limitsType},
                (proxy, method, arguments) -> {
                    String key = "parley.limits." + method.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
                    assertThat(defaults).as("default of %s", key).containsKey(key);
                    return Integer.valueOf(defaults.get(key));
                });
        Method largest = Class.forName("dev.parley.api.RequestBodyGuard").getDeclaredMethod("largestLegalBody",
                limitsType);
        largest.setAccessible(true);
        return (Long) largest.invoke(null, limits);
    }

    /** What a container's environment says: the ConfigMaps it takes whole, then its own {@code env} values. */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            String name = source.path("configMapRef").path("name").asText();
            ofKind("ConfigMap").stream().filter(manifest -> manifest.name().equals(name))
                    .forEach(configMap -> configMap.document().path("data").properties()
                            .forEach(entry -> environment.put(entry.getKey(), entry.getValue().asText())));
        }
        container.path("env").forEach(variable -> environment.put(variable.path("name").asText(),
                variable.path("value").asText()));
        return environment;
    }

    /**
     * The most replicas a workload may run: a Deployment's own count or its autoscaler's maximum, a Knative Service's
     * {@code max-scale} (none: unbounded).
     */
    private static int mostReplicas(String kind, JsonNode workload) {
        if (kind.equals("Deployment")) {
            int most = workload.path("spec").path("replicas").asInt(1);
            for (Manifest hpa : ofKind("HorizontalPodAutoscaler")) {
                if (hpa.document().path("spec").path("scaleTargetRef").path("name").asText()
                        .equals(workload.path("metadata").path("name").asText())) {
                    most = Math.max(most, hpa.document().path("spec").path("maxReplicas").asInt());
                }
            }
            return most;
        }
        JsonNode maxScale = workload.path("spec").path("template").path("metadata").path("annotations")
                .path("autoscaling.knative.dev/max-scale");
        return maxScale.isMissingNode() || maxScale.asInt() == 0 ? Integer.MAX_VALUE : maxScale.asInt();
    }

    private static List<JsonNode> containers() {
        List<JsonNode> containers = new ArrayList<>();
        deployment().path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        knativeService().path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        return containers;
    }

    private static Set<String> volumeMountPaths() {
        Set<String> paths = new TreeSet<>();
        containers().forEach(container -> container.path("volumeMounts")
                .forEach(mount -> paths.add(mount.path("mountPath").asText())));
        return paths;
    }

    /** The kustomize Component that both kustomizations take: the images, the ConfigMap, the common labels. */
    private static Manifest common() {
        List<Manifest> components = ofKind("Component");
        assertThat(components).as("Component").hasSize(1);
        return components.getFirst();
    }

    /** The component's {@code images} entries, by the placeholder they replace. */
    private static Map<String, JsonNode> imageSettings() {
        Map<String, JsonNode> settings = new HashMap<>();
        common().document().path("images").forEach(image -> settings.put(image.path("name").asText(), image));
        return settings;
    }

    private static JsonNode deployment() {
        return only("Deployment");
    }

    private static JsonNode kubernetesService() {
        return ofKind("Service").stream()
                .filter(manifest -> manifest.document().path("apiVersion").asText().equals("v1")).findFirst()
                .orElseThrow().document();
    }

    private static JsonNode knativeService() {
        return ofKind("Service").stream()
                .filter(manifest -> manifest.document().path("apiVersion").asText().startsWith("serving.knative.dev/"))
                .findFirst().orElseThrow().document();
    }

    private static JsonNode only(String kind) {
        List<Manifest> all = ofKind(kind);
        assertThat(all).as(kind).hasSize(1);
        return all.get(0).document();
    }

    private static List<Manifest> ofKind(String kind) {
        return manifests.stream().filter(manifest -> manifest.kind().equals(kind)).toList();
    }

    private static boolean isSubset(JsonNode labels, JsonNode of) {
        if (labels.isEmpty()) {
            return false;
        }
        for (var entry : labels.properties()) {
            if (!entry.getValue().equals(of.path(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static String memoryOptions(String dockerfile) {
        try {
            Matcher options = MEMORY_OPTIONS.matcher(Files.readString(DOCKERFILES.resolve(dockerfile)));
            assertThat(options.find()).as("PARLEY_JVM_MEMORY_OPTS in %s", dockerfile).isTrue();
            return options.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long mebibytes(String quantity) {
        assertThat(quantity).as("a memory quantity in Mi or Gi").matches("\\d+[MG]i");
        long value = Long.parseLong(quantity.substring(0, quantity.length() - 2));
        return quantity.endsWith("Gi") ? value * 1024 : value;
    }

    private static boolean isYaml(Path file) {
        return Files.isRegularFile(file) && file.toString().endsWith(".yaml");
    }
}
