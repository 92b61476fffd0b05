"""Interval scheduling from a memory model's retention time (the FSRS scheduler's rule).

:func:`interval_policy` makes the ``(introduce, priority, review)`` policy kernels of
:class:`simulator.TargetRetention` given a ``model``: the policy keeps its own copy of
the model's memory of each item, which learns the first study and every answer at
the start of its day, and sets the next review ``round(t_target)`` whole days later,
where ``t_target`` is when the model's predicted recall falls to the target (its
``retention_time``), at least 1 day and at most ``maximum_interval``, optionally
fuzzed. This is the interval rule of the FSRS scheduler (Ye 2024, "The Algorithm",
open-spaced-repetition wiki; py-fsrs 6 ``Scheduler._next_interval`` and
``_get_fuzzed_interval``): with FSRS as the model, ``t_target = S / factor
(target^(-1/w20) - 1)`` days.

``sparams = (target, maximum_interval, fuzz, model_params)``; ``sstate = (due, level,
ease, interval, model_state, fuzz_rng)`` (the first four as the built-in policies').
"""
import math

import numpy as np

from environments.jit import njit
from simulator.scheduling._policy_kernels import due_priority

DAY = 86400.0

FUZZ_RANGES = np.array([[2.5, 7.0, 0.15], [7.0, 20.0, 0.1], [20.0, math.inf, 0.05]])
"""FSRS's fuzz ranges: ``(start, end, factor)`` in days."""


@njit
def whole_day_interval(days, maximum_interval):
    """FSRS's interval from a real number of days: rounded half to even (Python's
    ``round``), at least 1, at most ``maximum_interval``."""
    return min(max(float(np.round(days)), 1.0), maximum_interval)


@njit
def fuzz_range(interval, maximum_interval):
    """FSRS's fuzz range ``(low, high)`` (days) of a whole-day ``interval`` >= 2.5:
    ``delta = 1 + sum_k factor_k max(min(interval, end_k) - start_k, 0)`` over
    :data:`FUZZ_RANGES`; ``[round(interval - delta), round(interval + delta)]``, with
    ``low >= 2`` and ``high <= maximum_interval``."""
    delta = 1.0
    for k in range(FUZZ_RANGES.shape[0]):
        delta += FUZZ_RANGES[k, 2] * max(min(interval, FUZZ_RANGES[k, 1]) - FUZZ_RANGES[k, 0],
                                         0.0)
    low = max(2.0, float(np.round(interval - delta)))
    high = min(float(np.round(interval + delta)), maximum_interval)
    return min(low, high), high


@njit
def fuzzed_interval(interval, maximum_interval, u):
    """FSRS's fuzzed interval from one uniform ``u`` in [0, 1): unchanged below 2.5
    days, else ``round(low + u (high - low + 1))`` within :func:`fuzz_range`, at most
    ``maximum_interval``."""
    if interval < 2.5:
        return interval
    low, high = fuzz_range(interval, maximum_interval)
    return min(float(np.round(u * (high - low + 1.0) + low)), maximum_interval)


_POLICIES = {}


def interval_policy(kernels):
    """The interval policy's kernels for one model's :class:`simulator.ModelKernels` (memoised)."""
    policy = _POLICIES.get(kernels)
    if policy is None:
        policy = _POLICIES[kernels] = _make_policy(kernels.learn, kernels.retention_time)
    return policy


def _make_policy(learn, retention_time):
    @njit
    def schedule_next(sparams, sstate, item, now, day):
        target, maximum_interval, fuzz, mparams = sparams
        days = (retention_time(mparams, sstate[4], item, now, target) - now) / DAY
        interval = whole_day_interval(days, maximum_interval)
        if fuzz:
            interval = fuzzed_interval(interval, maximum_interval, sstate[5].random())
        sstate[3][item] = int(interval)
        sstate[0][item] = day + interval

    @njit
    def introduce(sparams, sstate, item, day, rating):
        """The first study (no answer; its rating, 0 if none) at the start of ``day``,
        then the first interval."""
        now = day * DAY
        learn(sparams[3], sstate[4], item, now, math.nan, rating)
        schedule_next(sparams, sstate, item, now, day)

    @njit
    def review(sparams, sstate, item, day, recalled, rating):
        """The answer and its rating at the start of ``day``, then the next interval."""
        now = day * DAY
        learn(sparams[3], sstate[4], item, now, 1.0 if recalled else 0.0, rating)
        schedule_next(sparams, sstate, item, now, day)

    return introduce, due_priority, review
