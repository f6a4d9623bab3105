#!/usr/bin/env python3
"""A Pangaea framework in Python: N tasks under its own Python executor, some made to fail, some killed.

python3 hello.py MASTER [--tasks N] [--fail K] [--kill K] [--seconds S]   (PYTHONPATH must reach clients/python)
Exits 0 only if every task ended as it should: finished, failed, or killed.
"""

import argparse
import logging
import os
import sys
import tempfile
import zipfile

import pangaea
from pangaea import calls

HERE = os.path.dirname(os.path.abspath(__file__))
TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED", "TASK_GONE"}


def library_zip():
    """The pangaea package as a zip the executor imports from (its sandbox has no PYTHONPATH of ours)."""
    path = os.path.join(tempfile.mkdtemp(prefix="pangaea-hello-"), "pangaea.zip")
    package = os.path.dirname(pangaea.__file__)
    with zipfile.ZipFile(path, "w") as z:
        for name in os.listdir(package):
            if name.endswith(".py"):
                z.write(os.path.join(package, name), "pangaea/" + name)
    return path


class Hello(pangaea.Scheduler):

    def __init__(self, tasks, fail, kill, seconds):
        self.plan = {}  # task id -> what it does: finish (after some seconds), fail, or wait (to be killed)
        for i in range(tasks):
            self.plan["hello-%d" % i] = "fail" if i < fail else "wait" if i < fail + kill else "finish:%g" % seconds
        self.expected = {t: {"finish": "TASK_FINISHED", "fail": "TASK_FAILED", "wait": "TASK_KILLED"}[p.split(":")[0]]
                         for t, p in self.plan.items()}
        self.pending = list(self.plan)
        self.ended = {}
        self.executor = calls.executor_info(
            "hello-executor", calls.command("python3 executor.py", uris=[
                {"value": os.path.join(HERE, "executor.py"), "extract": False},
                {"value": library_zip(), "extract": False}], environment={"PYTHONPATH": "pangaea.zip"}),
            calls.resources(cpus=0.1, mem=64), name="Python hello executor")

    def registered(self, driver, framework_id, master_info):
        print("registered as %s" % framework_id, flush=True)

    def reregistered(self, driver, master_info):
        print("subscribed again", flush=True)
        driver.reconcile()

    def resource_offers(self, driver, offers):
        for offer in offers:
            batch = []
            cpus = next((r["scalar"]["value"] for r in offer["resources"] if r["name"] == "cpus"), 0) - 0.1
            while self.pending and cpus >= 0.05:
                task = self.pending.pop(0)
                cpus -= 0.05
                batch.append(calls.task_info(task, offer["agent_id"]["value"], calls.resources(cpus=0.05, mem=16),
                                             executor=self.executor, data=self.plan[task].encode("ascii")))
            if batch:
                driver.launch([offer["id"]["value"]], batch, refuse_seconds=1)
            else:
                driver.decline([offer["id"]["value"]], refuse_seconds=30)

    def status_update(self, driver, status):
        task, state = status["task_id"]["value"], status["state"]
        if state == "TASK_RUNNING" and self.plan.get(task) == "wait":
            driver.kill(task)
        if state in TERMINAL and task in self.plan and task not in self.ended:
            self.ended[task] = state
            print("%s %s%s" % (task, state, " (%s)" % status["message"] if status.get("message") else ""),
                  flush=True)
            if len(self.ended) == len(self.plan):
                driver.teardown()

    def error(self, driver, message):
        print("error: %s" % message, flush=True)
        driver.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("master", help="host:port of a master, or several separated by commas")
    p.add_argument("--tasks", type=int, default=5)
    p.add_argument("--fail", type=int, default=0, help="how many of the tasks fail")
    p.add_argument("--kill", type=int, default=0, help="how many of the tasks are killed once they run")
    p.add_argument("--seconds", type=float, default=0, help="how long the other tasks run before they finish")
    args = p.parse_args()
    if args.fail + args.kill > args.tasks:
        p.error("--fail and --kill add up to more than --tasks")
    logging.basicConfig(level=logging.WARNING)
    hello = Hello(args.tasks, args.fail, args.kill, args.seconds)
    info = {"user": "root", "name": "python-hello", "failover_timeout": 60.0}
    authorization = None
    # as Mesos's example frameworks: credentials from MESOS_AUTHENTICATE, DEFAULT_PRINCIPAL and DEFAULT_SECRET (an
    # https:// master's CA comes from SSL_CERT_FILE, which Python's ssl module reads)
    if os.environ.get("DEFAULT_PRINCIPAL"):
        info["principal"] = os.environ["DEFAULT_PRINCIPAL"]
    if os.environ.get("MESOS_AUTHENTICATE", "").lower() in ("1", "true"):
        import base64
        secret = os.environ.get("DEFAULT_SECRET", "")
        authorization = "Basic " + base64.b64encode(
            (info.get("principal", "") + ":" + secret).encode("utf-8")).decode("ascii")
    driver = pangaea.SchedulerDriver(hello, info, args.master, authorization=authorization)
    driver.run()
    wrong = {t: s for t, s in hello.ended.items() if s != hello.expected[t]}
    missing = set(hello.plan) - set(hello.ended)
    print("done: %d ended as expected, %d not, %d missing" % (len(hello.ended) - len(wrong), len(wrong),
                                                               len(missing)), flush=True)
    return 0 if not wrong and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
