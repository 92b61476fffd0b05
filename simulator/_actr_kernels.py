"""ACT-R declarative-memory kernels: njit functions of arrays and scalars only.

Equations from the ACT-R 7 reference manual (declarative module): base-level
learning, the logistic retrieval probability and the latency equation.
"""
import math

import numpy as np

from environments._numba import njit

from ._kernel_utils import logistic, presentation_slots

STUDY = 0


@njit
def base_level_exact(history, start, stop, now, decay, age_floor):
    """``B = ln sum_j max(now - t_j, age_floor) ** -decay`` over history[start:stop].

    ``-inf`` when there is no earlier presentation (ACT-R reference manual,
    base-level learning; ages are floored as the reference implementation does).
    """
    if stop == start:
        return -np.inf
    total = 0.0
    if decay == 0.5:
        # ACT-R's conventional decay: 1/sqrt is several times faster than pow
        for j in range(start, stop):
            total += 1.0 / math.sqrt(max(now - history[j], age_floor))
    else:
        for j in range(start, stop):
            total += math.exp(-decay * math.log(max(now - history[j], age_floor)))
    return math.log(total)


@njit
def recall_probability(activation, threshold, noise):
    """``1 / (1 + exp(-(A - threshold) / noise))``; the limiting step when ``noise == 0``."""
    if noise > 0.0:
        return logistic((activation - threshold) / noise)
    if activation > threshold:
        return 1.0
    if activation == threshold:
        return 0.5
    return 0.0


@njit
def retrieve(activation, threshold, noise, latency_factor, latency_exponent, u):
    """One retrieval attempt with transient logistic noise; returns (p, recalled, latency).

    ``p = 1 / (1 + exp(-(A - threshold) / noise))`` is the probability that
    ``A + eps`` exceeds the threshold when ``eps`` is logistic with scale ``noise``
    (a step at the threshold when ``noise == 0``). The uniform ``u`` decides the
    attempt: it is the upper-tail probability of ``eps``, so ``u < p`` is success
    and ``eps = noise * ln((1 - u) / u)``. Latency is ``F * exp(-f * (A + eps))``
    on success and ``F * exp(-f * threshold)`` on failure.
    """
    p = recall_probability(activation, threshold, noise)
    recalled = u < p
    if recalled:
        eps = 0.0
        if noise > 0.0:
            u = max(u, 1e-300)
            eps = noise * math.log((1.0 - u) / u)
        latency = latency_factor * math.exp(-latency_exponent * (activation + eps))
    else:
        latency = latency_factor * math.exp(-latency_exponent * threshold)
    return p, recalled, latency


@njit
def probe_actr_exact(history, start, fill, now, decay, threshold, noise, age_floor, out):
    """Recall probability of every item at time ``now``, without learning (a probe)."""
    for i in range(len(out)):
        a = base_level_exact(history, start[i], fill[i], now, decay, age_floor)
        out[i] = recall_probability(a, threshold, noise)


@njit
def run_actr_exact(time, item, kind, n_items, decay, threshold, noise, latency_factor,
                   latency_exponent, age_floor, test_is_presentation, rng,
                   activation, p_recall, recalled, latency, lag, n_prior,
                   probe_times, probe_recall):
    """Run an ACT-R declarative memory over a stream, writing into the output arrays.

    Every output describes the state just before the event; then the event is
    added to the item's presentation history (STUDY always, TEST when
    ``test_is_presentation``). One uniform draw per event decides recall. A
    probe at time t (sorted ``probe_times``) sees every event at or before t and
    writes each item's recall probability into ``probe_recall[probe, item]``.
    """
    start, fill = presentation_slots(item, n_items)
    history = np.empty(len(time))
    next_probe = 0
    for e in range(len(time)):
        i = item[e]
        now = time[e]
        while next_probe < len(probe_times) and probe_times[next_probe] < now:
            probe_actr_exact(history, start, fill, probe_times[next_probe], decay, threshold,
                             noise, age_floor, probe_recall[next_probe])
            next_probe += 1
        count = fill[i] - start[i]
        n_prior[e] = count
        lag[e] = now - history[fill[i] - 1] if count > 0 else np.nan
        a = base_level_exact(history, start[i], fill[i], now, decay, age_floor)
        activation[e] = a
        p, ok, rt = retrieve(a, threshold, noise, latency_factor, latency_exponent,
                             rng.random())
        p_recall[e] = p
        recalled[e] = ok
        latency[e] = rt
        if kind[e] == STUDY or test_is_presentation:
            history[fill[i]] = now
            fill[i] += 1
    for p in range(next_probe, len(probe_times)):
        probe_actr_exact(history, start, fill, probe_times[p], decay, threshold, noise,
                         age_floor, probe_recall[p])
