#!/usr/bin/env bash
# The scale benchmarks (see BENCHMARKS.md, "Scale"): master distributions with a big cluster's heap, the agent
# emulator in a JVM of its own, load frameworks. Choose with
# -Dscale.scenarios=idle,failover,state,throughput,cluster,fullcluster,webui and sizes with -Dscale.idle=50000
# -Dscale.failover=10000,20000,40000 -Dscale.state=20000 -Dscale.throughput=5000 -Dscale.cluster=50000
# -Dscale.fullcluster=50000 -Dscale.webui=5000.
# Also -Dscale.completed=0,100 (completed tasks per agent in the failovers), -Dscale.emulatorHeap=6g (11g for 40,000
# agents with 100 completed tasks each) and -Dscale.stateWarmups=3 (state reads before the timed ones).
# Prints "BENCHMARK scale ..." lines. Example: benchmarks/scale.sh -Dscale.scenarios=failover -Dscale.failover=10000
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl itests verify -Pbenchmark -Dit.test=ScaleBenchmark "$@" 2>&1 | grep -E "BENCHMARK|Tests run:|FAIL"
