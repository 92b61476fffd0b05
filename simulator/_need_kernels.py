"""Need-prediction kernel: rank every known item by ACT-R activation before each event.

The rational analysis of memory (Anderson & Schooler 1991) reads activation as
the log odds that an item is needed next; here that claim is scored, beside
frequency-only and recency-only rankings, with the same memory as the run loop.
"""
import numpy as np

from environments.jit import njit

from simulator.models.actr._kernels import (STUDY, associate, association_strength, base_level, learn,
                            new_associations, new_memory, context_sources)
from simulator.models.actr._multiscale_kernels import MS_SCRATCH
from simulator.models.actr._normalized_kernels import associate_counts, normalized_spread_to_all

ACTIVATION, FREQUENCY, RECENCY = 0, 1, 2
"""Rows of the rank output, in the order of ``need.MODELS``."""


@njit
def rank_of(scores, candidates, n_candidates, target):
    """Mid-rank of ``scores[target]`` among the candidates (1 = best).

    ``1 + #(better) + #(tied others) / 2``: ties count half, the expected rank
    under random tie-breaking.
    """
    better = 0
    tied = 0
    own = scores[target]
    for c in range(n_candidates):
        j = candidates[c]
        if scores[j] > own:
            better += 1
        elif scores[j] == own and j != target:
            tied += 1
    return 1.0 + better + 0.5 * tied


@njit
def context_spreading_to_all(sources, graph, max_association, source_activation, spread,
                             touched):
    """Add ``S_i`` from the current sources to ``spread`` for every associated item.

    Each source j gives ``(W / n_sources) * max(S - ln fan_j, 0)`` to itself and
    to each of its associates; returns how many entries of ``touched`` (the
    items written) are in use, so the caller can reset them.
    """
    fan, head, next_edge, target = graph[1], graph[2], graph[3], graph[4]
    n_touched = 0
    for j in sources:
        w = source_activation / len(sources) * association_strength(max_association, fan[j])
        if w == 0.0:
            continue
        edge = -2  # the source itself first, then its associates
        while edge != -1:
            receiver = j if edge == -2 else target[edge]
            if spread[receiver] == 0.0:  # first touch: remember it for the reset
                touched[n_touched] = receiver
                n_touched += 1
            spread[receiver] += w
            edge = head[j] if edge == -2 else next_edge[edge]
    return n_touched


@njit
def need_ranks(events, params, inputs, spreading_inputs, out):
    """Before each event, rank every item presented so far; write the target's ranks.

    Records: ``events = (clock, item, kind, n_items)``, ``params = (mode, decay,
    hybrid_k, age_floor, spacing_scale, spacing_intercept, test_is_presentation)``,
    ``inputs = (permanent, weights)``, ``spreading_inputs = (max_association,
    source_activation, context, first_in_context, member_start, member_items,
    normalized, hops)``,
    ``out = (ranks, n_candidates)``.

    ``ranks[model, e]``: mid-rank of event e's item by activation (base level +
    spreading from the context's earlier items + permanent noise), by
    frequency (number of presentations) and by recency (time of the last
    presentation); NaN when the item has not been presented yet.
    ``n_candidates[e]``: items presented before event e. The memory learns
    exactly as in ``_actr_kernels._run_actr``. Cost per event: O(candidates x base-level cost
    + edges of the context's items): the base level is O(1) for optimized,
    O(1) for multiscale, O(presentations) for exact, O(hybrid_k) for hybrid.
    """
    clock, item, kind, n_items = events
    (mode, decay, hybrid_k, age_floor, spacing_scale, spacing_intercept,
     test_is_presentation) = params
    permanent, weights = inputs
    (max_association, source_activation, context, first_in_context, member_start,
     member_items, normalized, hops) = spreading_inputs
    ranks, n_candidates = out
    start, fill, hist_t, hist_d, last, traces = new_memory(item, n_items, mode)
    spacing = spacing_scale > 0.0
    factors = np.empty(MS_SCRATCH)
    weights = weights.copy()
    spreads = max_association > 0.0 and len(context) > 0
    graph = new_associations(n_items if spreads else 0)
    n_edges = 0
    member_count = np.zeros(len(member_start), np.int64)
    candidates = np.empty(n_items, np.int64)
    n_known = 0
    activation = np.empty(n_items)
    frequency = np.zeros(n_items)
    recency = np.empty(n_items)
    spread = np.zeros(n_items)
    touched = np.empty(n_items, np.int64)
    scratch = (np.zeros(n_items), np.zeros(n_items), np.empty(n_items, np.int64),
               np.empty(n_items, np.int64))
    sources = member_items[:0]
    for e in range(len(clock)):
        i = item[e]
        now = clock[e]
        n_candidates[e] = n_known
        n_touched = 0
        if spreads:
            sources = context_sources(e, context, member_start, member_items, member_count)
            if normalized:
                n_touched = normalized_spread_to_all(sources, graph, n_items, max_association,
                                                     source_activation, hops, spread, touched,
                                                     scratch)
            else:
                n_touched = context_spreading_to_all(sources, graph, max_association,
                                                     source_activation, spread, touched)
        for c in range(n_known):
            j = candidates[c]
            activation[j] = (base_level(j, now, mode, decay, hybrid_k, spacing, age_floor,
                                        start, fill, hist_t, hist_d, last, traces, weights,
                                        factors)
                             + permanent[j] + spread[j])
        if fill[i] > start[i]:
            ranks[ACTIVATION, e] = rank_of(activation, candidates, n_known, i)
            ranks[FREQUENCY, e] = rank_of(frequency, candidates, n_known, i)
            ranks[RECENCY, e] = rank_of(recency, candidates, n_known, i)
        else:
            ranks[:, e] = np.nan
        for t in range(n_touched):
            spread[touched[t]] = 0.0
        if kind[e] == STUDY or test_is_presentation:
            if fill[i] == start[i]:
                candidates[n_known] = i
                n_known += 1
            m = -np.inf  # the base level before this presentation, for the spacing model
            if spacing:
                m = base_level(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill,
                               hist_t, hist_d, last, traces, weights, factors)
            learn(i, now, m, mode, decay, spacing_scale, spacing_intercept, start, fill,
                  hist_t, hist_d, last, traces, weights, factors, False)
            frequency[i] += 1.0
            recency[i] = now
        if spreads and first_in_context[e]:
            if normalized:
                graph, n_edges = associate_counts(graph, n_edges, i, sources, n_items)
            else:
                graph, n_edges = associate(graph, n_edges, i, sources, n_items)
            member_count[context[e]] += 1


_GENERIC = {}


def generic_need_kernel(kernels):
    """Need ranking driven by any model's ``predict`` and ``learn`` (memoised per model).

    Before each event every item met so far is ranked by the model's recall
    probability, by frequency and by recency; then the event reaches ``learn``
    (a STUDY with no answer, a TEST as a successful retrieval: the item was
    needed and found).
    """
    loop = _GENERIC.get(kernels)
    if loop is None:
        loop = _GENERIC[kernels] = _make_generic(kernels.predict, kernels.learn)
    return loop


def _make_generic(predict, learn):
    @njit
    def generic_need_ranks(params, state, events, ranks, n_candidates):
        time, item, kind, n_items = events
        candidates = np.empty(n_items, np.int64)
        seen = np.zeros(n_items, np.bool_)
        n_known = 0
        score = np.empty(n_items)
        frequency = np.zeros(n_items)
        recency = np.empty(n_items)
        for e in range(len(time)):
            i = item[e]
            now = time[e]
            n_candidates[e] = n_known
            if seen[i]:
                for c in range(n_known):
                    j = candidates[c]
                    score[j] = predict(params, state, j, now)
                ranks[ACTIVATION, e] = rank_of(score, candidates, n_known, i)
                ranks[FREQUENCY, e] = rank_of(frequency, candidates, n_known, i)
                ranks[RECENCY, e] = rank_of(recency, candidates, n_known, i)
            else:
                ranks[:, e] = np.nan
                candidates[n_known] = i
                n_known += 1
                seen[i] = True
            outcome = np.nan if kind[e] == STUDY else 1.0
            state = learn(params, state, i, now, outcome, 0)
            frequency[i] += 1.0
            recency[i] = now
        return state
    return generic_need_ranks
