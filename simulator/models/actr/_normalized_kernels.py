"""Spreading activation over symmetric-normalised co-occurrence weights (PISA's form).

Beside ACT-R's fan equation (``S_ji = S - ln fan_j``), session-based recommenders
built on ACT-R (PISA, Tran, Salha-Galvan, Sguerra & Hennequin 2024, RecSys) weight
associations by item co-occurrence normalised as in graph convolutions:
``W = D^-1/2 (A + I) D^-1/2``, ``A_ij`` the number of contexts in which items i and
j both occurred, ``D`` the diagonal of the row sums of ``A + I``. With ``hops = h``
the association is ``M = W + W^2 + ... + W^h`` (items reached through shared
neighbours) and an item's spreading is ``S_i = S * sum_j (w / n_sources) M_ji`` over
the context's sources j.

The association graph is the fan form's (``_kernels.new_associations``): the pair
dictionary holds the co-occurrence count ``A_ij`` and ``fan`` the degree of ``A + I``.
"""
import math

import numpy as np

from environments.jit import njit

from simulator.models.actr._kernels import _add_edge, context_sources, new_associations


@njit
def associate_counts(graph, n_edges, i, sources, n_items):
    """One more shared context of item ``i`` and each item of ``sources``: ``A_ij += 1``
    (and each degree), a new edge the first time."""
    pairs, fan = graph[0], graph[1]
    for j in sources:
        if j == i:
            continue
        key = min(i, j) * n_items + max(i, j)
        if key in pairs:
            pairs[key] += 1
        else:
            pairs[key] = 1
            graph, n_edges = _add_edge(graph, j, i, n_edges)
            graph, n_edges = _add_edge(graph, i, j, n_edges)
            pairs, fan = graph[0], graph[1]
        fan[i] += 1
        fan[j] += 1
    return graph, n_edges


def new_scratch(n_items):
    """Work arrays of :func:`normalized_spread_to_all`: two dense vectors and their
    lists of non-zero entries."""
    return (np.zeros(n_items), np.zeros(n_items), np.empty(n_items, np.int64),
            np.empty(n_items, np.int64))


@njit
def normalized_spread_to_all(sources, graph, n_items, max_association, source_activation,
                             hops, spread, touched, scratch):
    """Add ``S * sum_{k=1..hops} (W^k v)_i`` to ``spread`` for every item reached, ``v``
    the sources' weights ``w / n_sources``; returns how many entries of ``touched``
    (the items written, for the caller's reset) are in use."""
    if len(sources) == 0:
        return 0
    pairs, fan, head, next_edge, target = graph
    current, following, current_list, following_list = scratch
    n_current = 0
    for j in sources:
        if current[j] == 0.0:
            current_list[n_current] = j
            n_current += 1
        current[j] += source_activation / len(sources)
    n_touched = 0
    for _ in range(hops):
        n_following = 0
        for c in range(n_current):
            j = current_list[c]
            x = current[j]
            current[j] = 0.0
            edge = -2  # the self loop first, then the associates
            while edge != -1:
                i = j if edge == -2 else target[edge]
                if edge == -2:
                    weight = 1.0 / fan[j]
                else:
                    weight = pairs[min(i, j) * n_items + max(i, j)] / math.sqrt(fan[j] * fan[i])
                if following[i] == 0.0:
                    following_list[n_following] = i
                    n_following += 1
                following[i] += x * weight
                edge = head[j] if edge == -2 else next_edge[edge]
        for c in range(n_following):
            i = following_list[c]
            if spread[i] == 0.0:
                touched[n_touched] = i
                n_touched += 1
            spread[i] += max_association * following[i]
        current, following = following, current
        current_list, following_list = following_list, current_list
        n_current = n_following
    for c in range(n_current):  # leave the work vectors zeroed for the next call
        current[current_list[c]] = 0.0
    return n_touched


@njit
def normalized_context_spreading(item, n_items, context, first_in_context, member_start,
                                 member_items, max_association, source_activation, hops):
    """Normalised spreading ``S_i`` each event's item receives from its context (the
    run loop's pass; associations grow with the stream, as in the fan form)."""
    out = np.zeros(len(item))
    graph = new_associations(n_items)
    n_edges = 0
    member_count = np.zeros(len(member_start), np.int64)
    spread = np.zeros(n_items)
    touched = np.empty(n_items, np.int64)
    scratch = (np.zeros(n_items), np.zeros(n_items), np.empty(n_items, np.int64),
               np.empty(n_items, np.int64))
    for e in range(len(item)):
        i = item[e]
        sources = context_sources(e, context, member_start, member_items, member_count)
        n_touched = normalized_spread_to_all(sources, graph, n_items, max_association,
                                             source_activation, hops, spread, touched, scratch)
        out[e] = spread[i]
        for t in range(n_touched):
            spread[touched[t]] = 0.0
        if first_in_context[e]:
            graph, n_edges = associate_counts(graph, n_edges, i, sources, n_items)
            member_count[context[e]] += 1
    return out
