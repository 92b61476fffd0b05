"""ACT-R declarative-memory kernels: njit functions of arrays and scalars only.

Equations from the ACT-R 7 reference manual (declarative module): base-level
learning (exact, optimized and hybrid), spreading activation and the logistic
retrieval probability (the per-event retrieval draw and latency equation are
array work in :func:`simulator.models.actr.model.retrieve`); the activation-dependent decay
of Pavlik & Anderson (2005, Cognitive Science 29); and a multiscale (sum of
exponentials) form of the power-law decay kernel.

Memory state shared by the kernels (made by :func:`new_memory`):

- ``start``/``fill``: per-item slices of the flat presentation history (CSR);
  ``fill[i] - start[i]`` is item i's number of presentations;
- ``hist_t``/``hist_d``: presentation times and their decays (empty in
  multiscale mode, which keeps no history; ``hist_d`` empty in :data:`EXACT_HALF`,
  which has no spacing model: writing it cost ~1.5 ms per 200k events);
- ``last``: time of each item's latest presentation;
- ``traces[i]``: item i's multiscale row (:mod:`simulator.models.actr._multiscale_kernels`).
"""
import math

import numpy as np
from numba import types
from numba.typed import Dict

from environments.jit import njit

from simulator.models._kernel_utils import logistic, presentation_slots
from simulator.models.actr._multiscale_kernels import (
    COUNT, ENTRIES, MS_ROW, MS_SCRATCH, RECENT, decay_factors, decay_traces, multiscale_first,
    multiscale_present, multiscale_strength, multiscale_weights)

STUDY = 0

EXACT, OPTIMIZED, HYBRID, MULTISCALE = 0, 1, 2, 3
"""Base-level modes, in the order of ``ACTR.approximation``'s choices."""
EXACT_HALF = 4
"""``"exact"`` at decay 0.5 without the spacing model: :func:`strength` calls
:func:`inverse_sqrt_sum` with no branch before it. Its own compiled loop: the
runtime branches to it (empty history, spacing, decay) kept reference-count
operations on the history arrays alive per event (~1.5 ms per 200k events); it
keeps no per-presentation decays (``hist_d``), so it must not run with the spacing
model (``ACTR._base_level`` picks it only without)."""


@njit
def new_memory(item, n_items, mode):
    """Empty memory for a stream's items (see the module docstring)."""
    start, fill = presentation_slots(item, n_items)
    n_history = 0 if mode == MULTISCALE else len(item)
    n_decays = 0 if mode == EXACT_HALF else n_history
    traces = np.zeros((n_items if mode == MULTISCALE else 0, MS_ROW))
    return (start, fill, np.empty(n_history), np.empty(n_decays),
            np.full(n_items, np.nan), traces)


# float32 normal range with a margin: there the float32 seed of inverse_sqrt_sum is
# accurate to ~2**-23 (no subnormal input, no overflow of the conversion)
SEED_MIN_AGE, SEED_MAX_AGE = 2.0 ** -126, 2.0 ** 126


# Vectorized: the reassociation flag (the terms may be added in any order) and the
# contraction flag (a multiply-add may be one fused instruction, rounded once); no
# flag assumes away inf/NaN. numpy's error model: no division-by-zero branch (every
# age is >= age_floor > 0). Not IR-inlined, which would drop the flags, but inlined by
# LLVM (forceinline), which keeps them: the call's error-status branch then folds away,
# and with it an atomic incref/decref of hist_t per event (~2 ms per 200k events).
@njit(fastmath={"reassoc", "contract"}, error_model="numpy", forceinline=True)
def inverse_sqrt_sum(hist_t, lo, hi, now, age_floor):
    """``sum_j max(now - t_j, age_floor) ** -0.5`` over hist_t[lo:hi] (decay 0.5).

    ``hist_t[lo:hi]`` is in presentation order (non-decreasing), so ``hist_t[lo]``
    is the oldest. Each ``x ** -0.5`` starts from the float32 ``y = 1/sqrt(x)``
    (relative error ``e`` below ~2**-23; float32 square roots and divisions take
    the divider a fraction of the time of float64 ones) and takes one third-order
    Householder step of ``x * y**2 = 1``: with ``r = 1 - x y**2``,
    ``y (1 - r) ** -0.5 = y (1 + r/2 + 3 r**2 / 8 + O(r**3))`` leaves a relative
    error ~ ``(5/2) e**3``, below double rounding (``y**2`` of a float32 is exact in
    float64). Results are within ~2 ulp of ``1 / math.sqrt(x)`` per term. Ages
    outside the float32 normal range take ``1 / math.sqrt`` directly.
    """
    ages = hist_t[lo:hi]  # indices from 0: contiguous loads, not gathers
    total = 0.0
    if hi == lo:
        return total
    if age_floor < SEED_MIN_AGE or max(age_floor, now - ages[0]) > SEED_MAX_AGE:
        for j in range(len(ages)):
            total += 1.0 / math.sqrt(max(now - ages[j], age_floor))
        return total
    for j in range(len(ages)):
        x = max(now - ages[j], age_floor)
        y = np.float64(np.float32(1.0) / np.sqrt(np.float32(x)))
        r = 1.0 - x * (y * y)
        total += y + y * (r * (0.5 + 0.375 * r))
    return total


@njit(inline="always")
def power_sum(hist_t, hist_d, lo, hi, now, decay, spacing, age_floor):
    """``sum_j max(now - t_j, age_floor) ** -d_j`` over hist[lo:hi]."""
    total = 0.0
    if spacing:
        for j in range(lo, hi):
            total += math.exp(-hist_d[j] * math.log(max(now - hist_t[j], age_floor)))
    elif decay == 0.5:
        # ACT-R's conventional decay: 1/sqrt is several times faster than pow
        total = inverse_sqrt_sum(hist_t, lo, hi, now, age_floor)
    else:
        for j in range(lo, hi):
            total += math.exp(-decay * math.log(max(now - hist_t[j], age_floor)))
    return total


@njit(inline="always")
def hybrid_sum(hist_t, lo, hi, now, decay, k, age_floor):
    """The manual's hybrid base-level sum (``:ol k``): k most recent ages exact.

    ``sum_{j<=k} t_j^-d + (n-k)(t_n^(1-d) - t_k^(1-d)) / ((1-d)(t_n - t_k))``
    with t_1 the most recent age and t_n the oldest; exact when n <= k.
    """
    n = hi - lo
    if n <= k:
        return power_sum(hist_t, hist_t, lo, hi, now, decay, False, age_floor)
    total = power_sum(hist_t, hist_t, hi - k, hi, now, decay, False, age_floor)
    t_k = max(now - hist_t[hi - k], age_floor)
    t_n = max(now - hist_t[lo], age_floor)
    if t_n == t_k:  # the limit of the difference quotient
        return total + (n - k) * t_k ** -decay
    return total + (n - k) * (t_n ** (1.0 - decay) - t_k ** (1.0 - decay)) / (
        (1.0 - decay) * (t_n - t_k))


@njit(inline="always")
def strength(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill, hist_t, hist_d,
             last, traces, weights, factors):
    """Base-level strength ``exp(B_i)`` at ``now`` (0 before any presentation).

    exact: ``sum_j t_j^-d_j``; optimized: ``(n / (1-d)) L^-d`` with L the time
    since the first presentation (the chunk's creation); hybrid: see
    :func:`hybrid_sum`; multiscale: the traces decayed to ``now``
    (:func:`simulator.models.actr._multiscale_kernels.multiscale_strength`, with its
    coefficients ``weights`` and scratch ``factors``). ACT-R 7 reference manual,
    base-level learning; ages floored at ``age_floor``.
    """
    lo, hi = start[i], fill[i]
    if mode == EXACT_HALF:  # an empty sum is 0
        return inverse_sqrt_sum(hist_t, lo, hi, now, age_floor)
    if hi == lo:
        return 0.0
    if mode == EXACT:
        return power_sum(hist_t, hist_d, lo, hi, now, decay, spacing, age_floor)
    if mode == OPTIMIZED:
        lifetime = max(now - hist_t[lo], age_floor)
        return (hi - lo) / (1.0 - decay) * lifetime ** -decay
    if mode == HYBRID:
        return hybrid_sum(hist_t, lo, hi, now, decay, hybrid_k, age_floor)
    return multiscale_strength(traces[i], now - last[i], age_floor, weights, factors,
                               not spacing)


@njit(inline="always")
def log_strength(s):
    """``ln s``; ``-inf`` for the 0 strength of an item never presented."""
    return math.log(s) if s > 0.0 else -np.inf


@njit(inline="always")
def base_level(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill, hist_t, hist_d,
               last, traces, weights, factors):
    """Base-level activation ``B_i = ln`` :func:`strength` (``-inf`` before any presentation)."""
    return log_strength(strength(i, now, mode, decay, hybrid_k, spacing, age_floor, start,
                                 fill, hist_t, hist_d, last, traces, weights, factors))


@njit(inline="always")
def present(i, now, presentation_decay, mode, start, fill, hist_t, hist_d, last, traces,
            weights, factors, fresh):
    """Add a presentation of item ``i`` at ``now`` with its own decay.

    Multiscale: ``weights`` are the coefficients (the trace weights of this
    presentation's decay first); ``fresh``: the caller has just computed item
    i's strength at ``now`` (its age above the floor), so ``factors`` hold its
    decay factors.
    """
    if mode == MULTISCALE:
        if fill[i] > start[i]:
            multiscale_present(traces[i], now - last[i], weights, factors, fresh,
                               presentation_decay)
        else:
            multiscale_first(traces[i], weights, presentation_decay)
    else:
        hist_t[fill[i]] = now
        if mode != EXACT_HALF:  # no spacing model there: no decays kept
            hist_d[fill[i]] = presentation_decay  # read only by the spacing model
    last[i] = now
    fill[i] += 1


@njit(inline="always")
def learn(i, now, m, mode, decay, spacing_scale, spacing_intercept, start, fill, hist_t,
          hist_d, last, traces, weights, factors, fresh):
    """Present item ``i``; its decay is Pavlik & Anderson's (2005) when spacing is on.

    ``d = spacing_scale * exp(m) + spacing_intercept`` where ``m`` is the base
    level just before the presentation (``-inf`` at the first: ``d = a``);
    with ``spacing_scale == 0`` every presentation has ``decay``.
    """
    if spacing_scale > 0.0:
        d = spacing_scale * math.exp(m) + spacing_intercept
        if mode == MULTISCALE:
            multiscale_weights(d, weights)
    else:
        d = decay
    present(i, now, d, mode, start, fill, hist_t, hist_d, last, traces, weights, factors,
            fresh)


@njit(inline="always")
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
def recall_probabilities(activation, threshold, noise, out):
    """:func:`recall_probability` of every activation, into ``out``."""
    for e in range(len(activation)):
        out[e] = recall_probability(activation[e], threshold, noise)


# The retrieval of every event (simulator.models.actr.model.retrieve) alternates these elementwise
# passes with numpy's exp and log, which are SIMD-vectorized; the scalar libm calls a
# kernel makes cost several times more (recall_probability per event: ~8.5 ns vs ~1.3).
# numpy's error model: no division-by-zero branch, so the loops vectorize.
@njit(error_model="numpy")
def logistic_margin(activation, threshold, noise, out):
    """``(threshold - A) / noise``: ``p_recall = 1 / (1 + exp(margin))``."""
    for e in range(len(out)):
        out[e] = (threshold - activation[e]) / noise


@njit(error_model="numpy")
def logistic_draw(u, odds, recalled, tail_odds):
    """From ``odds = exp(margin)`` (overwritten with ``p = 1 / (1 + odds)``) and uniforms ``u``.

    ``recalled = u < p``; ``tail_odds = (1 - u) / u`` (``u`` floored at 1e-300), the
    odds whose log times ``noise`` is the logistic noise ``eps`` the draw stands for.
    """
    for e in range(len(u)):
        p = 1.0 / (1.0 + odds[e])
        odds[e] = p
        recalled[e] = u[e] < p
        tail_odds[e] = (1.0 - u[e]) / max(u[e], 1e-300)


@njit(error_model="numpy")
def latency_argument(activation, log_tail_odds, threshold, noise, latency_exponent):
    """``-f * max(A + eps, threshold)`` in place of ``log_tail_odds`` (``eps = noise * it``).

    Latency is ``latency_factor * exp`` of it (ACT-R 7 reference manual, retrieval time).
    """
    for e in range(len(log_tail_odds)):
        noisy = log_tail_odds[e] * noise + activation[e]
        log_tail_odds[e] = max(noisy, threshold) * -latency_exponent


@njit
def new_associations(n_items):
    """Empty co-occurrence graph: pair set, fans and adjacency lists.

    ``fan[j]`` is 1 (the item itself) plus its number of distinct associates
    (ACT-R reference manual's fan); ``head``/``next_edge``/``target`` are per-item
    linked lists of associates, grown by doubling.
    """
    pairs = Dict.empty(key_type=types.int64, value_type=types.int64)
    fan = np.ones(n_items, np.int64)
    head = np.full(n_items, -1, np.int64)
    return pairs, fan, head, np.empty(16, np.int64), np.empty(16, np.int64)


@njit
def _add_edge(graph, j, i, n_edges):
    pairs, fan, head, next_edge, target = graph
    if n_edges == len(target):
        bigger_next = np.empty(2 * n_edges, np.int64)
        bigger_target = np.empty(2 * n_edges, np.int64)
        bigger_next[:n_edges] = next_edge
        bigger_target[:n_edges] = target
        next_edge, target = bigger_next, bigger_target
    target[n_edges] = i
    next_edge[n_edges] = head[j]
    head[j] = n_edges
    return (pairs, fan, head, next_edge, target), n_edges + 1


@njit
def associate(graph, n_edges, i, sources, n_items):
    """Associate item ``i`` with every item in ``sources`` (each pair once)."""
    pairs, fan = graph[0], graph[1]
    for j in sources:
        if j == i:
            continue
        key = min(i, j) * n_items + max(i, j)
        if key in pairs:
            continue
        pairs[key] = 1
        fan[i] += 1
        fan[j] += 1
        graph, n_edges = _add_edge(graph, j, i, n_edges)
        graph, n_edges = _add_edge(graph, i, j, n_edges)
    return graph, n_edges


@njit
def association_strength(max_association, fan_j):
    """``S_ji = S - ln(fan_j)``, negative strengths clamped at 0 (reference manual)."""
    return max(max_association - math.log(fan_j), 0.0)


@njit
def spreading(i, sources, graph, n_items, max_association, source_activation):
    """``S_i = sum_j (W / n_sources) * S_ji`` over the sources j associated with i.

    An item is associated with itself and with every item it has shared a
    context with; the sources are the items met earlier in the current context.
    """
    if len(sources) == 0:
        return 0.0
    pairs, fan = graph[0], graph[1]
    total = 0.0
    for j in sources:
        if j == i or (min(i, j) * n_items + max(i, j)) in pairs:
            total += association_strength(max_association, fan[j])
    return source_activation / len(sources) * total


@njit
def context_sources(e, context, member_start, member_items, member_count):
    """Distinct items met in event e's context before e."""
    c = context[e]
    return member_items[member_start[c]:member_start[c] + member_count[c]]


@njit
def probe_actr(now, params, memory, out):
    """Recall probability of every item at ``now``, without learning (a probe).

    ``params = (mode, decay, hybrid_k, spacing, threshold, noise, age_floor)``,
    ``memory = (start, fill, hist_t, hist_d, last, traces, permanent, weights, factors)``.
    """
    mode, decay, hybrid_k, spacing, threshold, noise, age_floor = params
    start, fill, hist_t, hist_d, last, traces, permanent, weights, factors = memory
    for i in range(len(out)):
        a = base_level(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill, hist_t,
                       hist_d, last, traces, weights, factors)
        out[i] = recall_probability(a + permanent[i], threshold, noise)


@njit
def context_spreading(item, n_items, context, first_in_context, member_start, member_items,
                      max_association, source_activation):
    """Spreading activation ``S_i`` each event's item receives from its context.

    Associations grow with the stream alone (not with what the agent recalls),
    so this is one pass before the memory runs; see :func:`spreading`.
    """
    out = np.zeros(len(item))
    graph = new_associations(n_items)
    n_edges = 0
    member_count = np.zeros(len(member_start), np.int64)
    for e in range(len(item)):
        i = item[e]
        sources = context_sources(e, context, member_start, member_items, member_count)
        out[e] = spreading(i, sources, graph, n_items, max_association, source_activation)
        if first_in_context[e]:
            graph, n_edges = associate(graph, n_edges, i, sources, n_items)
            member_count[context[e]] += 1
    return out


@njit(inline="always")
def _run_actr(mode, events, params, inputs, out, probes):
    """Run an ACT-R declarative memory over a stream, writing into the output arrays.

    Records: ``events = (time, clock, item, kind, n_items)``, ``params = (decay,
    hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold, noise,
    test_is_presentation)``, ``inputs = (permanent, weights)``, ``out =
    (base_strength, lag, n_prior)``, ``probes = (probe_times, probe_clock,
    probe_recall)``.

    ``time`` is clock time (for ``lag``), ``clock`` the psychological time the
    memory ages in (``time`` with between-session gaps scaled). Every output
    describes the state just before the event; then the event is added to the
    item's presentations (STUDY always, TEST when ``test_is_presentation``).
    ``base_strength[e]`` is the item's :func:`strength` ``exp(B)``; its log,
    spreading and permanent noise make the activation, array work after the loop
    (:meth:`simulator.ACTR._base_level`; a log per event here cost ~8 ns), as is
    each event's retrieval (:func:`simulator.models.actr.model.retrieve`): only the sequential
    part (the base level depends on the history) runs here. A probe sees every
    event at or before it (sorted ``probe_times``; its memory ages to
    ``probe_clock``) and writes each item's recall probability (no context, no
    learning, permanent noise included) into ``probe_recall[probe, item]``.
    """
    time, clock, item, kind, n_items = events
    (decay, hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold, noise,
     test_is_presentation) = params
    permanent, weights = inputs
    base_strength, lag, n_prior = out
    probe_times, probe_clock, probe_recall = probes
    start, fill, hist_t, hist_d, last, traces = new_memory(item, n_items, mode)
    spacing = spacing_scale > 0.0
    factors = np.empty(MS_SCRATCH if mode == MULTISCALE else 0)
    weights = weights.copy()  # the spacing model rewrites them per presentation
    last_time = np.full(n_items, np.nan)  # clock time, for lag
    next_probe = 0
    for e in range(len(time)):
        i = item[e]
        now = clock[e]
        while next_probe < len(probe_times) and probe_times[next_probe] < time[e]:
            probe_actr(probe_clock[next_probe],
                       (mode, decay, hybrid_k, spacing, threshold, noise, age_floor),
                       (start, fill, hist_t, hist_d, last, traces, permanent, weights, factors),
                       probe_recall[next_probe])
            next_probe += 1
        n_prior[e] = fill[i] - start[i]
        lag[e] = time[e] - last_time[i]
        presented = kind[e] == STUDY or test_is_presentation
        if (mode == MULTISCALE and presented and not spacing and fill[i] > start[i]
                and now - last[i] >= age_floor):
            # strength then learn in one pass over the traces, written out here: behind
            # a function call the array arguments cost ~50 ns per event
            decay_factors(weights, now - last[i], factors)
            base_strength[e] = decay_traces(traces[i], factors, weights, True)
            traces[i, COUNT] = 1.0  # the one presentation at this instant
            # the only one within the floor from now on: the others are older
            traces[i, RECENT] = 1.0
            traces[i, ENTRIES] = 0.0
            traces[i, ENTRIES + 1] = decay
            last[i] = now
            fill[i] += 1
        else:
            s = strength(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill,
                         hist_t, hist_d, last, traces, weights, factors)
            base_strength[e] = s
            if presented:
                fresh = mode == MULTISCALE and now - last[i] >= age_floor
                m = log_strength(s) if spacing else 0.0  # read by the spacing model only
                learn(i, now, m, mode, decay, spacing_scale, spacing_intercept, start, fill,
                      hist_t, hist_d, last, traces, weights, factors, fresh)
        if presented:
            last_time[i] = time[e]
    for p in range(next_probe, len(probe_times)):
        probe_actr(probe_clock[p], (mode, decay, hybrid_k, spacing, threshold, noise, age_floor),
                   (start, fill, hist_t, hist_d, last, traces, permanent, weights, factors),
                   probe_recall[p])


def _mode_kernel(mode):
    """The run loop compiled for one base-level mode.

    ``mode`` is a closure constant: with :func:`_run_actr` inlined the other
    modes' branches fold away (a runtime mode made the loop about twice as slow).
    """
    @njit
    def run_actr(events, params, inputs, out, probes):
        _run_actr(mode, events, params, inputs, out, probes)
    return run_actr


RUN_ACTR = tuple(_mode_kernel(mode) for mode in range(EXACT_HALF + 1))
"""``run_actr`` kernels by mode, in the order of :data:`EXACT` .. :data:`EXACT_HALF`."""
