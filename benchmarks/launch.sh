#!/usr/bin/env bash
# Launch-to-RUNNING latency and tasks/s for 100 tasks on one agent: native + cgroups, and Docker (see BENCHMARKS.md).
# Needs root, cgroups and the Docker engine with the test image (.ci/engines).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl itests verify -Pbenchmark -Dit.test=LaunchLatencyBenchmark 2>&1 | grep -E "BENCHMARK|Tests run:|FAIL"
