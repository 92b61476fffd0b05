"""The Hebbian network's entry points of the memory-model protocol (:mod:`simulator.protocol`).

``params`` (:meth:`simulator.Hebbian.kernel_params`): ``(coding, dynamics, scores)``
with ``coding = (sparse, offset, norm, learning_rate, decay, bound)``, ``dynamics
= (theta, low, high, asynchronous, max_sweeps, n_corrupt, n_cues)`` and ``scores =
(recall_threshold, test_is_presentation)``; :meth:`simulator.Hebbian.kernel_params` puts
``norm`` in the ``learning_rate`` slot, so the weights are in units of one pattern's
increment (``theta`` and ``bound`` too). ``state``: ``(weights, patterns, count,
rng)``: the float32 weight matrix, the items' patterns, each item's number of
presentations, and the generator the recall cues are drawn from. The equations
are the run loop's (:func:`run_hebbian`): storage by the Hebbian outer-product
rule with decay and bounds, recall by relaxation from corrupted cues.
"""
import math

import numpy as np

from environments.jit import njit
from simulator.models.hebbian._kernels import (familiarities, recall_items, score_cues,
                                               store_hebb, store_patterns)


@njit
def predict(params, state, item, now):
    """Fraction of ``n_cues`` corrupted cues of ``item`` that relax to an overlap at or
    above ``recall_threshold`` (fresh cue draws from the state's generator)."""
    (sparse, offset, norm, learning_rate, decay, bound), dynamics, scores = params
    theta, low, high, asynchronous, max_sweeps, n_corrupt, n_cues = dynamics
    weights, patterns, count, rng = state
    items = np.full(1, item, np.int64)
    overlaps = np.empty((1, n_cues))
    sweeps = np.empty((1, n_cues), np.int64)
    recall_items(weights, patterns, items, params[0], dynamics, rng, overlaps, sweeps)
    return score_cues(overlaps[0], scores[0])


@njit
def learn_event(params, state, item, now, outcome, rating):
    """Store ``item``'s pattern (a study, or a test when tests are presentations)."""
    (sparse, offset, norm, learning_rate, decay, bound), dynamics, scores = params
    weights, patterns, count, rng = state
    if not (math.isnan(outcome) or scores[1]):
        return state
    items = np.full(1, item, np.int64)
    rate = learning_rate / norm
    if not sparse and decay == 0.0 and np.isinf(bound):
        store_hebb(weights, patterns, items, rate)
    else:
        coded = np.empty((1, patterns.shape[1]), np.float32)
        for j in range(patterns.shape[1]):
            coded[0, j] = patterns[item, j] - offset
        store_patterns(weights, coded, rate, decay, bound)
    count[item] += 1
    return state


@njit
def observe(params, state, item, now, out):
    """``familiarity``: normalised negative energy of ``item``'s clean pattern."""
    (sparse, offset, norm, learning_rate, decay, bound), dynamics, scores = params
    weights, patterns, count, rng = state
    items = np.full(1, item, np.int64)
    value = np.empty(1)
    familiarities(weights, patterns, items, offset, norm, learning_rate, value)
    out[0] = value[0]
