"""Half-life regression (Settles & Meeder 2016) as the memory-model protocol's entry points.

``p = 2 ** (-delta / h)``, ``h = 2 ** (theta . x)`` days, with the features ``x =
(sqrt(1 + right), sqrt(1 + wrong), 1)`` of an item's past answers (the
transformation of the counts in the authors' released code). As in the paper,
``h`` is clipped to [15 minutes, 274 days] and ``p`` to [0.0001, 0.9999].

``params`` (:meth:`simulator.HLR.kernel_params`): ``(theta_right, theta_wrong,
theta_bias)``. ``state``: ``(right, wrong, last)`` per item (counts, and the time
of the last event in seconds, NaN before the first).
"""
import math

import numpy as np

from environments.jit import njit

DAY = 86400.0
MIN_HALF_LIFE = 15.0 / (60.0 * 24.0)
MAX_HALF_LIFE = 274.0
MIN_P, MAX_P = 0.0001, 0.9999


@njit(inline="always")
def half_life(params, right, wrong):
    """``h = 2 ** (theta . x)`` days, clipped to [15 min, 274 d]."""
    dot = (params[0] * math.sqrt(1.0 + right) + params[1] * math.sqrt(1.0 + wrong)
           + params[2])
    return min(max(2.0 ** dot, MIN_HALF_LIFE), MAX_HALF_LIFE)


@njit
def predict(params, state, item, now):
    """``2 ** (-delta / h)`` with ``delta`` in days, clipped (0 before the first event)."""
    right, wrong, last = state
    if math.isnan(last[item]):
        return 0.0
    delta = (now - last[item]) / DAY
    return min(max(2.0 ** (-delta / half_life(params, right[item], wrong[item])), MIN_P),
               MAX_P)


@njit
def learn(params, state, item, now, outcome, rating):
    """Count the answer (right or wrong); every event restarts the lag."""
    right, wrong, last = state
    if not math.isnan(outcome):
        if outcome > 0.5:
            right[item] += 1.0
        else:
            wrong[item] += 1.0
    last[item] = now
    return state


@njit
def observe(params, state, item, now, out):
    """Right and wrong answers so far and the half-life (days) of ``item``."""
    right, wrong, last = state
    out[0] = right[item]
    out[1] = wrong[item]
    out[2] = half_life(params, right[item], wrong[item])


@njit
def retention_time(params, state, item, now, target):
    """When ``p`` falls to ``target``: ``last + h log2(1 / target)`` days."""
    right, wrong, last = state
    if math.isnan(last[item]):
        return now
    days = half_life(params, right[item], wrong[item]) * math.log2(1.0 / target)
    return max(now, last[item] + days * DAY)


def new_state(n_items):
    return np.zeros(n_items), np.zeros(n_items), np.full(n_items, np.nan)
