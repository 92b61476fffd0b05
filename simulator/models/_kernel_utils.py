"""Small kernels shared by the agents."""
import math

import numpy as np

from environments.jit import njit


@njit
def logistic(z):
    """``1 / (1 + exp(-z))`` without overflow for large |z|."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


@njit
def presentation_slots(item, n_items):
    """Per-item slices of one flat history array (CSR layout).

    Item i's presentations go to ``history[start[i]:start[i] + count_i]``, where
    ``count_i`` is its number of events; ``fill`` (a copy of ``start``) is the next
    free slot of each item.
    """
    start = np.zeros(n_items + 1, np.int64)
    for e in range(len(item)):
        start[item[e] + 1] += 1
    for i in range(n_items):
        start[i + 1] += start[i]
    return start, start[:-1].copy()
