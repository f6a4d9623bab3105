"""Pangaea's Python library for frameworks: a scheduler and an executor, over the Mesos 1.11 v1 HTTP APIs (JSON).

Standard library only. See the README beside this package.
"""

from .recordio import RecordIOReader, encode_record
from .scheduler import MasterError, Scheduler, SchedulerDriver
from .executor import Executor, ExecutorDriver
from . import calls

__all__ = ["RecordIOReader", "encode_record", "MasterError", "Scheduler", "SchedulerDriver", "Executor",
           "ExecutorDriver", "calls"]
