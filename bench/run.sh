#!/usr/bin/env bash
# parley's relay benchmark: a simulator process, a parley process relaying to it, and a load generator that runs
# every case straight at the simulator and through parley. See bench/README.md.
#
#   bench/run.sh                       all cases (about 4 minutes on 2 cores)
#   CASES="paced:50:200" bench/run.sh  just one
#   CASES="clients:50:20" bench/run.sh 50 closed-loop clients, each on its own kept-alive connection, for 20 s
#
# Environment: CASES, TOKENS (200), DELAY (5ms), WARMUP (10 s per target), LOOPS (load generator event loops, 1),
# PARLEY_JAVA_OPTS / SIMULATOR_JAVA_OPTS (JVM flags), PARLEY_EXTRA_OPTS (more -D flags for parley, e.g. JFR),
# PARLEY_ENV (environment for parley only), PARLEY_JAR (the parley build to measure, e.g. a copy of an older
# target/quarkus-app, for a before/after comparison against the same simulator; default: this build's; or a native
# executable, its runner with the JDK .so files beside it, with PARLEY_ENV giving it a PostgreSQL ledger),
# TARGETS (the relayed targets beside direct: "parley door", parley's chat API and its Anthropic front door),
# OUT (where the results table is written; default bench/results/latest.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"

CASES=${CASES:-"paced:1:20 paced:50:200 paced:500:1000 paced:2000:2000 unpaced:32:15"}
TOKENS=${TOKENS:-200}
DELAY=${DELAY:-5ms}
WARMUP=${WARMUP:-10}
LOOPS=${LOOPS:-1}
TARGETS=${TARGETS:-"parley door"}
# By default parley runs with the JVM memory options it ships with (README "Memory", src/main/docker/Dockerfile.jvm);
# PARLEY_JAVA_OPTS= (empty) and PARLEY_ENV= give the JVM's own defaults. PARLEY_ENV: NAME=VALUE pairs for parley only.
PARLEY_JAVA_OPTS=${PARLEY_JAVA_OPTS-"-XX:+UseSerialGC -Xmx64m -Xss512k -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m"}
SIMULATOR_JAVA_OPTS=${SIMULATOR_JAVA_OPTS:-}
PARLEY_EXTRA_OPTS=${PARLEY_EXTRA_OPTS:-}
PARLEY_ENV=${PARLEY_ENV-MALLOC_ARENA_MAX=2}
OUT=${OUT:-bench/results/latest.md}
PARLEY_JAR=${PARLEY_JAR:-target/quarkus-app/quarkus-run.jar}

if [[ ! -f target/quarkus-app/quarkus-run.jar ]]; then
  ./mvnw -B package -DskipTests
fi
./mvnw -B -q -f bench/loadgen/pom.xml package -DskipTests
mkdir -p "$(dirname "$OUT")"

# 2,000 streams are 2,000 client sockets plus 2,000 upstream sockets in parley, and as many in the simulator.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d -t parley-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A JVM that ran out of memory may never finish its shutdown: it is killed after 15 s, so it cannot go on
  # taking CPU from the next run.
  for _ in $(seq 1 150); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "logs and ledgers: $WORK"
}
trap cleanup EXIT

# Starts a packaged jar with its own ledger files on a random port; prints "<pid> <port>".
start() {
  local name=$1 jar=$2 opts=$3
  shift 3
  mkdir -p "$WORK/$name"
  # shellcheck disable=SC2086
  # A generous acquisition timeout: on a busy machine the embedded ledger may take more than Agroal's default 5 s
  # to open, and Flyway then fails the start-up.
  # A native executable takes the same -D and -X options, without java and -jar.
  local -a launch=("$JAVA" $opts) target=(-jar "$jar")
  [[ $jar == *.jar ]] || { launch=("$jar" $opts); target=(); }
  env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL "$@" "${launch[@]}" -Dquarkus.http.port=0 \
    -Dquarkus.datasource.ledger-h2.jdbc.acquisition-timeout=60s \
    "-Dparley.ledger.directory=$WORK/$name" "${target[@]}" >"$WORK/$name.log" 2>&1 &
  local pid=$! port=""
  for _ in $(seq 1 600); do
    port=$(grep -oE 'Listening on: http://[^:" ]+:[0-9]+' "$WORK/$name.log" | grep -oE '[0-9]+$' | head -1 || true)
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "$name did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
  echo "$pid $port"
}

# The simulator's rate limits (4,000 requests a minute by default) are lifted: the unpaced and closed-loop cases and
# their warm-ups send far more, and a baseline answered 429 for the rest of the window measures nothing.
read -r SIM_PID SIM_PORT < <(start simulator target/quarkus-app/quarkus-run.jar "$SIMULATOR_JAVA_OPTS" PARLEY_AUTH_MODE=none \
  PARLEY_ANTHROPIC_BASE_URL=embedded PARLEY_SIMULATOR_RATE_LIMITS_REQUESTS=1000000000 \
  PARLEY_SIMULATOR_RATE_LIMITS_INPUT_TOKENS=1000000000000 PARLEY_SIMULATOR_RATE_LIMITS_OUTPUT_TOKENS=1000000000000)
PIDS+=("$SIM_PID")
# The REST client's pool and parley's concurrency limit must hold every stream (one connection each).
# shellcheck disable=SC2086
read -r PARLEY_PID PARLEY_PORT < <(start parley "$PARLEY_JAR" "$PARLEY_JAVA_OPTS $PARLEY_EXTRA_OPTS" $PARLEY_ENV PARLEY_AUTH_MODE=none \
  ANTHROPIC_BASE_URL="http://127.0.0.1:$SIM_PORT/simulator" ANTHROPIC_API_KEY=parley-simulator-key)
PIDS+=("$PARLEY_PID")
echo "simulator pid $SIM_PID port $SIM_PORT; parley pid $PARLEY_PID port $PARLEY_PORT; work dir $WORK"

MACHINE="Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $("$JAVA" -version 2>&1 | head -1)."
"$JAVA" -XX:+UseSerialGC -Xmx512m -jar bench/loadgen/target/loadgen.jar \
  --simulator "http://127.0.0.1:$SIM_PORT/simulator" --parley "http://127.0.0.1:$PARLEY_PORT" \
  --simulator-pid "$SIM_PID" --parley-pid "$PARLEY_PID" --clk-tck "$(getconf CLK_TCK)" \
  --tokens "$TOKENS" --delay "$DELAY" --warmup "$WARMUP" --loops "$LOOPS" --cases "$CASES" --targets "$TARGETS" \
  --machine "$MACHINE JVM flags: parley '${PARLEY_ENV:+$PARLEY_ENV }${PARLEY_JAVA_OPTS:-default}', simulator '${SIMULATOR_JAVA_OPTS:-default}'." \
  --out "$OUT"

# What journal-first adds to a turn's last event: the ledger's group commit, from the turn's end to its row synced
# (client-side percentiles over Micrometer's default window, about the last two minutes of load).
{
  echo
  echo "Ledger journal group commit after the cases (parley_ledger_journal_commit_seconds; seconds):"
  echo
  echo '```'
  curl -s "http://127.0.0.1:$PARLEY_PORT/q/metrics" | grep -E '^parley_ledger_journal_commit_seconds' || true
  echo '```'
} | tee -a "$OUT"
