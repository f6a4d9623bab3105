#!/usr/bin/env bash
# Time until all 500 instances of one app run, through the services adapter (Marathon API), on two real agents.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl itests verify -Pbenchmark -Dit.test=ServicesBenchmark 2>&1 | grep -E "BENCHMARK|Tests run:|FAIL"
