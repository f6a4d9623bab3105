import base64
import unittest

from pangaea import calls, durations


class CallsTest(unittest.TestCase):

    def test_accept_with_a_launch_and_a_filter(self):
        task = calls.task_info("t1", "a1", calls.resources(cpus=0.1, mem=32), cmd=calls.command("echo hi"),
                               data=b"ok")
        c = calls.accept("f1", ["o1", "o2"], [calls.launch([task])], refuse_seconds=5)
        self.assertEqual("ACCEPT", c["type"])
        self.assertEqual({"value": "f1"}, c["framework_id"])
        self.assertEqual([{"value": "o1"}, {"value": "o2"}], c["accept"]["offer_ids"])
        self.assertEqual({"refuse_seconds": 5.0}, c["accept"]["filters"])
        launched = c["accept"]["operations"][0]["launch"]["task_infos"][0]
        self.assertEqual({"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}}, launched["resources"][0])
        self.assertEqual(b"ok", base64.b64decode(launched["data"]))
        self.assertEqual({"value": "echo hi", "shell": True}, launched["command"])

    def test_the_other_operations(self):
        disk = [calls.scalar("disk", 100)]
        self.assertEqual("RESERVE", calls.reserve(disk)["type"])
        self.assertEqual(disk, calls.unreserve(disk)["unreserve"]["resources"])
        self.assertEqual(disk, calls.create(disk)["create"]["volumes"])
        self.assertEqual(disk, calls.destroy(disk)["destroy"]["volumes"])
        e = calls.executor_info("e1", calls.command("./run"), calls.resources(cpus=0.1))
        group = calls.launch_group(e, [calls.task_info("t1", "a1", disk)])
        self.assertEqual("CUSTOM", group["launch_group"]["executor"]["type"])
        self.assertEqual("t1", group["launch_group"]["task_group"]["tasks"][0]["task_id"]["value"])

    def test_scheduler_calls(self):
        self.assertEqual({"offer_ids": [{"value": "o1"}]}, calls.decline("f", ["o1"])["decline"])
        self.assertEqual({"task_id": {"value": "t"}, "agent_id": {"value": "a"}}, calls.kill("f", "t", "a")["kill"])
        self.assertEqual("u", calls.acknowledge("f", "a", "t", "u")["acknowledge"]["uuid"])
        self.assertEqual([{"task_id": {"value": "t"}}], calls.reconcile("f", [("t", None)])["reconcile"]["tasks"])
        self.assertEqual({"tasks": []}, calls.reconcile("f")["reconcile"])
        self.assertEqual({"roles": ["web"]}, calls.revive("f", ["web"])["revive"])
        self.assertEqual({}, calls.suppress("f")["suppress"])
        self.assertEqual(b"hi", base64.b64decode(calls.message("f", "a", "e", b"hi")["message"]["data"]))
        self.assertEqual({"type": "TEARDOWN", "framework_id": {"value": "f"}}, calls.teardown("f"))
        sub = calls.subscribe({"user": "root", "name": "n"}, "f")
        self.assertEqual({"value": "f"}, sub["subscribe"]["framework_info"]["id"])
        self.assertNotIn("framework_id", calls.subscribe({"user": "root", "name": "n"}))

    def test_executor_calls(self):
        s = calls.executor_subscribe("f", "e", [{"task_id": {"value": "t"}}], [])
        self.assertEqual({"value": "e"}, s["executor_id"])
        self.assertEqual(1, len(s["subscribe"]["unacknowledged_tasks"]))
        u = calls.executor_update("f", "e", {"state": "TASK_RUNNING"})
        self.assertEqual("TASK_RUNNING", u["update"]["status"]["state"])

    def test_durations(self):
        self.assertEqual(900.0, durations.parse("15mins"))
        self.assertEqual(2.0, durations.parse("2secs"))
        self.assertAlmostEqual(0.5, durations.parse("500ms"))
        self.assertEqual(7.0, durations.parse("", 7.0))
        with self.assertRaises(ValueError):
            durations.parse("soon")


if __name__ == "__main__":
    unittest.main()
