#!/usr/bin/env python3
"""The hello framework's executor: each task's data says what it does (finish after some seconds, fail, or wait to
be killed)."""

import base64
import threading

import pangaea


class HelloExecutor(pangaea.Executor):

    def launch_task(self, driver, task):
        task_id = task["task_id"]["value"]
        plan = base64.b64decode(task.get("data", "")).decode("ascii")
        driver.send_status_update(task_id, "TASK_RUNNING")
        if plan.startswith("finish"):
            seconds = float(plan.split(":")[1]) if ":" in plan else 0
            threading.Timer(seconds, driver.send_status_update,
                            (task_id, "TASK_FINISHED", "hello from Python")).start()
        elif plan == "fail":
            driver.send_status_update(task_id, "TASK_FAILED", "failed on purpose")
        # "wait": it runs until it is killed

    def kill_task(self, driver, task_id):
        driver.send_status_update(task_id, "TASK_KILLED", "killed by the framework")

    def shutdown(self, driver):
        threading.Thread(target=driver.stop, daemon=True).start()


if __name__ == "__main__":
    pangaea.ExecutorDriver(HelloExecutor()).run()
