#!/usr/bin/env bash
# Runs the jit-access benchmark suite.
#
#   jit-benchmarks/run.sh [quick|full] [--prof gc|stack]
#
# quick (default): JMH at 1 thread only, 1 fork, 3 x 1 s warm-up, 3 x 1 s measurement per benchmark,
#                  then the lifecycle run with 50,000 live grants (projected to 1,000,000), 10 s of
#                  expiries, 2 revokeTask rounds. Estimated 4 minutes on 2 idle cores (not yet timed in
#                  this configuration; a heavier first version took 7 min at load 5). A smoke run:
#                  its error bars are wide; quote figures from full.
# full:            JMH at 1 and 2 threads, 2 forks, 5 x 1 s warm-up, 5 x 1 s measurement, then the
#                  lifecycle run with 1,000,000 live grants, 30 s of expiries, 5 revokeTask rounds and
#                  a class histogram. About 30 minutes on 2 busy cores.
#
# Figures: jit-benchmarks/target/benchmark-results/{figures.md,lifecycle.md,jmh-t1.json,jmh-t2.json}.
set -euo pipefail
mode="${1:-quick}"
shift || true
case "$mode" in
  quick|full) ;;
  *) echo "usage: $0 [quick|full] [--prof gc|stack]" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
mvn -B -q -pl jit-benchmarks -am package -DskipTests
jar="$here/target/benchmarks.jar"
out="$here/target/benchmark-results"
mkdir -p "$out"
start=$(date +%s)
java -cp "$jar" dev.jitaccess.benchmarks.Suite "$mode" --out "$out" "$@"
if [ "$mode" = quick ]; then
  java -Xms4g -Xmx4g -Xlog:gc:file="$out/lifecycle-gc.log" -cp "$jar" \
    dev.jitaccess.benchmarks.lifecycle.LifecycleScale \
    --grants 50000 --lateness-seconds 10 --rate 500 --revoke-rounds 2 --out "$out/lifecycle.md"
else
  java -Xms4g -Xmx4g -Xlog:gc:file="$out/lifecycle-gc.log" -cp "$jar" \
    dev.jitaccess.benchmarks.lifecycle.LifecycleScale --grants 1000000 --lateness-seconds 30 --rate 500 --revoke-rounds 5 --histogram --out "$out/lifecycle.md"
fi
echo "suite ran in $(( $(date +%s) - start )) s; figures in $out"
