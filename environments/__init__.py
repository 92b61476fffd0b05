"""Environments: what memory agents meet, as EventStreams, and their generators.

The environments know nothing of agents: they produce streams of events (an item
is studied or tested at a time) whose statistics follow the real world's.
"""
from .permuted import PermutedTasks, permuted_tasks
from .power_law import power_law
from .reoccurrence import class_probabilities, reoccurrence
from .schedules import (DAY, HOUR, MINUTE, WEEK, days, expanding, hours, massed, minutes,
                        spaced, view_batch)
from .sequential import rehearsal_counts, rehearsal_weights, sequential_tasks
from ._units import parameter_units
from .stream import STUDY, TEST, EventStream
from .zipf import zipf

__all__ = [
    "DAY",
    "EventStream",
    "HOUR",
    "MINUTE",
    "PermutedTasks",
    "STUDY",
    "TEST",
    "WEEK",
    "class_probabilities",
    "days",
    "expanding",
    "hours",
    "massed",
    "parameter_units",
    "minutes",
    "permuted_tasks",
    "power_law",
    "rehearsal_counts",
    "rehearsal_weights",
    "reoccurrence",
    "sequential_tasks",
    "spaced",
    "view_batch",
    "zipf",
]
