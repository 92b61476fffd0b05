"""The SGD learner's entry points of the memory-model protocol (:mod:`simulator.protocol`).

``params`` (:meth:`simulator.SGDLearner.kernel_params`): ``(shape, rates)`` with
``shape = (n_features, hidden, n_classes, batch_size, items_per_task)`` and
``rates = (learning_rate, l2, ewc)``. ``state``: ``(theta, fisher, anchor, counters,
pending, scratch, data)``: the flat weights, the online EWC Fisher and anchor,
``counters = [newest task seen, pending examples]``, the items of the minibatch
being filled, work arrays, and the tasks' data ``(train_x, train_y, test_x,
test_y, permutations)`` (read only). The learning rule is the run loop's (:func:`run_learner`): STUDY events
fill a minibatch, a full minibatch is one SGD step; TEST events only classify.
"""
import math

import numpy as np

from environments.jit import njit
from simulator.models.learner._kernels import (add_fisher, forward, gather_inputs,
                                               learn_batch, test_accuracy)


@njit
def predict(params, state, item, now):
    """Probability the network gives to ``item``'s true label (softmax output)."""
    (n_features, hidden, n_classes, batch_size, items_per_task), _ = params
    train_x, train_y, test_x, test_y, permutations = state[6]
    theta = state[0]
    x, y, z1, probs, losses = state[5][:5]
    one = np.empty(1, np.int64)
    one[0] = item
    gather_inputs(train_x, permutations, one, items_per_task, x[:1])
    y[0] = train_y[item % items_per_task]
    forward(theta, x[:1], y[:1], n_features, hidden, n_classes, z1[:1], probs[:1], losses[:1])
    return probs[0, y[0]]


@njit
def learn_event(params, state, item, now, outcome, rating):
    """A STUDY event joins the minibatch (a full one is an SGD step); a new task first
    consolidates the previous one's Fisher (EWC)."""
    (n_features, hidden, n_classes, batch_size, items_per_task), rates = params
    learning_rate, l2, ewc = rates
    theta, fisher, anchor, counters, pending, scratch, data = state
    train_x, train_y, test_x, test_y, permutations = data
    x, y, z1, probs, losses, grad, sink_p, sink_ok, sink_loss, events = scratch
    task = item // items_per_task
    if ewc > 0.0 and task > counters[0]:
        if counters[0] >= 0:
            add_fisher(theta, train_x, train_y, permutations, counters[0], n_features, hidden,
                       n_classes, fisher)
            anchor[:] = theta
        counters[0] = task
    if not math.isnan(outcome):
        return state
    pending[counters[1]] = item
    counters[1] += 1
    if counters[1] == batch_size:
        learn_batch(theta, (pending, events), data, params, (fisher, anchor),
                    (x, y, z1, probs, losses, grad), (sink_p, sink_ok, sink_loss),
                    np.empty((0, n_features)))
        counters[1] = 0
    return state


@njit
def probe(params, state, now, out):
    """Each item's task's held-out accuracy (the pending minibatch not yet learned)."""
    (n_features, hidden, n_classes, batch_size, items_per_task), _ = params
    train_x, train_y, test_x, test_y, permutations = state[6]
    for task in range(len(permutations)):
        accuracy, _ = test_accuracy(state[0], test_x, test_y, permutations[task], n_features,
                                    hidden, n_classes)
        for i in range(task * items_per_task, min((task + 1) * items_per_task, len(out))):
            out[i] = accuracy


@njit
def observe(params, state, item, now, out):
    """``loss``: cross-entropy of ``item``'s true label."""
    out[0] = -math.log(max(predict(params, state, item, now), 1e-300))
