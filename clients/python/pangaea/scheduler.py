"""The scheduler side: subclass Scheduler, run it with a SchedulerDriver."""

import base64
import http.client
import json
import logging
import threading
import time

from . import calls
from ._http import abort, Endpoint, StreamRefused, open_stream, post
from .recordio import RecordIOReader, RecordIOError

LOG = logging.getLogger("pangaea.scheduler")


class MasterError(Exception):
    """The master refused a call: its HTTP status and message."""

    def __init__(self, status, message):
        super().__init__("the master answered %d: %s" % (status, message))
        self.status = status
        self.message = message


class Scheduler:
    """The callbacks a framework implements; each default does nothing. They run on the driver's thread."""

    def registered(self, driver, framework_id, master_info):
        pass

    def reregistered(self, driver, master_info):
        pass

    def resource_offers(self, driver, offers):
        pass

    def offer_rescinded(self, driver, offer_id):
        pass

    def status_update(self, driver, status):
        pass

    def framework_message(self, driver, agent_id, executor_id, data):
        pass

    def disconnected(self, driver):
        pass

    def error(self, driver, message):
        pass

    def heartbeat(self, driver):
        pass


class SchedulerDriver:
    """Subscribes a framework to the leading master and calls its Scheduler with the events.

    ``masters`` is ``host:port``, a comma-separated list of them, or a list; a master that does not lead redirects to
    the one that does. After a disconnection the driver subscribes again with its framework id, backing off up to
    ``backoff_max`` seconds; a stream silent for five heartbeat intervals counts as disconnected. Status updates are
    acknowledged after ``status_update`` returns, unless ``implicit_acknowledgements`` is False.
    """

    def __init__(self, scheduler, framework_info, masters, implicit_acknowledgements=True, backoff_max=10.0,
                 authorization=None):
        if isinstance(masters, str):
            masters = [m.strip() for m in masters.split(",") if m.strip()]
        if not masters:
            raise ValueError("no master address given")
        self.scheduler = scheduler
        self.framework_info = dict(framework_info)
        self.framework_id = (framework_info.get("id") or {}).get("value")
        self.implicit_acknowledgements = implicit_acknowledgements
        self.backoff_max = backoff_max
        self._authorization = authorization
        self._masters = [Endpoint(m) for m in masters]
        self._candidate = 0
        self._leader = None
        self._stream_id = None
        self._conn = None
        self._stopped = threading.Event()
        self._subscribed_once = False
        self._got_subscribed = False  # whether the current stream got SUBSCRIBED

    # ---- the event loop -----------------------------------------------------------------------------------------

    def run(self):
        """Runs until ``stop`` is called; returns then."""
        backoff = 0.25
        failures = 0
        while not self._stopped.is_set():
            self._got_subscribed = False
            try:
                self._subscribe_and_read()
            except (OSError, http.client.HTTPException, RecordIOError, StreamRefused, ValueError) as e:
                if self._stopped.is_set():
                    break
                if self._got_subscribed:  # a stream that worked and ended: a new outage starts
                    backoff, failures = 0.25, 0
                if isinstance(e, StreamRefused) and e.status in (400, 401, 403):
                    self.scheduler.error(self, e.message)
                    self.stop()
                    break
                failures += 1
                # said once per outage at WARNING, so a user sees why nothing happens; the retries at INFO
                LOG.log(logging.WARNING if failures == 1 else logging.INFO,
                        "Master %s not reachable (%s); retrying in %.2fs", self._target(), e, backoff)
                self._candidate += 1
            if self._stream_id is not None:
                self._stream_id = None
                if not self._stopped.is_set():  # stopping on purpose is not a disconnection
                    self.scheduler.disconnected(self)
            self._stopped.wait(backoff)
            backoff = min(self.backoff_max, backoff * 2)

    def stop(self):
        """Ends ``run``; the framework stays registered until its failover timeout (see ``teardown``)."""
        self._stopped.set()
        abort(self._conn)

    def _target(self):
        return self._leader or self._masters[self._candidate % len(self._masters)]

    def _subscribe_and_read(self):
        self._leader = None
        endpoint, conn, resp = open_stream(self._masters[self._candidate % len(self._masters)],
                                           "/api/v1/scheduler", calls.subscribe(self.framework_info,
                                                                                self.framework_id),
                                           timeout=30.0, authorization=self._authorization)
        self._conn = conn
        try:
            self._leader = endpoint
            self._stream_id = resp.getheader("Mesos-Stream-Id")
            for record in RecordIOReader(resp):
                self._dispatch(json.loads(record.decode("utf-8")), conn)
                if self._stopped.is_set():
                    return
            raise OSError("the master closed the stream")
        finally:
            self._conn = None
            conn.close()

    def _dispatch(self, event, conn):
        kind = event.get("type")
        if kind == "SUBSCRIBED":
            sub = event["subscribed"]
            self.framework_id = sub["framework_id"]["value"]
            self._got_subscribed = True
            interval = sub.get("heartbeat_interval_seconds", 15.0)
            if conn.sock is not None:
                conn.sock.settimeout(5 * interval)  # the heartbeat watchdog
            if self._subscribed_once:
                self.scheduler.reregistered(self, sub.get("master_info"))
            else:
                self._subscribed_once = True
                self.scheduler.registered(self, self.framework_id, sub.get("master_info"))
        elif kind == "OFFERS":
            self.scheduler.resource_offers(self, event["offers"].get("offers", []))
        elif kind == "RESCIND":
            self.scheduler.offer_rescinded(self, event["rescind"]["offer_id"]["value"])
        elif kind == "UPDATE":
            status = event["update"]["status"]
            self.scheduler.status_update(self, status)
            if self.implicit_acknowledgements and "uuid" in status and "agent_id" in status \
                    and not self._stopped.is_set():
                try:
                    self.acknowledge(status)
                except (MasterError, OSError, http.client.HTTPException) as e:
                    # the update comes again and is acknowledged then
                    LOG.warning("Could not acknowledge %s of %s: %s", status.get("state"),
                                status["task_id"]["value"], e)
        elif kind == "MESSAGE":
            m = event["message"]
            self.scheduler.framework_message(self, m["agent_id"]["value"], m["executor_id"]["value"],
                                             base64.b64decode(m.get("data", "")))
        elif kind == "ERROR":
            self.scheduler.error(self, event["error"].get("message", ""))
        elif kind == "HEARTBEAT":
            self.scheduler.heartbeat(self)
        else:
            LOG.debug("Ignoring %s", kind)

    # ---- calls ---------------------------------------------------------------------------------------------------

    def _call(self, call):
        if self._stream_id is None:
            raise MasterError(503, "not subscribed to a master")
        status, _, body = post(self._leader or self._target(), "/api/v1/scheduler", call,
                               {"Mesos-Stream-Id": self._stream_id}, authorization=self._authorization)
        if status >= 300:
            raise MasterError(status, body.decode("utf-8", "replace"))
        return body

    def accept(self, offer_ids, operations, refuse_seconds=None):
        """ACCEPT with operations built by ``pangaea.calls`` (launch, launch_group, reserve, ...)."""
        self._call(calls.accept(self.framework_id, offer_ids, operations, refuse_seconds))

    def launch(self, offer_ids, task_infos, refuse_seconds=None):
        self.accept(offer_ids, [calls.launch(task_infos)], refuse_seconds)

    def decline(self, offer_ids, refuse_seconds=None):
        self._call(calls.decline(self.framework_id, offer_ids, refuse_seconds))

    def kill(self, task_id, agent_id=None):
        self._call(calls.kill(self.framework_id, task_id, agent_id))

    def acknowledge(self, status):
        """Acknowledges a status update (needed only with ``implicit_acknowledgements=False``)."""
        self._call(calls.acknowledge(self.framework_id, status["agent_id"]["value"], status["task_id"]["value"],
                                     status["uuid"]))

    def reconcile(self, tasks=()):
        self._call(calls.reconcile(self.framework_id, tasks))

    def revive(self, roles=None):
        self._call(calls.revive(self.framework_id, roles))

    def suppress(self, roles=None):
        self._call(calls.suppress(self.framework_id, roles))

    def message(self, agent_id, executor_id, data):
        self._call(calls.message(self.framework_id, agent_id, executor_id, data))

    def teardown(self):
        """Removes the framework: its tasks are killed. Then ``run`` returns."""
        try:
            self._call(calls.teardown(self.framework_id))
        finally:
            self.stop()
