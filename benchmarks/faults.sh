#!/usr/bin/env bash
# Fault injection under load (see BENCHMARKS.md, "Reliability"): 3 masters with ZooKeeper in its own process, 2 agents,
# a framework launching short tasks; the leading master, an agent and ZooKeeper are killed and an agent is stopped,
# one after another, 3 rounds (-Dfaults.rounds=N to change). Prints the failover figures and the task accounting.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl itests verify -Pbenchmark -Dit.test=FaultInjectionBenchmark "$@" 2>&1 | grep -E "BENCHMARK|FAULT|Tests run:|FAIL"
