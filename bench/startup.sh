#!/usr/bin/env bash
# Start-up of the packaged service, plain fast-jar versus the JDK AOT cache (JEP 483/514/515, Quarkus aot-jar):
# time from launching `java` to the FIRST SERVED REQUEST (GET /q/health/ready answering 200), and RSS right then.
#
#   bench/startup.sh            build both variants (./mvnw package, then -Paot), then measure N=10 starts of each
#   bench/startup.sh --no-build measure the variants already in target/startup-bench/{plain,aot}
#   N=20 bench/startup.sh       more starts per variant
#   VARIANTS=plain bench/startup.sh --no-build   only some variants (plain needs only target/startup-bench/plain)
#   PARLEY_JAVA_OPTS="-Xmx96m ..." bench/startup.sh   JVM options for every start (default: none)
#   VARIANTS="plain native" LEDGER_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/bench LEDGER_USERNAME=postgres \
#     bench/startup.sh --no-build
#       the native executable beside the jar, both on a PostgreSQL ledger (the native one has no embedded ledger):
#       copy target/*-runner and target/*.so of `./mvnw package -Dnative` into target/startup-bench/native first.
#       Flyway checks the schema at every start; the first start on an empty database also migrates it
#       (the unmeasured warm-up start, whose time is printed on its own).
#
# Production configuration (no test profile) with the embedded simulator as upstream and a private H2 ledger, so it
# needs no key and no database server. (Shutdown delay 0 s and a long H2 acquisition timeout only make the runs robust
# on a busy machine; neither changes what a start does.) The AOT cache only works on the JVM that created it: JAVA_HOME must be the
# JDK 25 that built it. Each variant gets one unmeasured warm-up start (page cache, Flyway's first migration).
set -euo pipefail

cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
N=${N:-10}
VARIANTS=${VARIANTS:-plain aot}
PARLEY_JAVA_OPTS=${PARLEY_JAVA_OPTS:-}
OUT=target/startup-bench

if [[ "${1:-}" != "--no-build" ]]; then
  # AOT first, plain last: target/quarkus-app is left as the ordinary fast-jar the rest of the build expects.
  # cp -a, not -r: the JVM checks the jars' modification times against the AOT cache and refuses a cache whose jars
  # look changed (then the "AOT" start silently runs without it).
  ./mvnw -B -q package -DskipTests -Paot
  rm -rf "$OUT/aot" && mkdir -p "$OUT" && cp -a target/quarkus-app "$OUT/aot"
  ./mvnw -B -q package -DskipTests
  rm -rf "$OUT/plain" && cp -a target/quarkus-app "$OUT/plain"
fi
for variant in $VARIANTS; do
  if [[ $variant == native ]]; then
    compgen -G "$OUT/native/*-runner" >/dev/null || { echo "copy the native executable first" >&2; exit 1; }
    [[ -n ${LEDGER_JDBC_URL:-} ]] || { echo "the native variant needs LEDGER_JDBC_URL (PostgreSQL)" >&2; exit 1; }
    continue
  fi
  [[ -f "$OUT/$variant/quarkus-run.jar" && ($variant != aot || -f "$OUT/aot/app.aot") ]] ||
    { echo "build the variants first" >&2; exit 1; }
done
# The ledger of every start: a private H2 file per variant, or the PostgreSQL database LEDGER_JDBC_URL names.
ledger_env=()
if [[ -n ${LEDGER_JDBC_URL:-} ]]; then
  ledger_env=(PARLEY_LEDGER_STORE=postgresql PARLEY_LEDGER_JDBC_URL="$LEDGER_JDBC_URL"
    PARLEY_LEDGER_USERNAME="${LEDGER_USERNAME:-postgres}" PARLEY_LEDGER_PASSWORD="${LEDGER_PASSWORD:-}")
fi

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
}

# One start: prints "<milliseconds to first 200> <RSS in KiB at that moment>".
start_once() {
  local variant=$1 data=$2 port pid t0 t1 rss
  local -a launch opts
  read -r -a opts <<<"$PARLEY_JAVA_OPTS"
  case $variant in
    native) launch=("$(compgen -G "$PWD/$OUT/native/*-runner")") ;;
    aot) launch=("$JAVA" -XX:AOTCache=app.aot "${opts[@]}" -jar quarkus-run.jar) ;;
    *) launch=("$JAVA" "${opts[@]}" -jar quarkus-run.jar) ;;
  esac
  port=$(free_port)
  t0=$(date +%s%N)
  (cd "$OUT/$variant" && exec env -i PATH="$PATH" PARLEY_AUTH_MODE=none PARLEY_ANTHROPIC_BASE_URL=embedded \
      PARLEY_LEDGER_DIRECTORY="$data" "${ledger_env[@]}" QUARKUS_HTTP_PORT="$port" QUARKUS_SHUTDOWN_DELAY=0s \
      QUARKUS_DATASOURCE_LEDGER_H2_JDBC_ACQUISITION_TIMEOUT=60s "${launch[@]}" >"$data/$variant.log" 2>&1) &
  pid=$!
  # Polls every 5 ms: a loop without any pause would take one of the machine's cores away from the JVM it times.
  until curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { echo "$variant did not start: see $data/$variant.log" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$(((t1 - t0) / 1000000)) $rss"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
declare -A ms rss
for variant in $VARIANTS; do
  mkdir -p "$data/$variant"
  echo "$variant: warm-up start $(start_once "$variant" "$data/$variant" | cut -d' ' -f1) ms" >&2
  runs=()
  for _ in $(seq "$N"); do
    runs+=("$(start_once "$variant" "$data/$variant")")
  done
  ms[$variant]=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | median)
  rss[$variant]=$(printf '%s\n' "${runs[@]}" | cut -d' ' -f2 | median)
  echo "$variant: $(printf '%s\n' "${runs[@]}" | cut -d' ' -f1 | tr '\n' ' ')ms" >&2
done

printf '\n%-28s %12s %12s\n' "variant (N=$N, median)" "first 200" "RSS then"
declare -A label=([plain]="plain fast-jar" [aot]="AOT cache (-XX:AOTCache)" [native]="native executable")
for variant in $VARIANTS; do
  printf '%-28s %9s ms %9s MB\n' "${label[$variant]:-$variant}" "${ms[$variant]}" "$((rss[$variant] / 1024))"
done
echo "JVM options: ${PARLEY_JAVA_OPTS:-none}; ledger: ${LEDGER_JDBC_URL:-embedded H2}"
echo "$("$JAVA" -version 2>&1 | head -1); $(nproc) cores; $(uname -m); load average$(uptime | sed 's/.*load average//')"
