#!/usr/bin/env bash
# Runs the jit-access benchmark suite (issue 7, items 1 to 6).
#
#   jit-benchmarks/run.sh [quick|full|cpu|resource|replicas] [--prof gc|stack]
#
# quick (default): JMH at 1 thread only, 1 fork, 1 x 1 s warm-up, 1 x 1 s measurement per benchmark
#                  (grant throughput with its floors, request+close only; repeated presentation, resource-side verification,
#                  policy at 10 and 10,000 rules against jCasbin, policy load time, JWT-SVID validation
#                  against java-spiffe), then the lifecycle run with 10,000 live grants (projected to
#                  1,000,000), 5 s of expiries, 2 revokeTask rounds. Measured: see BENCHMARKS.md (under
#                  5 minutes on 2 cores, build included). Smoke-level figures with wide error bars.
# full:            JMH at 1 and 2 threads (grant throughput), 2 forks, 5 x 1 s warm-up, 5 x 1 s
#                  measurement, policy also at 1,000 rules, then the process-CPU pairing (CpuPaired 21 200,
#                  the ratios that hold on a busy machine) and the lifecycle run with 1,000,000 live grants,
#                  30 s of expiries, 5 revokeTask rounds and a class histogram. About an hour on 2 busy cores.
# resource:        issue 17: CpuPaired 7 200 verify (repeated and first presentation against the floor and
#                  Spring Security's NimbusJwtDecoder), then Scaling (grant and verify at 1 and 2 threads,
#                  ES256: 3 forks per benchmark, each alternating 1-thread and 2-thread windows on the same
#                  compiled code; the ratio per fork and the median): about 6 minutes on 2 idle cores.
# replicas:        issue 15: ReplicaBench 5 10000 twice against the local PostgreSQL server (JIT_PG_URL etc.):
#                  once with the server and the brokers sharing every core, once with the server's
#                  processes on the last core and the benchmark JVM on the others (a database host of its
#                  own, as a deployment runs it; needs root to move the server's processes, and 2 cores or
#                  more). The server's processes get every core back afterwards. About 3 minutes.
# cpu:             only CpuPaired 21 200 (items 1, 2, 3, 4 at 10,000 rules, 5): about 10 minutes; the ratios
#                  the verdicts in BENCHMARKS.md use.
#
# Figures: jit-benchmarks/target/benchmark-results/{figures.md,cpu-paired.md,lifecycle.md,jmh-t1.json,jmh-t2.json}.
set -euo pipefail
mode="${1:-quick}"
shift || true
case "$mode" in
  quick|full|cpu|resource|replicas) ;;
  *) echo "usage: $0 [quick|full|cpu|resource|replicas] [--prof gc|stack]" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
total_start=$(date +%s)
mvn -B -q -pl jit-benchmarks -am package -DskipTests
jar="$here/target/benchmarks.jar"
out="$here/target/benchmark-results"
mkdir -p "$out"
start=$(date +%s)
if [ "$mode" = replicas ]; then
  cores=$(nproc)
  if [ "$cores" -lt 2 ]; then echo "replicas needs 2 cores or more" >&2; exit 2; fi
  last=$((cores - 1))
  # a fixed, pre-touched heap: a heap that grows during a round charges that round the kernel's work of
  # faulting its new pages in (runs without this had one round in five at a quarter speed, in-memory or not)
  heap="-Xms2g -Xmx2g -XX:+AlwaysPreTouch"
  java $heap -cp "$jar" dev.jitaccess.benchmarks.ReplicaBench 5 10000 2>"$out/replicas-shared.log" \
    | sed 's/^/shared cores: /' | tee "$out/replicas-shared.md"
  server_cores() { for p in $(pgrep -x postgres); do taskset -pc "$1" "$p" >/dev/null; done; }
  trap 'server_cores 0-'"$last" EXIT
  server_cores "$last" # the postmaster's new backends inherit it
  taskset -c 0-$((last - 1)) java $heap -cp "$jar" dev.jitaccess.benchmarks.ReplicaBench 5 10000 2>"$out/replicas-own-core.log" \
    | sed "s/^/server on core $last, JVM on the others: /" | tee "$out/replicas-own-core.md"
elif [ "$mode" = resource ]; then
  java -Xms2g -Xmx2g -cp "$jar" dev.jitaccess.benchmarks.CpuPaired 7 200 verify | tee "$out/cpu-paired-verify.md"
  java -cp "$jar" dev.jitaccess.benchmarks.Scaling ES256 3 | tee "$out/scaling.md"
elif [ "$mode" = cpu ]; then
  java -Xms2g -Xmx2g -cp "$jar" dev.jitaccess.benchmarks.CpuPaired 21 200 | tee "$out/cpu-paired.md"
elif [ "$mode" = quick ]; then
  java -cp "$jar" dev.jitaccess.benchmarks.Suite quick --out "$out" "$@"
  java -Xms4g -Xmx4g -Xlog:gc:file="$out/lifecycle-gc.log" -cp "$jar" \
    dev.jitaccess.benchmarks.lifecycle.LifecycleScale \
    --grants 10000 --lateness-seconds 5 --rate 500 --revoke-rounds 2 --out "$out/lifecycle.md"
else
  java -cp "$jar" dev.jitaccess.benchmarks.Suite full --out "$out" "$@"
  java -Xms2g -Xmx2g -cp "$jar" dev.jitaccess.benchmarks.CpuPaired 21 200 | tee "$out/cpu-paired.md"
  java -Xms4g -Xmx4g -Xlog:gc:file="$out/lifecycle-gc.log" -cp "$jar" \
    dev.jitaccess.benchmarks.lifecycle.LifecycleScale --grants 1000000 --lateness-seconds 30 --rate 500 --revoke-rounds 5 --histogram --out "$out/lifecycle.md"
fi
echo "suite ran in $(( $(date +%s) - start )) s ($(( $(date +%s) - total_start )) s with the build); figures in $out"
