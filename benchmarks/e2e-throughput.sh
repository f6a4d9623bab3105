#!/usr/bin/env bash
# End-to-end throughput: 300 `true` tasks of 0.01 cpus on one agent, through the built distributions.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl itests verify -Pbenchmark -Dit.test=EndToEndThroughputBenchmark 2>&1 | grep -E "BENCHMARK|Tests run:|FAIL"
