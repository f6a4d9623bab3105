"""The executor side: subclass Executor, run it with an ExecutorDriver in the process the agent started."""

import base64
import http.client
import json
import logging
import os
import threading
import time
import uuid as uuids

from . import calls, durations
from ._http import abort, Endpoint, StreamRefused, open_stream, post
from .recordio import RecordIOReader, RecordIOError

LOG = logging.getLogger("pangaea.executor")


class Executor:
    """The callbacks an executor implements; each default does nothing. They run on the driver's thread."""

    def registered(self, driver, executor_info, framework_info, agent_info):
        pass

    def launch_task(self, driver, task):
        pass

    def launch_group(self, driver, task_group):
        pass

    def kill_task(self, driver, task_id):
        pass

    def framework_message(self, driver, data):
        pass

    def shutdown(self, driver):
        pass

    def error(self, driver, message):
        pass


class ExecutorDriver:
    """Subscribes an executor to its agent, from the environment the agent gives it (``MESOS_AGENT_ENDPOINT``,
    ``MESOS_FRAMEWORK_ID``, ``MESOS_EXECUTOR_ID``, ``MESOS_RECOVERY_TIMEOUT``, ``MESOS_SUBSCRIPTION_BACKOFF_MAX``).

    Updates are kept until the agent says they were acknowledged; after a disconnection the driver subscribes again
    with them and with the tasks it was given, backing off, until ``MESOS_RECOVERY_TIMEOUT`` runs out. ``run``
    returns after SHUTDOWN (or ``stop``).
    """

    def __init__(self, executor, environ=None):
        env = os.environ if environ is None else environ
        missing = [k for k in ("MESOS_AGENT_ENDPOINT", "MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID") if not env.get(k)]
        if missing:
            raise ValueError("not started by an agent: %s not set" % ", ".join(missing))
        self.executor = executor
        # an agent with ssl_enabled says so, and names the CA its certificate is signed by, as Mesos's agents do
        tls = env.get("LIBPROCESS_SSL_ENABLED", "").lower() in ("1", "true")
        self.agent = Endpoint(("https://" if tls else "http://") + env["MESOS_AGENT_ENDPOINT"],
                              env.get("LIBPROCESS_SSL_CA_FILE") or None)
        # an agent with authenticate_http_executors gives each executor a token to show
        token = env.get("MESOS_EXECUTOR_AUTHENTICATION_TOKEN")
        self._authorization = "Bearer " + token if token else None
        self.framework_id = env["MESOS_FRAMEWORK_ID"]
        self.executor_id = env["MESOS_EXECUTOR_ID"]
        self.recovery_timeout = durations.parse(env.get("MESOS_RECOVERY_TIMEOUT"), 15 * 60.0)
        self.backoff_max = durations.parse(env.get("MESOS_SUBSCRIPTION_BACKOFF_MAX"), 2.0)
        self._tasks = {}  # task id -> TaskInfo not yet ended
        self._unacknowledged = {}  # uuid -> TaskStatus
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._conn = None
        self._subscribed = False

    def run(self):
        """Runs until SHUTDOWN, ``stop``, or the recovery timeout after the agent went away."""
        lost_since = None
        backoff = 0.1
        while not self._stopped.is_set():
            try:
                self._subscribe_and_read()
                lost_since = None
                backoff = 0.1
            except StreamRefused as e:
                self.executor.error(self, e.message)
                if e.status in (400, 403, 404):
                    break
            except (OSError, http.client.HTTPException, RecordIOError) as e:
                LOG.info("Agent %s not reachable (%s)", self.agent, e)
            if self._stopped.is_set():
                break
            lost_since = lost_since or time.monotonic()
            if time.monotonic() - lost_since > self.recovery_timeout:
                LOG.warning("The agent did not come back within %ss; exiting", self.recovery_timeout)
                break
            self._stopped.wait(backoff)
            backoff = min(self.backoff_max, backoff * 2)

    def stop(self):
        self._stopped.set()
        abort(self._conn)

    def _subscribe_and_read(self):
        with self._lock:
            tasks = list(self._tasks.values())
            updates = list(self._unacknowledged.values())
        _, conn, resp = open_stream(self.agent, "/api/v1/executor", calls.executor_subscribe(
            self.framework_id, self.executor_id, tasks, updates), timeout=120.0, authorization=self._authorization)
        self._conn = conn
        try:
            for record in RecordIOReader(resp):
                self._dispatch(json.loads(record.decode("utf-8")))
                if self._stopped.is_set():
                    return
            raise OSError("the agent closed the stream")
        finally:
            self._conn = None
            conn.close()

    def _dispatch(self, event):
        kind = event.get("type")
        if kind == "SUBSCRIBED":
            s = event["subscribed"]
            self._subscribed = True
            self.executor.registered(self, s.get("executor_info"), s.get("framework_info"), s.get("agent_info"))
        elif kind == "LAUNCH":
            task = event["launch"]["task"]
            with self._lock:
                self._tasks[task["task_id"]["value"]] = task
            self.executor.launch_task(self, task)
        elif kind == "LAUNCH_GROUP":
            group = event["launch_group"]["task_group"]
            with self._lock:
                for t in group.get("tasks", []):
                    self._tasks[t["task_id"]["value"]] = t
            self.executor.launch_group(self, group)
        elif kind == "KILL":
            self.executor.kill_task(self, event["kill"]["task_id"]["value"])
        elif kind == "ACKNOWLEDGED":
            with self._lock:
                self._unacknowledged.pop(event["acknowledged"]["uuid"], None)
        elif kind == "MESSAGE":
            self.executor.framework_message(self, base64.b64decode(event["message"].get("data", "")))
        elif kind == "SHUTDOWN":
            self.executor.shutdown(self)
            self.stop()
        elif kind == "ERROR":
            self.executor.error(self, event["error"].get("message", ""))
        elif kind != "HEARTBEAT":
            LOG.debug("Ignoring %s", kind)

    def send_status_update(self, task_id, state, message=None, data=None):
        """Sends TASK_* ``state`` for a task, with a fresh uuid; it is sent again on re-subscription until the
        agent says it was acknowledged."""
        status = {"task_id": {"value": task_id}, "state": state, "source": "SOURCE_EXECUTOR",
                  "executor_id": {"value": self.executor_id}, "timestamp": time.time(),
                  "uuid": base64.b64encode(uuids.uuid4().bytes).decode("ascii")}
        if message is not None:
            status["message"] = message
        if data is not None:
            status["data"] = base64.b64encode(data).decode("ascii")
        with self._lock:
            self._unacknowledged[status["uuid"]] = status
            if state in ("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED",
                         "TASK_GONE", "TASK_GONE_BY_OPERATOR"):
                self._tasks.pop(task_id, None)
        self._post(calls.executor_update(self.framework_id, self.executor_id, status))

    def send_framework_message(self, data):
        self._post(calls.executor_message(self.framework_id, self.executor_id, data))

    def _post(self, call):
        try:
            status, _, body = post(self.agent, "/api/v1/executor", call, authorization=self._authorization)
        except (OSError, http.client.HTTPException) as e:
            LOG.info("Agent %s not reachable (%s); the update goes again on re-subscription", self.agent, e)
            return
        if status >= 300:
            raise StreamRefused(status, body.decode("utf-8", "replace"))
