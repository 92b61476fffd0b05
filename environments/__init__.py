"""Environments: what memory agents meet, as EventStreams, and their generators.

The environments know nothing of agents: they produce streams of events (an item
is studied or tested at a time) whose statistics follow the real world's.
"""
from .power_law import power_law
from .sequential import rehearsal_counts, rehearsal_weights, sequential_tasks
from .stream import STUDY, TEST, EventStream

__all__ = [
    "EventStream",
    "STUDY",
    "TEST",
    "power_law",
    "rehearsal_counts",
    "rehearsal_weights",
    "sequential_tasks",
]
