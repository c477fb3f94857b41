package dev.parley.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * parley's benchmark load generator. Runs each case straight at the simulator ({@code POST /v1/messages}, the
 * baseline), through parley's chat API ({@code POST /v1/chat/stream}) and through parley's Anthropic-compatible front
 * door ({@code POST /anthropic/v1/messages}, the same request as direct), and prints each with its ratios to direct.
 * Loopback only, bounded in time and count. Arguments are {@code --key value} pairs, see {@code bench/README.md}; bench/run.sh
 * passes them all.
 */
public final class LoadGenerator {

    /**
     * A measured case. {@code paced}/{@code unpaced}: STREAMS slots on a shared connection pool, started 0.5 ms apart,
     * for a number of requests (paced) or a duration (unpaced). {@code clients}/{@code clients-unpaced}: CLIENTS
     * closed-loop clients started over one second, each opening streams one after another on its own kept-alive
     * connection, for a duration.
     */
    record Case(String kind, int streams, long requests, long seconds, boolean paced, boolean ownConnections) {

        static Case parse(String spec) {
            String[] parts = spec.split(":");
            return switch (parts[0]) {
                case "paced" -> new Case("paced", Integer.parseInt(parts[1]), Long.parseLong(parts[2]), 0, true,
                        false);
                case "unpaced" -> new Case("unpaced", Integer.parseInt(parts[1]), Long.MAX_VALUE,
                        Long.parseLong(parts[2]), false, false);
                case "clients" -> new Case("clients", Integer.parseInt(parts[1]), Long.MAX_VALUE,
                        Long.parseLong(parts[2]), true, true);
                case "clients-unpaced" -> new Case("clients-unpaced", Integer.parseInt(parts[1]), Long.MAX_VALUE,
                        Long.parseLong(parts[2]), false, true);
                default -> throw new IllegalArgumentException("case must be paced:STREAMS:REQUESTS, "
                        + "unpaced:STREAMS:SECONDS, clients:CLIENTS:SECONDS or clients-unpaced:CLIENTS:SECONDS, not "
                        + spec);
            };
        }

        String label() {
            return switch (kind) {
                case "paced" -> "paced " + streams;
                case "clients" -> "clients " + streams + " (" + seconds + " s)";
                case "clients-unpaced" -> "clients unpaced " + streams + " (" + seconds + " s)";
                default -> "unpaced " + streams + " (" + seconds + " s)";
            };
        }

        /** Between stream starts: 0.5 ms for the slot cases (2,000 open within a second); clients over one second. */
        long rampNanosPerStream() {
            return ownConnections ? 1_000_000_000L / streams : 500_000;
        }
    }

    /** One run of a case at one target, and what the processes used meanwhile. */
    record Run(StreamRun.Result result, Usage usage) {
    }

    /** One case's runs, direct first, then each relayed target in the order given. */
    record Measured(Case testCase, List<Run> runs) {

        Run direct() {
            return runs.getFirst();
        }
    }

    /** CPU seconds of each process during a run, and parley's peak RSS during it. */
    record Usage(double parleyCpu, double simulatorCpu, double loadgenCpu, long parleyPeakKb, long wallNanos,
            String loadAverage) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String simulator = required(opts, "simulator");
        String parley = required(opts, "parley");
        long parleyPid = Long.parseLong(required(opts, "parley-pid"));
        long simulatorPid = Long.parseLong(required(opts, "simulator-pid"));
        long selfPid = ProcessHandle.current().pid();
        long clk = Long.parseLong(opts.getOrDefault("clk-tck", "100"));
        int tokens = Integer.parseInt(opts.getOrDefault("tokens", "200"));
        String delay = opts.getOrDefault("delay", "5ms");
        int loops = Integer.parseInt(opts.getOrDefault("loops", "1"));
        long warmup = Long.parseLong(opts.getOrDefault("warmup", "10"));
        long caseTimeout = Long.parseLong(opts.getOrDefault("case-timeout", "240"));
        // parley sends its response headers with the first event, so on a starved machine a request may be silent
        // for long before anything arrives; this only catches streams that are truly stuck.
        long idleTimeoutMillis = 1000 * Long.parseLong(opts.getOrDefault("idle-timeout", "120"));
        String machine = opts.getOrDefault("machine", "");
        // The relayed targets measured beside direct: parley's chat API and its front door.
        List<String> relayed = List.of(opts.getOrDefault("targets", "parley door").trim().split("[\\s,]+"));
        List<Case> cases = new ArrayList<>();
        for (String spec : opts.getOrDefault("cases", "paced:1:20 paced:50:200 paced:500:1000 paced:2000:2000 "
                + "unpaced:32:15").trim().split("\\s+")) {
            cases.add(Case.parse(spec));
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(false));
        List<Measured> results = new ArrayList<>();
        try {
            if (warmup > 0) {
                // JIT-compile both servers' hot paths before anything is measured.
                System.out.printf("warming up for %d s per target...%n", warmup);
                for (StreamRun.Target target : targets(simulator, parley, tokens, "0ms", relayed)) {
                    new StreamRun(vertx, target, 16, loops, Long.MAX_VALUE, warmup * 1_000_000_000L, 0, 30_000, false)
                            .run((warmup + 30) * 1_000_000_000L);
                }
            }
            for (Case c : cases) {
                List<StreamRun.Target> targets = targets(simulator, parley, tokens, c.paced() ? delay : "0ms",
                        relayed);
                List<Run> runs = new ArrayList<>();
                for (int t = 0; t < targets.size(); t++) {
                    ProcStats.resetPeak(parleyPid);
                    String load = ProcStats.loadAverage();
                    long p0 = ProcStats.cpuNanos(parleyPid, clk);
                    long s0 = ProcStats.cpuNanos(simulatorPid, clk);
                    long l0 = ProcStats.cpuNanos(selfPid, clk);
                    long duration = c.seconds() > 0 ? c.seconds() * 1_000_000_000L : caseTimeout * 1_000_000_000L;
                    StreamRun.Result r = new StreamRun(vertx, targets.get(t), c.streams(), loops, c.requests(),
                            duration, c.rampNanosPerStream(), idleTimeoutMillis, c.ownConnections())
                            .run(caseTimeout * 1_000_000_000L);
                    Usage usage = new Usage((ProcStats.cpuNanos(parleyPid, clk) - p0) / 1e9,
                            (ProcStats.cpuNanos(simulatorPid, clk) - s0) / 1e9,
                            (ProcStats.cpuNanos(selfPid, clk) - l0) / 1e9, ProcStats.peakRssKb(parleyPid),
                            r.wallNanos(), load);
                    runs.add(new Run(r, usage));
                    System.out.println(line(c, r, usage));
                    if (!r.samples().isEmpty()) {
                        System.out.println("    errors " + r.errors() + " e.g. " + r.samples());
                    }
                }
                results.add(new Measured(c, runs));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        String report = report(results, tokens, delay, machine);
        System.out.println();
        System.out.println(report);
        if (opts.containsKey("out")) {
            write(Path.of(opts.get("out")), report);
        }
    }

    /** Direct, then the relayed targets named in {@code relayed}, in their order. */
    private static List<StreamRun.Target> targets(String simulator, String parley, int tokens, String delay,
            List<String> relayed) {
        // The same reply both ways: parley's "concise" profile (no tools) sends exactly this model, limit and
        // system prompt, so the simulator does the same work for both targets.
        String prompt = "Benchmark turn. [[sim:tokens=" + tokens + "]] [[sim:delay=" + delay + "]]";
        String direct = "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":1024,\"stream\":true,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"Answer in at most three sentences.\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        String chat = "{\"message\":\"" + prompt + "\",\"assistant\":\"concise\"}";
        List<StreamRun.Target> all = List.of(
                new StreamRun.Target("direct", simulator + "/v1/messages",
                        Map.of("content-type", "application/json", "x-api-key", "parley-simulator-key",
                                "anthropic-version", "2023-06-01", "accept", "text/event-stream"),
                        direct, SseCounter.Dialect.ANTHROPIC),
                new StreamRun.Target("parley", parley + "/v1/chat/stream",
                        Map.of("content-type", "application/json", "accept", "text/event-stream"), chat,
                        SseCounter.Dialect.PARLEY),
                // The front door passes the direct request through as it is: the same body, any key (auth none).
                new StreamRun.Target("door", parley + "/anthropic/v1/messages",
                        Map.of("content-type", "application/json", "x-api-key", "bench-caller",
                                "anthropic-version", "2023-06-01", "accept", "text/event-stream"),
                        direct, SseCounter.Dialect.ANTHROPIC));
        List<StreamRun.Target> chosen = new ArrayList<>(List.of(all.getFirst()));
        for (String name : relayed) {
            chosen.add(all.stream().filter(target -> target.name().equals(name)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("--targets names parley and door, not " + name)));
        }
        return chosen;
    }

    private static String line(Case c, StreamRun.Result r, Usage u) {
        return String.format(Locale.ROOT,
                "%-20s %-6s ok=%d err=%d ttft p50=%.2f p99=%.2f ms  total p50=%.1f p99=%.1f ms  %.0f tok/s  "
                        + "cpu parley=%.2fs sim=%.2fs loadgen=%.2fs  parley peak=%d MB  connections %d  load %s",
                c.label(), r.target(), r.ok(), r.errorCount(), StreamRun.Result.percentileMillis(r.ttft(), 50),
                StreamRun.Result.percentileMillis(r.ttft(), 99), StreamRun.Result.percentileMillis(r.total(), 50),
                StreamRun.Result.percentileMillis(r.total(), 99), r.tokensPerSecond(), u.parleyCpu(),
                u.simulatorCpu(), u.loadgenCpu(), u.parleyPeakKb() / 1024, r.connections(), u.loadAverage());
    }

    private static String report(List<Measured> results, int tokens, String delay, String machine) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Paced: %d tokens, %s apart; unpaced: %d tokens back to back. %s%n%n",
                tokens, delay, tokens, machine));
        if (results.stream().anyMatch(m -> m.testCase().ownConnections())) {
            out.append("Clients: closed-loop clients started over one second, each opening streams one after another "
                    + "on its own kept-alive connection, for the case's duration.\n\n");
        }
        out.append("| case | target | ok | errors | TTFT p50 / p99 (ms) | total p50 / p99 (ms) | tokens/s | "
                + "text KB/s | parley CPU µs/token | parley peak RSS (MB) | CPU used: parley / simulator / "
                + "loadgen (cores) | machine load before |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Measured m : results) {
            for (Run run : m.runs()) {
                row(out, m.testCase(), run.result(), run.usage(), run != m.direct());
            }
        }
        // The simulator's CPU per token when serving direct: what merely producing and writing a token costs on this
        // machine, the scale for parley's CPU per relayed token (which reads and writes each one).
        out.append("\n| case | through | added TTFT p50 (ms) | TTFT p99 relayed/direct | token rate relayed/direct |"
                + " total p99 relayed/direct | simulator CPU µs/token (direct) | streams / connections opened: "
                + "direct, relayed |\n|---|---|---|---|---|---|---|---|\n");
        for (Measured m : results) {
            StreamRun.Result direct = m.direct().result();
            double d50 = StreamRun.Result.percentileMillis(direct.ttft(), 50);
            for (Run run : m.runs().subList(1, m.runs().size())) {
                StreamRun.Result relayed = run.result();
                out.append(String.format(Locale.ROOT,
                        "| %s | %s | %+.2f | %.2f× | %.0f %% | %.2f× | %.1f | %d / %d, %d / %d |%n",
                        m.testCase().label(), relayed.target(),
                        StreamRun.Result.percentileMillis(relayed.ttft(), 50) - d50,
                        StreamRun.Result.percentileMillis(relayed.ttft(), 99)
                                / StreamRun.Result.percentileMillis(direct.ttft(), 99),
                        100 * relayed.tokensPerSecond() / direct.tokensPerSecond(),
                        StreamRun.Result.percentileMillis(relayed.total(), 99)
                                / StreamRun.Result.percentileMillis(direct.total(), 99),
                        m.direct().usage().simulatorCpu() * 1e6 / Math.max(1, direct.textEvents()),
                        direct.started(), direct.connections(), relayed.started(), relayed.connections()));
            }
        }
        return out.toString();
    }

    private static void row(StringBuilder out, Case c, StreamRun.Result r, Usage u, boolean relayed) {
        double seconds = u.wallNanos() / 1e9;
        out.append(String.format(Locale.ROOT,
                "| %s | %s | %d | %s | %.2f / %.2f | %.1f / %.1f | %.0f | %.1f | %s | %s | %.2f / %.2f / %.2f | %s |%n",
                c.label(), r.target(), r.ok(), r.errorCount() == 0 ? "0" : r.errorCount() + " " + r.errors(),
                StreamRun.Result.percentileMillis(r.ttft(), 50), StreamRun.Result.percentileMillis(r.ttft(), 99),
                StreamRun.Result.percentileMillis(r.total(), 50), StreamRun.Result.percentileMillis(r.total(), 99),
                r.tokensPerSecond(), r.bytesPerSecond() / 1024,
                relayed && r.textEvents() > 0 ? String.format(Locale.ROOT, "%.1f", u.parleyCpu() * 1e6 / r.textEvents())
                        : "–",
                relayed ? Long.toString(u.parleyPeakKb() / 1024) : "–", u.parleyCpu() / seconds,
                u.simulatorCpu() / seconds, u.loadgenCpu() / seconds, u.loadAverage()));
    }

    private static String required(Map<String, String> opts, String key) {
        String value = opts.get(key);
        if (value == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    private static void write(Path file, String report) throws IOException {
        Files.writeString(file, report, StandardCharsets.UTF_8);
        PrintStream out = System.out;
        out.println("written to " + file);
    }
}
