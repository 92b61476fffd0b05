"""Model-agnostic driver loops, compiled once per model from the model's kernels.

:func:`replay_kernel` closes the loop over a model's entry points (closure
constants, so numba inlines the model's equations into the loop and caches one
compiled loop per model, told apart by the kernels it closes over). Kernels
passed as dispatcher-typed arguments instead were cached under keys numba could
not compare again in a later process.
"""
import math

import numpy as np

from environments.jit import njit

TEST = 1

_REPLAY = {}


def replay_kernel(kernels):
    """The :func:`replay` loop of a model (a :class:`simulator.ModelKernels`), memoised."""
    loop = _REPLAY.get(kernels)
    if loop is None:
        loop = _REPLAY[kernels] = _make_replay(kernels.predict, kernels.learn, kernels.observe,
                                               kernels.probe, kernels.rate)
    return loop


def _make_replay(predict, learn, observe, probe, rate):
    @njit
    def replay(params, state, events, draws, probes, out):
        return _replay(predict, learn, observe, probe, rate, params, state, events, draws,
                       probes, out)
    return replay


@njit(inline="always")
def _replay(predict, learn, observe, probe, rate, params, state, events, draws, probes, out):
    """One pass over a stream's events: predict before each event, then learn from it.

    ``events = (time, item, kind, outcome, rating)``: at a TEST event the answer
    is ``outcome[e]`` when observed (not NaN), otherwise drawn: recalled when
    ``u_recall[e] < p`` and rated ``rate(params, recalled, u_rating[e])``.
    ``draws = (u_recall, u_rating)``. A STUDY event reaches ``learn``
    with outcome NaN and rating 0. ``probes = (probe_times, probe_recall)``:
    before the first event later than a probe time, every item's recall
    probability at that time (a probe at t sees every event at or before t).
    ``out = (p_recall, outcome, rating, observed)`` per event: the recall
    probability and the state variables before the event, the answer it got
    (NaN at STUDY events), its rating. Returns the final state.
    """
    time, item, kind, outcome, rating = events
    u_recall, u_rating = draws
    probe_times, probe_recall = probes
    p_out, outcome_out, rating_out, observed = out
    n_probes = len(probe_times)
    k = 0
    for e in range(len(time)):
        now = time[e]
        while k < n_probes and probe_times[k] < now:
            probe(params, state, probe_times[k], probe_recall[k])
            k += 1
        i = item[e]
        observe(params, state, i, now, observed[e])
        p = predict(params, state, i, now)
        p_out[e] = p
        answer = math.nan
        grade = 0
        if kind[e] == TEST:
            if math.isnan(outcome[e]):
                recalled = u_recall[e] < p
                answer = 1.0 if recalled else 0.0
                grade = rate(params, recalled, u_rating[e])
            else:
                answer = outcome[e]
                grade = rating[e]
        outcome_out[e] = answer
        rating_out[e] = grade
        state = learn(params, state, i, now, answer, grade)
    while k < n_probes:
        probe(params, state, probe_times[k], probe_recall[k])
        k += 1
    return state


@njit
def item_lags(time, item, n_items, lag, n_prior):
    """Per event: time since its item's previous event (NaN at the first) into ``lag``,
    and the number of the item's earlier events into ``n_prior``. One pass."""
    last = np.full(n_items, math.nan)
    count = np.zeros(n_items, np.int64)
    for e in range(len(time)):
        i = item[e]
        lag[e] = time[e] - last[i]
        n_prior[e] = count[i]
        last[i] = time[e]
        count[i] += 1
