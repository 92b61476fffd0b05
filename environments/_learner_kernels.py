"""Kernels that cut a multi-learner stream into its learners' streams."""
import numpy as np

from environments.jit import njit


@njit
def group_by_learner(learner, item, n_learners, n_items):
    """Events grouped by learner (stable), each learner's items numbered 0.. in order of
    first appearance.

    Returns ``(order, bounds, local_item, n_local)``: learner ``k``'s events are
    ``order[bounds[k]:bounds[k + 1]]`` (in stream order), ``local_item`` their item
    numbers within the learner (aligned with ``order``), ``n_local[k]`` its items.
    A counting sort: O(events + learners + items).
    """
    bounds = np.zeros(n_learners + 1, np.int64)
    for e in range(len(learner)):
        bounds[learner[e] + 1] += 1
    for k in range(n_learners):
        bounds[k + 1] += bounds[k]
    fill = bounds[:-1].copy()
    order = np.empty(len(learner), np.int64)
    for e in range(len(learner)):
        order[fill[learner[e]]] = e
        fill[learner[e]] += 1
    local = np.full(n_items, -1, np.int64)
    local_item = np.empty(len(learner), np.int64)
    n_local = np.zeros(n_learners, np.int64)
    for k in range(n_learners):
        for j in range(bounds[k], bounds[k + 1]):
            i = item[order[j]]
            if local[i] < 0:
                local[i] = n_local[k]
                n_local[k] += 1
            local_item[j] = local[i]
        for j in range(bounds[k], bounds[k + 1]):
            local[item[order[j]]] = -1
    return order, bounds, local_item, n_local


@njit
def items_shared(learner, item, n_items):
    """Whether any item appears under two different learners."""
    owner = np.full(n_items, -1, np.int64)
    for e in range(len(item)):
        i = item[e]
        if owner[i] < 0:
            owner[i] = learner[e]
        elif owner[i] != learner[e]:
            return True
    return False
