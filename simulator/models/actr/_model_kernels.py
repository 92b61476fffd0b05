"""ACT-R's entry points of the memory-model protocol (:mod:`simulator.protocol`).

They reuse the base-level, learning and retrieval helpers of
:mod:`simulator.models.actr._kernels` unchanged, so each equation exists once.

``params`` (:meth:`simulator.ACTR.kernel_params`): ``(mode, decay, hybrid_k,
age_floor, spacing_scale, spacing_intercept, threshold, noise,
test_is_presentation, session_gap, intersession_scale)``.

``state`` (:meth:`simulator.ACTR.new_state`): ``(start, fill, cap, hist_t, hist_d,
last, traces, weights, factors, permanent, clock, pool)``: item i's presentation
history is ``hist_t[start[i]:fill[i]]`` with room for ``cap[i]`` (an item whose
slice is full moves to the end of the pool, which doubles when needed; ``pool[0]``
is its end); ``last``/``traces`` as in the run loop; ``weights``/``factors`` the
multiscale coefficients and scratch; ``permanent`` each item's permanent noise;
``clock = [time of the last event, the session offset, memo item, memo time, memo
base level]`` (:func:`session_offset`; the memo is :func:`activation`'s last base
level, which :func:`learn_event` reuses for the same item at the same time instead of
computing it twice, as a driver's predict-then-learn of one event would).
"""
import math

import numpy as np

from environments.jit import njit
from simulator.models.actr._kernels import (EXACT_HALF, MULTISCALE, base_level, learn,
                                            recall_probability)


@njit(inline="always")
def session_offset(offset, last_time, t, session_gap, intersession_scale):
    """Time not counted by the psychological clock up to an event at ``t``.

    Pavlik & Anderson (2005): a gap between consecutive events longer than
    ``session_gap`` is between sessions and counts ``intersession_scale`` times its
    length, so the event's psychological time is ``t - offset``. ``offset`` is the
    value after the previous event (at ``last_time``; NaN before any event).
    Exact clock time (``t``) whenever ``intersession_scale == 1``.
    """
    if not math.isnan(last_time):
        gap = t - last_time
        if gap > session_gap:
            offset += (1.0 - intersession_scale) * gap
    return offset


@njit
def psychological_times(time, at, session_gap, intersession_scale, out):
    """Psychological time (:func:`session_offset`) of every event of ``time`` (``at``
    empty), or of each time of ``at`` after the last event at or before it, into ``out``."""
    offset = 0.0
    last_time = math.nan
    if len(at) == 0:
        for e in range(len(time)):
            offset = session_offset(offset, last_time, time[e], session_gap,
                                    intersession_scale)
            last_time = time[e]
            out[e] = time[e] - offset
        return
    e = 0
    for k in range(len(at)):
        while e < len(time) and time[e] <= at[k]:
            offset = session_offset(offset, last_time, time[e], session_gap,
                                    intersession_scale)
            last_time = time[e]
            e += 1
        out[k] = at[k] - session_offset(offset, last_time, at[k], session_gap,
                                        intersession_scale)


@njit
def _grow(values, size):
    bigger = np.empty(max(size, 2 * len(values)), values.dtype)
    bigger[:len(values)] = values
    return bigger


@njit
def make_room(i, state, has_decays):
    """Item i's history slice with a free slot: the state, with grown arrays if needed.

    ``has_decays``: the memory keeps per-presentation decays (every mode but
    :data:`EXACT_HALF`), which grow with the times.
    """
    (start, fill, cap, hist_t, hist_d, last, traces, weights, factors, permanent, clock,
     pool) = state
    if fill[i] - start[i] < cap[i]:
        return state
    n = fill[i] - start[i]
    new_cap = max(4, 2 * cap[i])
    end = pool[0]
    if end + new_cap > len(hist_t):
        hist_t = _grow(hist_t, end + new_cap)
        if has_decays:
            hist_d = _grow(hist_d, end + new_cap)
    hist_t[end:end + n] = hist_t[start[i]:fill[i]]
    if has_decays:
        hist_d[end:end + n] = hist_d[start[i]:fill[i]]
    start[i] = end
    fill[i] = end + n
    cap[i] = new_cap
    pool[0] = end + new_cap
    return (start, fill, cap, hist_t, hist_d, last, traces, weights, factors, permanent, clock,
            pool)


@njit(inline="always")
def activation(params, state, item, now):
    """``A = B + permanent noise`` of ``item`` at ``now`` (``-inf`` before its first presentation)."""
    (mode, decay, hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold, noise,
     test_is_presentation, session_gap, intersession_scale) = params
    (start, fill, cap, hist_t, hist_d, last, traces, weights, factors, permanent, clock,
     pool) = state
    t = now - session_offset(clock[1], clock[0], now, session_gap, intersession_scale)
    if clock[2] == item and clock[3] == t:
        return clock[4] + permanent[item]
    b = base_level(item, t, mode, decay, hybrid_k, spacing_scale > 0.0, age_floor, start, fill,
                   hist_t, hist_d, last, traces, weights, factors)
    clock[2] = item
    clock[3] = t
    clock[4] = b
    return b + permanent[item]


@njit(inline="always")
def predict(params, state, item, now):
    """Recall probability ``1 / (1 + exp(-(A - tau) / s))`` (ACT-R 7 reference manual)."""
    return recall_probability(activation(params, state, item, now), params[6], params[7])


@njit(inline="always")
def learn_event(params, state, item, now, outcome, rating):
    """Age the memory to ``now``; add a presentation (a study, or a test when tests are
    presentations) with its Pavlik & Anderson decay (:func:`present_event`), first
    making room in the item's history."""
    mode = params[0]
    if mode != MULTISCALE and state[1][item] - state[0][item] >= state[2][item]:
        state = make_room(item, state, mode != EXACT_HALF)
    present_event(params, state, item, now, outcome, rating)
    return state


@njit(inline="always")
def present_event(params, state, item, now, outcome, rating):
    """:func:`learn_event` in a memory with room for the presentation (a state made by
    ``ACTR.prepare`` for the stream being replayed)."""
    (mode, decay, hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold, noise,
     test_is_presentation, session_gap, intersession_scale) = params
    clock = state[10]
    clock[1] = session_offset(clock[1], clock[0], now, session_gap, intersession_scale)
    clock[0] = now
    t = now - clock[1]
    if not (math.isnan(outcome) or test_is_presentation):
        return
    (start, fill, cap, hist_t, hist_d, last, traces, weights, factors, permanent, clock,
     pool) = state
    spacing = spacing_scale > 0.0
    m = 0.0
    fresh = False
    if clock[2] == item and clock[3] == t:
        # ``activation`` has just computed it (every base level of these kernels goes
        # through ``activation``, so ``factors`` are still this item's at ``t``)
        m = clock[4]
        fresh = mode == MULTISCALE and t - last[item] >= age_floor
    elif spacing or mode == MULTISCALE:
        m = base_level(item, t, mode, decay, hybrid_k, spacing, age_floor, start, fill, hist_t,
                       hist_d, last, traces, weights, factors)
        fresh = mode == MULTISCALE and t - last[item] >= age_floor
    clock[2] = -1.0  # the item's memory changes: forget the memo
    learn(item, t, m, mode, decay, spacing_scale, spacing_intercept, start, fill, hist_t,
          hist_d, last, traces, weights, factors, fresh)


@njit
def probe(params, state, now, out):
    """Every item's recall probability at ``now``."""
    for i in range(len(out)):
        out[i] = predict(params, state, i, now)


@njit
def observe(params, state, item, now, out):
    """``activation`` of ``item`` at ``now``."""
    out[0] = activation(params, state, item, now)


@njit
def retention_time(params, state, item, now, target):
    """When recall falls to ``target``: ``A(t) = tau + s ln(target / (1 - target))``, found by
    bisection on the (non-increasing between presentations) activation."""
    threshold, noise = params[6], params[7]
    if noise > 0.0:
        goal = threshold + noise * math.log(target / (1.0 - target))
    else:
        goal = threshold
    if activation(params, state, item, now) <= goal:
        return now
    step = 1.0
    while activation(params, state, item, now + step) > goal:
        step *= 2.0
        if step > 1e12:
            return math.inf
    low = now + step / 2.0 if step > 1.0 else now
    high = now + step
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid <= low or mid >= high:
            break
        if activation(params, state, item, mid) > goal:
            low = mid
        else:
            high = mid
    return high
