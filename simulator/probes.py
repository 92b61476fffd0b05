"""Probe times chosen from the stream: at task ends, or by any rule of the stream.

``simulator.run`` and ``simulator.sweep`` take ``probe_times`` as an array of
times, or as a rule resolved against each run's stream, so a sweep over the
number of tasks (whose task ends differ) can still probe every task's end:
``"task_ends"``, ``{"rule": "task_ends", "per_task": k}`` or a function
``f(stream) -> times``.
"""
import functools

import numpy as np

from environments.validation import check_number

RULES = ("task_ends",)


def task_probe_times(stream, per_task=1):
    """``per_task`` probe times per task, the last at each task's end.

    Task ``j`` spans ``(e_{j-1}, e_j]`` with ``e_j = stream.meta["task_ends"][j]``
    (set by :func:`environments.sequential_tasks`: the time of the task's last
    step) and ``e_{-1}`` the stream's first event time; its probes are
    ``e_{j-1} + (e_j - e_{j-1}) i / per_task`` for ``i = 1 .. per_task``, so
    with ``per_task = 1`` they are the task ends (the ``R`` matrix of Lopez-Paz
    & Ranzato 2017: probe ``j`` right after task ``j``).
    """
    per_task = check_number("per_task", per_task, 1, None, integer=True)
    if "task_ends" not in stream.meta:
        raise ValueError(f"probe_times 'task_ends' needs a stream with meta['task_ends'] "
                         f"(e.g. environments.sequential_tasks); "
                         f"{stream.meta.get('generator', 'this stream')} has none")
    ends = np.asarray(stream.meta["task_ends"], dtype=np.float64)
    starts = np.r_[stream.time[0] if len(stream) else 0.0, ends[:-1]]
    fractions = np.arange(1, per_task + 1) / per_task
    return (starts[:, None] + (ends - starts)[:, None] * fractions).reshape(-1)


def probe_rule(probe_times):
    """``probe_times`` as a function of the stream, or None when it is not a rule.

    A rule is ``"task_ends"``, ``{"rule": "task_ends", "per_task": k}`` (k >= 1)
    or a callable ``f(stream) -> times``; anything else (an array of times, or
    None) is not, and is returned as None for the caller to check as times.
    """
    if callable(probe_times):
        return probe_times
    if isinstance(probe_times, str):
        probe_times = {"rule": probe_times}
    if not isinstance(probe_times, dict):
        return None
    rule = probe_times.get("rule")
    if rule not in RULES:
        raise ValueError(f"probe_times rule must be one of {', '.join(map(repr, RULES))}, "
                         f"got {rule!r}")
    extra = set(probe_times) - {"rule", "per_task"}
    if extra:
        raise ValueError(f"probe_times {{'rule': 'task_ends'}} takes 'per_task' only, "
                         f"got {sorted(extra)}")
    per_task = check_number("per_task", probe_times.get("per_task", 1), 1, None,
                            integer=True)
    return functools.partial(task_probe_times, per_task=per_task)


def describe_probe_times(probe_times):
    """A JSON-able description of ``probe_times`` (a rule, an array, or None)."""
    if probe_times is None:
        return None
    if isinstance(probe_times, functools.partial) and probe_times.func is task_probe_times:
        return {"rule": "task_ends", **probe_times.keywords}
    if callable(probe_times):
        return f"{probe_times.__module__}.{probe_times.__qualname__}"
    return np.asarray(probe_times).tolist()
