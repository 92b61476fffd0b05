"""Environments: what memory agents meet, as EventStreams, and their generators.

The environments know nothing of agents: they produce streams of events (an item
is studied or tested at a time) whose statistics follow the real world's.
"""
from environments.version import cogmemsim_version as _cogmemsim_version
from environments.permuted import PermutedTasks, permuted_tasks
from environments.power_law import power_law
from environments.revlog import read_revlog, write_revlog
from environments.review_schedule import review_schedule, split_learners
from environments.reoccurrence import class_probabilities, reoccurrence
from environments.schedules import (DAY, HOUR, MINUTE, WEEK, days, expanding, hours, massed, minutes,
                        spaced, view_batch)
from environments.sessions import listening_sessions
from environments.sequential import rehearsal_counts, rehearsal_weights, sequential_tasks
from environments.params import argument, declare_parameters
from environments.units import parameter_units
from environments.stream import STUDY, TEST, EventStream
from environments.view_batch_tasks import view_batch_tasks
from environments.zipf import zipf

__version__ = _cogmemsim_version()

__all__ = [
    "review_schedule",
    "split_learners",
    "DAY",
    "EventStream",
    "HOUR",
    "MINUTE",
    "PermutedTasks",
    "STUDY",
    "TEST",
    "WEEK",
    "argument",
    "class_probabilities",
    "days",
    "declare_parameters",
    "expanding",
    "hours",
    "listening_sessions",
    "massed",
    "parameter_units",
    "minutes",
    "permuted_tasks",
    "power_law",
    "read_revlog",
    "rehearsal_counts",
    "rehearsal_weights",
    "reoccurrence",
    "sequential_tasks",
    "spaced",
    "view_batch",
    "view_batch_tasks",
    "write_revlog",
    "zipf",
]
