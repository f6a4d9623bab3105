import http.server
import json
import threading
import unittest

from pangaea import Executor, ExecutorDriver
from pangaea.recordio import encode_record


class FakeAgent(http.server.BaseHTTPRequestHandler):
    """An agent whose first executor stream launches a task and drops once the task's first update arrived,
    without acknowledging it; the second stream acknowledges what it is given again, then shuts the executor down."""

    subscriptions = []
    updates = []
    authorizations = []
    update_seen = threading.Event()

    def log_message(self, *args):
        pass

    def _events(self, *events):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        for e in events:
            self.wfile.write(encode_record(json.dumps(e).encode("utf-8")))
        self.wfile.flush()

    def do_POST(self):
        FakeAgent.authorizations.append(self.headers.get("Authorization"))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["type"] == "UPDATE":
            FakeAgent.updates.append(body["update"]["status"])
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            FakeAgent.update_seen.set()
            return
        FakeAgent.subscriptions.append(body["subscribe"])
        subscribed = {"type": "SUBSCRIBED", "subscribed": {"executor_info": {"executor_id": {"value": "e-1"}}}}
        if len(FakeAgent.subscriptions) == 1:
            self._events(subscribed, {"type": "LAUNCH", "launch": {"task": {
                "name": "t", "task_id": {"value": "t-1"}, "agent_id": {"value": "a-1"}}}})
            FakeAgent.update_seen.wait(10)  # then the stream ends: the agent "restarted"
        else:
            pending = body["subscribe"]["unacknowledged_updates"]
            self._events(subscribed, *[{"type": "ACKNOWLEDGED", "acknowledged": {
                "task_id": u["task_id"], "uuid": u["uuid"]}} for u in pending], {"type": "SHUTDOWN"})


class Runner(Executor):
    def __init__(self):
        self.seen = []

    def registered(self, driver, executor_info, framework_info, agent_info):
        self.seen.append("registered")

    def launch_task(self, driver, task):
        self.seen.append("launch " + task["task_id"]["value"])
        driver.send_status_update(task["task_id"]["value"], "TASK_RUNNING")

    def shutdown(self, driver):
        self.seen.append("shutdown")


class ExecutorDriverTest(unittest.TestCase):

    def test_environment_without_the_agent_is_refused_by_name(self):
        with self.assertRaisesRegex(ValueError, "MESOS_AGENT_ENDPOINT"):
            ExecutorDriver(Executor(), {"MESOS_FRAMEWORK_ID": "f", "MESOS_EXECUTOR_ID": "e"})

    def test_a_dropped_stream_is_subscribed_again_with_what_is_unacknowledged(self):
        agent = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeAgent)
        threading.Thread(target=agent.serve_forever, daemon=True).start()
        executor = Runner()
        driver = ExecutorDriver(executor, {"MESOS_AGENT_ENDPOINT": "127.0.0.1:%d" % agent.server_port,
                                           "MESOS_FRAMEWORK_ID": "f-1", "MESOS_EXECUTOR_ID": "e-1",
                                           "MESOS_SUBSCRIPTION_BACKOFF_MAX": "200ms",
                                           "MESOS_EXECUTOR_AUTHENTICATION_TOKEN": "token-of-e-1"})
        runner = threading.Thread(target=driver.run, daemon=True)
        runner.start()
        runner.join(20)
        try:
            self.assertFalse(runner.is_alive())
            self.assertEqual(["registered", "launch t-1", "registered", "shutdown"], executor.seen)
            self.assertEqual(2, len(FakeAgent.subscriptions))
            self.assertEqual([], FakeAgent.subscriptions[0]["unacknowledged_updates"])
            again = FakeAgent.subscriptions[1]
            self.assertEqual(["t-1"], [t["task_id"]["value"] for t in again["unacknowledged_tasks"]])
            self.assertEqual(FakeAgent.updates, again["unacknowledged_updates"])
            self.assertEqual("TASK_RUNNING", FakeAgent.updates[0]["state"])
            self.assertEqual({}, driver._unacknowledged)
            # every call showed the token the agent gave (authenticate_http_executors)
            self.assertEqual({"Bearer token-of-e-1"}, set(FakeAgent.authorizations))
        finally:
            agent.shutdown()
            agent.server_close()


if __name__ == "__main__":
    unittest.main()
