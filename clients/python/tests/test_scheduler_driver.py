import http.server
import json
import threading
import unittest

from pangaea import Scheduler, SchedulerDriver
from pangaea.recordio import encode_record


class FakeMaster(http.server.BaseHTTPRequestHandler):
    """A master for the driver's unit test: SUBSCRIBE gets a stream, calls are recorded."""

    calls = []
    events = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["type"] == "SUBSCRIBE":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Mesos-Stream-Id", "stream-1")
            self.end_headers()
            for e in FakeMaster.events:
                self.wfile.write(encode_record(json.dumps(e).encode("utf-8")))
            self.wfile.flush()
            return
        FakeMaster.calls.append((self.headers["Mesos-Stream-Id"], body))
        self.send_response(400 if body["type"] == "KILL" else 202)
        self.send_header("Content-Length", "12")
        self.end_headers()
        self.wfile.write(b"bad task id!")


class Redirector(http.server.BaseHTTPRequestHandler):
    target = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(307)
        self.send_header("Location", "//127.0.0.1:%d/api/v1/scheduler" % Redirector.target)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Recorder(Scheduler):
    def __init__(self):
        self.seen = []

    def registered(self, driver, framework_id, master_info):
        self.seen.append(("registered", framework_id))

    def resource_offers(self, driver, offers):
        self.seen.append(("offers", [o["id"]["value"] for o in offers]))
        driver.decline([o["id"]["value"] for o in offers], refuse_seconds=5)

    def status_update(self, driver, status):
        self.seen.append(("update", status["state"]))
        try:
            driver.kill("t1")
        except Exception as e:  # the master refused: the error carries its status and message
            self.seen.append(("refused", e.status, e.message))

    def heartbeat(self, driver):
        self.seen.append(("heartbeat",))
        driver.stop()


class SchedulerDriverTest(unittest.TestCase):

    def test_it_follows_the_redirect_dispatches_events_and_acknowledges(self):
        master = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeMaster)
        redirector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
        Redirector.target = master.server_port
        for s in (master, redirector):
            threading.Thread(target=s.serve_forever, daemon=True).start()
        FakeMaster.events = [
            {"type": "SUBSCRIBED", "subscribed": {"framework_id": {"value": "f-1"},
                                                  "heartbeat_interval_seconds": 15}},
            {"type": "OFFERS", "offers": {"offers": [{"id": {"value": "o-1"}}]}},
            {"type": "UPDATE", "update": {"status": {"task_id": {"value": "t1"}, "state": "TASK_RUNNING",
                                                     "agent_id": {"value": "a-1"}, "uuid": "dXVpZA=="}}},
            {"type": "HEARTBEAT"},
        ]
        scheduler = Recorder()
        driver = SchedulerDriver(scheduler, {"user": "root", "name": "t"}, "127.0.0.1:%d" % redirector.server_port)
        runner = threading.Thread(target=driver.run, daemon=True)
        runner.start()
        runner.join(20)
        try:
            self.assertFalse(runner.is_alive())
            self.assertEqual([("registered", "f-1"), ("offers", ["o-1"]), ("update", "TASK_RUNNING"),
                              ("refused", 400, "bad task id!"), ("heartbeat",)], scheduler.seen)
            types = [c[1]["type"] for c in FakeMaster.calls]
            self.assertEqual(["DECLINE", "KILL", "ACKNOWLEDGE"], types)
            self.assertTrue(all(c[0] == "stream-1" for c in FakeMaster.calls))
            ack = FakeMaster.calls[2][1]["acknowledge"]
            self.assertEqual({"agent_id": {"value": "a-1"}, "task_id": {"value": "t1"}, "uuid": "dXVpZA=="}, ack)
            self.assertEqual({"refuse_seconds": 5.0}, FakeMaster.calls[0][1]["decline"]["filters"])
        finally:
            master.shutdown()
            master.server_close()
            redirector.shutdown()
            redirector.server_close()


class Flaky(http.server.BaseHTTPRequestHandler):
    """A master whose first stream drops right after SUBSCRIBED; the subscriptions it got are kept."""

    subscriptions = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Flaky.subscriptions.append(body)
        self.send_response(200)
        self.send_header("Mesos-Stream-Id", "stream-%d" % len(Flaky.subscriptions))
        self.end_headers()
        self.wfile.write(encode_record(json.dumps({"type": "SUBSCRIBED", "subscribed": {
            "framework_id": {"value": "f-9"}, "heartbeat_interval_seconds": 15}}).encode("utf-8")))
        if len(Flaky.subscriptions) > 1:
            self.wfile.write(encode_record(b'{"type":"HEARTBEAT"}'))
        self.wfile.flush()


class Resubscriber(Scheduler):
    def __init__(self):
        self.seen = []

    def registered(self, driver, framework_id, master_info):
        self.seen.append("registered")

    def disconnected(self, driver):
        self.seen.append("disconnected")

    def reregistered(self, driver, master_info):
        self.seen.append("reregistered")

    def heartbeat(self, driver):
        driver.stop()


class ResubscriptionTest(unittest.TestCase):

    def test_a_dropped_stream_is_subscribed_again_with_the_framework_id(self):
        master = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
        threading.Thread(target=master.serve_forever, daemon=True).start()
        scheduler = Resubscriber()
        driver = SchedulerDriver(scheduler, {"user": "root", "name": "t"},
                                 ["127.0.0.1:%d" % master.server_port], backoff_max=0.5)
        runner = threading.Thread(target=driver.run, daemon=True)
        with self.assertLogs("pangaea.scheduler", "WARNING") as logs:
            runner.start()
            runner.join(20)
        try:
            self.assertFalse(runner.is_alive())
            self.assertEqual(["registered", "disconnected", "reregistered"], scheduler.seen)
            # the outage is said once, as a warning, without a traceback
            self.assertEqual(1, len(logs.records))
            self.assertIn("not reachable (the master closed the stream); retrying in 0.25s", logs.output[0])
            self.assertIsNone(logs.records[0].exc_info)
            self.assertNotIn("id", Flaky.subscriptions[0]["subscribe"]["framework_info"])
            self.assertEqual({"value": "f-9"}, Flaky.subscriptions[1]["subscribe"]["framework_info"]["id"])
            self.assertEqual({"value": "f-9"}, Flaky.subscriptions[1]["framework_id"])
        finally:
            master.shutdown()
            master.server_close()


if __name__ == "__main__":
    unittest.main()
