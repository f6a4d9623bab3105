"""Builders of the v1 scheduler and executor calls, and of the messages they carry, as Mesos's JSON."""

import base64


def scalar(name, value):
    """A scalar resource, e.g. ``scalar("cpus", 0.1)``."""
    return {"name": name, "type": "SCALAR", "scalar": {"value": float(value)}}


def resources(**amounts):
    """Scalar resources by name: ``resources(cpus=0.1, mem=32)``."""
    return [scalar(name, value) for name, value in amounts.items()]


def command(value, uris=None, environment=None, shell=True):
    """A CommandInfo: a shell command, URIs to fetch into the sandbox, environment variables."""
    c = {"value": value, "shell": shell}
    if uris:
        c["uris"] = [u if isinstance(u, dict) else {"value": u} for u in uris]
    if environment:
        c["environment"] = {"variables": [{"name": k, "value": v} for k, v in environment.items()]}
    return c


def executor_info(executor_id, cmd, res, name=None):
    """A CUSTOM ExecutorInfo."""
    e = {"type": "CUSTOM", "executor_id": {"value": executor_id}, "command": cmd, "resources": res}
    if name:
        e["name"] = name
    return e


def task_info(task_id, agent_id, res, cmd=None, executor=None, name=None, data=None):
    """A TaskInfo with a command or an executor; ``data`` (bytes) is handed to the executor."""
    t = {"name": name or task_id, "task_id": {"value": task_id}, "agent_id": {"value": agent_id}, "resources": res}
    if cmd is not None:
        t["command"] = cmd
    if executor is not None:
        t["executor"] = executor
    if data is not None:
        t["data"] = base64.b64encode(data).decode("ascii")
    return t


def _call(call_type, framework_id, field=None, body=None):
    c = {"type": call_type}
    if framework_id is not None:
        c["framework_id"] = {"value": framework_id}
    if field is not None:
        c[field] = body
    return c


def _filters(refuse_seconds):
    return None if refuse_seconds is None else {"refuse_seconds": float(refuse_seconds)}


# ---- scheduler calls ---------------------------------------------------------------------------------------------

def subscribe(framework_info, framework_id=None):
    info = dict(framework_info)
    if framework_id is not None:
        info["id"] = {"value": framework_id}
    return _call("SUBSCRIBE", framework_id, "subscribe", {"framework_info": info})


def launch(task_infos):
    return {"type": "LAUNCH", "launch": {"task_infos": list(task_infos)}}


def launch_group(executor, task_infos):
    return {"type": "LAUNCH_GROUP", "launch_group": {"executor": executor, "task_group": {"tasks": list(task_infos)}}}


def reserve(res):
    return {"type": "RESERVE", "reserve": {"resources": list(res)}}


def unreserve(res):
    return {"type": "UNRESERVE", "unreserve": {"resources": list(res)}}


def create(volumes):
    return {"type": "CREATE", "create": {"volumes": list(volumes)}}


def destroy(volumes):
    return {"type": "DESTROY", "destroy": {"volumes": list(volumes)}}


def accept(framework_id, offer_ids, operations, refuse_seconds=None):
    body = {"offer_ids": [{"value": o} for o in offer_ids], "operations": list(operations)}
    if refuse_seconds is not None:
        body["filters"] = _filters(refuse_seconds)
    return _call("ACCEPT", framework_id, "accept", body)


def decline(framework_id, offer_ids, refuse_seconds=None):
    body = {"offer_ids": [{"value": o} for o in offer_ids]}
    if refuse_seconds is not None:
        body["filters"] = _filters(refuse_seconds)
    return _call("DECLINE", framework_id, "decline", body)


def kill(framework_id, task_id, agent_id=None):
    body = {"task_id": {"value": task_id}}
    if agent_id is not None:
        body["agent_id"] = {"value": agent_id}
    return _call("KILL", framework_id, "kill", body)


def acknowledge(framework_id, agent_id, task_id, uuid):
    return _call("ACKNOWLEDGE", framework_id, "acknowledge", {"agent_id": {"value": agent_id},
                                                               "task_id": {"value": task_id}, "uuid": uuid})


def reconcile(framework_id, tasks=()):
    """Explicit reconciliation of ``(task_id, agent_id)`` pairs; none for implicit reconciliation of all."""
    items = []
    for task_id, agent_id in tasks:
        t = {"task_id": {"value": task_id}}
        if agent_id is not None:
            t["agent_id"] = {"value": agent_id}
        items.append(t)
    return _call("RECONCILE", framework_id, "reconcile", {"tasks": items})


def revive(framework_id, roles=None):
    return _call("REVIVE", framework_id, "revive", {"roles": list(roles)} if roles else {})


def suppress(framework_id, roles=None):
    return _call("SUPPRESS", framework_id, "suppress", {"roles": list(roles)} if roles else {})


def message(framework_id, agent_id, executor_id, data):
    return _call("MESSAGE", framework_id, "message", {"agent_id": {"value": agent_id},
                                                       "executor_id": {"value": executor_id},
                                                       "data": base64.b64encode(data).decode("ascii")})


def teardown(framework_id):
    return _call("TEARDOWN", framework_id)


# ---- executor calls ----------------------------------------------------------------------------------------------

def executor_subscribe(framework_id, executor_id, unacknowledged_tasks=(), unacknowledged_updates=()):
    c = _call("SUBSCRIBE", framework_id, "subscribe", {"unacknowledged_tasks": list(unacknowledged_tasks),
                                                       "unacknowledged_updates": list(unacknowledged_updates)})
    c["executor_id"] = {"value": executor_id}
    return c


def executor_update(framework_id, executor_id, status):
    c = _call("UPDATE", framework_id, "update", {"status": status})
    c["executor_id"] = {"value": executor_id}
    return c


def executor_message(framework_id, executor_id, data):
    c = _call("MESSAGE", framework_id, "message", {"data": base64.b64encode(data).decode("ascii")})
    c["executor_id"] = {"value": executor_id}
    return c
