"""SGD learner kernels: a one-hidden-layer network, njit functions of arrays and scalars.

All parameters live in one flat float64 vector ``theta`` (so the update, the L2
and EWC penalties are one loop over it), viewed as ``W1 (H, F)``, ``b1 (H)``,
``W2 (C, H)``, ``b2 (C)`` by :func:`unpack`. For a minibatch ``X (B, F)`` with
labels ``y``:

    ``z1 = X W1^T + b1``, ``h = relu(z1)``, ``z2 = h W2^T + b2``, ``p = softmax(z2)``

and the objective is the mean cross-entropy plus the penalties

    ``J = -1/B sum_b log p[b, y_b] + l2/2 |theta|^2
          + ewc/2 sum_i F_i (theta_i - theta*_i)^2``

(EWC: Kirkpatrick et al. 2017, in its online form with one running diagonal
Fisher ``F`` and anchor ``theta*``, Schwarz et al. 2018; its term is applied by
an implicit step, see :func:`sgd_step`). Gradients by
backpropagation (Rumelhart, Hinton & Williams 1986): ``dz2 = (p - onehot(y)) / B``,
``dW2 = dz2^T h``, ``dz1 = (dz2 W2) * [z1 > 0]``, ``dW1 = dz1^T X``.
"""
import numpy as np

from environments.jit import njit
from simulator.models.learner._hlop_kernels import (augmented, hebbian_update, new_task,
                                                    project_out)

STUDY = 0


@njit(inline="always")
def unpack(theta, n_features, hidden, n_classes):
    """Views ``W1, b1, W2, b2`` of the flat parameter vector ``theta``."""
    a = hidden * n_features
    b = a + hidden
    c = b + n_classes * hidden
    return (theta[:a].reshape((hidden, n_features)), theta[a:b],
            theta[b:c].reshape((n_classes, hidden)), theta[c:c + n_classes])


def n_parameters(n_features, hidden, n_classes):
    """Length of ``theta``."""
    return hidden * n_features + hidden + n_classes * hidden + n_classes


@njit
def forward(theta, x, y, n_features, hidden, n_classes, z1, probs, losses):
    """Forward pass of the minibatch ``x``: fills ``z1``, ``probs`` and per-example ``losses``.

    Returns the mean cross-entropy. The softmax subtracts each row's maximum
    logit so large logits cannot overflow.
    """
    w1, b1, w2, b2 = unpack(theta, n_features, hidden, n_classes)
    z1[:] = np.dot(x, w1.T)
    z1 += b1
    h = np.maximum(z1, 0.0)
    z2 = np.dot(h, w2.T)
    z2 += b2
    total = 0.0
    for b in range(len(x)):
        top = z2[b].max()
        norm = 0.0
        for c in range(n_classes):
            probs[b, c] = np.exp(z2[b, c] - top)
            norm += probs[b, c]
        for c in range(n_classes):
            probs[b, c] /= norm
        losses[b] = np.log(norm) + top - z2[b, y[b]]
        total += losses[b]
    return total / len(x)


@njit
def backward(theta, x, y, n_features, hidden, n_classes, z1, probs, grad):
    """Gradient of the mean cross-entropy of the last :func:`forward` into ``grad``."""
    w1, b1, w2, b2 = unpack(theta, n_features, hidden, n_classes)
    g_w1, g_b1, g_w2, g_b2 = unpack(grad, n_features, hidden, n_classes)
    n = len(x)
    dz2 = probs / n
    for b in range(n):
        dz2[b, y[b]] -= 1.0 / n
    h = np.maximum(z1, 0.0)
    g_w2[:] = np.dot(dz2.T, h)
    g_b2[:] = dz2.sum(axis=0)
    dz1 = np.dot(dz2, w2)
    for b in range(n):
        for j in range(hidden):
            if z1[b, j] <= 0.0:
                dz1[b, j] = 0.0
    g_w1[:] = np.dot(dz1.T, x)
    g_b1[:] = dz1.sum(axis=0)


@njit
def penalty(theta, l2, ewc, fisher, anchor):
    """``l2/2 |theta|^2 + ewc/2 sum F (theta - anchor)^2``."""
    total = 0.0
    for i in range(len(theta)):
        d = theta[i] - anchor[i]
        total += 0.5 * (l2 * theta[i] * theta[i] + ewc * fisher[i] * d * d)
    return total


@njit
def sgd_step(theta, grad, learning_rate, l2, ewc, fisher, anchor):
    """One SGD step on ``J``, the EWC term taken implicitly (a proximal step).

    ``theta' = theta - rate * (grad + l2 theta + ewc F (theta' - anchor))``, i.e.
    ``theta' = (theta - rate (grad + l2 theta) + rate ewc F anchor) / (1 + rate ewc F)``.
    The explicit step diverges once ``rate * ewc * F_i > 2`` (the online Fisher
    grows with every task); the implicit one is stable for any ``ewc`` and agrees
    with the explicit step to first order in ``rate``.
    """
    for i in range(len(theta)):
        stiffness = learning_rate * ewc * fisher[i]
        theta[i] = ((theta[i] - learning_rate * (grad[i] + l2 * theta[i])
                     + stiffness * anchor[i]) / (1.0 + stiffness))


@njit
def gather_inputs(train_x, permutations, items, items_per_task, x):
    """Row ``b`` of ``x``: the training input of item ``items[b]`` permuted by its task."""
    for b in range(len(items)):
        task = items[b] // items_per_task
        sample = items[b] % items_per_task
        perm = permutations[task]
        for f in range(x.shape[1]):
            x[b, f] = train_x[sample, perm[f]]


@njit
def add_fisher(theta, train_x, train_y, permutations, task, n_features, hidden, n_classes,
               fisher):
    """Add the empirical diagonal Fisher of ``task``'s training set to ``fisher``.

    ``F_i = mean over samples of (d log p(y | x) / d theta_i)^2``, with the true
    labels, one example at a time (the squared gradient of a batch mean is not
    the mean of squared per-example gradients).
    """
    n = len(train_x)
    x = np.empty((1, n_features))
    y = np.empty(1, np.int64)
    z1 = np.empty((1, hidden))
    probs = np.empty((1, n_classes))
    losses = np.empty(1)
    grad = np.empty_like(theta)
    perm = permutations[task]
    for s in range(n):
        for f in range(n_features):
            x[0, f] = train_x[s, perm[f]]
        y[0] = train_y[s]
        forward(theta, x, y, n_features, hidden, n_classes, z1, probs, losses)
        backward(theta, x, y, n_features, hidden, n_classes, z1, probs, grad)
        for i in range(len(theta)):
            fisher[i] += grad[i] * grad[i] / n


@njit
def test_accuracy(theta, test_x, test_y, permutation, n_features, hidden, n_classes):
    """``(accuracy, mean cross-entropy)`` on held-out inputs permuted by ``permutation``."""
    n = len(test_x)
    x = np.empty((n, n_features))
    for s in range(n):
        for f in range(n_features):
            x[s, f] = test_x[s, permutation[f]]
    z1 = np.empty((n, hidden))
    probs = np.empty((n, n_classes))
    losses = np.empty(n)
    loss = forward(theta, x, test_y, n_features, hidden, n_classes, z1, probs, losses)
    correct = 0
    for s in range(n):
        if np.argmax(probs[s]) == test_y[s]:
            correct += 1
    return correct / n, loss


@njit
def run_learner(events, data, params, theta, probe_times, out, probe_out, hlop, noise):
    """Train ``theta`` on the stream's STUDY events in minibatches of ``batch_size``.

    Records: ``events = (time, item, kind)``; ``data`` and ``params`` as in
    :func:`learn_batch`; ``out = (p_recall, recalled, loss)``; ``probe_out =
    (probe_accuracy, probe_loss)``.

    Per event: ``p_recall`` (probability given to the true label), ``recalled``
    (arg-max correct) and ``loss`` (cross-entropy), all with the weights before
    the update that learns from the event (a STUDY event's minibatch is
    evaluated when it is complete). TEST events are classified without
    learning. An incomplete last minibatch is applied at the end of the stream.
    A probe at time ``t`` scores each task's held-out set after every event at
    or before ``t`` (a pending incomplete minibatch is not yet learned) and
    changes nothing. With ``ewc > 0``, when a task appears for the first time,
    the Fisher of the newest earlier task is added and the anchor moves to the
    current weights. ``hlop = (enabled, record)``: when ``enabled``, minibatches are
    learned by :func:`learn_batch_hlop` with ``record`` and, when a task appears for
    the first time, each layer's current subspace block is frozen and a new one
    started (:func:`simulator.models.learner._hlop_kernels.new_task`). ``noise``
    (``(n_events, n_features)`` or no rows): added to the input of each STUDY event's
    example when it is learned (a fresh augmentation per presentation).
    """
    time, item, kind = events
    train_x, train_y, test_x, test_y, permutations = data
    (n_features, hidden, n_classes, batch_size, items_per_task), rates = params
    learning_rate, l2, ewc = rates
    p_recall, recalled, loss = out
    probe_accuracy, probe_loss = probe_out
    n_tasks = len(permutations)
    fisher = np.zeros_like(theta)
    anchor = theta.copy()
    grad = np.empty_like(theta)
    batch_items = np.empty(batch_size, np.int64)
    batch_events = np.empty(batch_size, np.int64)
    x = np.empty((batch_size, n_features))
    y = np.empty(batch_size, np.int64)
    z1 = np.empty((batch_size, hidden))
    probs = np.empty((batch_size, n_classes))
    losses = np.empty(batch_size)
    one_x = np.empty((1, n_features))
    one_y = np.empty(1, np.int64)
    one_z1 = np.empty((1, hidden))
    one_probs = np.empty((1, n_classes))
    one_loss = np.empty(1)
    n_pending = 0
    newest = -1
    hlop_on, hlop_record = hlop
    (block, _, _), hlop_bases, hlop_initials, hlop_rows, _ = hlop_record
    p = 0
    for e in range(len(time)):
        while p < len(probe_times) and probe_times[p] < time[e]:
            probe(theta, test_x, test_y, permutations, n_features, hidden, n_classes,
                  probe_accuracy[p], probe_loss[p])
            p += 1
        task = item[e] // items_per_task
        if hlop_on and task > newest:
            new_task(hlop_bases, hlop_initials, hlop_rows, block)
        if ewc > 0.0 and task > newest:
            if newest >= 0:
                add_fisher(theta, train_x, train_y, permutations, newest, n_features, hidden,
                           n_classes, fisher)
                anchor[:] = theta
        newest = max(newest, task)
        if kind[e] != STUDY:
            one_items = item[e:e + 1]
            gather_inputs(train_x, permutations, one_items, items_per_task, one_x)
            one_y[0] = train_y[item[e] % items_per_task]
            forward(theta, one_x, one_y, n_features, hidden, n_classes, one_z1, one_probs,
                    one_loss)
            record(e, one_y[0], one_probs[0], one_loss[0], p_recall, recalled, loss)
            continue
        batch_items[n_pending] = item[e]
        batch_events[n_pending] = e
        n_pending += 1
        if n_pending == batch_size:
            if hlop_on:
                learn_batch_hlop(theta, (batch_items, batch_events), data, params,
                                 (fisher, anchor), (x, y, z1, probs, losses, grad), out, noise,
                                 hlop_record)
            else:
                learn_batch(theta, (batch_items, batch_events), data, params, (fisher, anchor),
                            (x, y, z1, probs, losses, grad), out, noise)
            n_pending = 0
    if n_pending > 0:
        if hlop_on:
            learn_batch_hlop(theta, (batch_items[:n_pending], batch_events[:n_pending]), data,
                             params, (fisher, anchor), (x, y, z1, probs, losses, grad), out,
                             noise, hlop_record)
        else:
            learn_batch(theta, (batch_items[:n_pending], batch_events[:n_pending]), data,
                        params, (fisher, anchor), (x, y, z1, probs, losses, grad), out, noise)
    while p < len(probe_times):
        probe(theta, test_x, test_y, permutations, n_features, hidden, n_classes,
              probe_accuracy[p], probe_loss[p])
        p += 1
    return n_tasks


@njit
def learn_batch(theta, batch, data, params, consolidated, work, outs, noise):
    """One SGD step on the minibatch, recording its events' results first.

    Records: ``batch = (items, events)``; ``data = (train_x, train_y, test_x,
    test_y, permutations)``; ``params = (shape, rates)`` with ``shape =
    (n_features, hidden, n_classes, batch_size, items_per_task)`` and ``rates =
    (learning_rate, l2, ewc)``; ``consolidated = (fisher, anchor)`` (EWC); ``work
    = (x, y, z1, probs, losses, grad)``; ``outs = (p_recall, recalled, loss)``;
    ``noise``: per-event input noise (augmentation) added to each example's input,
    ``(n_events, n_features)``, or no rows for none.
    """
    learning_rate, l2, ewc = params[1]
    fisher, anchor = consolidated
    batch_gradient(theta, batch, data, params, work, outs, noise)
    sgd_step(theta, work[5], learning_rate, l2, ewc, fisher, anchor)


@njit
def batch_gradient(theta, batch, data, params, work, outs, noise):
    """Forward pass of the minibatch (recording its events), then the gradient of its
    mean cross-entropy into ``work[5]``; returns the minibatch size. Records as in
    :func:`learn_batch`."""
    items, events = batch
    train_x, train_y, permutations = data[0], data[1], data[4]
    (n_features, hidden, n_classes, batch_size, items_per_task), rates = params
    x, y, z1, probs, losses, grad = work
    n = len(items)
    x, y, z1, probs, losses = x[:n], y[:n], z1[:n], probs[:n], losses[:n]
    p_recall, recalled, loss = outs
    gather_inputs(train_x, permutations, items, items_per_task, x)
    if len(noise) > 0:
        for b in range(n):
            x[b] += noise[events[b]]
    for b in range(len(items)):
        y[b] = train_y[items[b] % items_per_task]
    forward(theta, x, y, n_features, hidden, n_classes, z1, probs, losses)
    for b in range(len(items)):
        record(events[b], y[b], probs[b], losses[b], p_recall, recalled, loss)
    backward(theta, x, y, n_features, hidden, n_classes, z1, probs, grad)
    return n


@njit
def learn_batch_hlop(theta, batch, data, params, consolidated, work, outs, noise, hlop):
    """:func:`learn_batch` with HLOP (:mod:`simulator.models.learner._hlop_kernels`): the
    loss gradient of each layer projected off its frozen subspace before the step,
    then ``iterations`` Hebbian steps of the current block on the layer's inputs.

    ``hlop = (settings, bases, initials, rows, buffers)``: ``settings = (block,
    iterations, rate)``; ``bases = (M1, M2)``; ``rows`` as in that module;
    ``buffers = (u1, u2, g1, g2)`` work arrays ``(batch, F + 1)``, ``(batch, H + 1)``,
    ``(H, F + 1)``, ``(C, H + 1)``. The L2 and EWC terms are not projected.
    """
    (n_features, hidden, n_classes, batch_size, items_per_task), rates = params
    learning_rate, l2, ewc = rates
    fisher, anchor = consolidated
    (block, iterations, rate), (m1, m2), _, rows, (u1, u2, g1, g2) = hlop
    n = batch_gradient(theta, batch, data, params, work, outs, noise)
    grad = work[5]
    g_w1, g_b1, g_w2, g_b2 = unpack(grad, n_features, hidden, n_classes)
    g1[:, :n_features] = g_w1
    g1[:, n_features] = g_b1
    g2[:, :hidden] = g_w2
    g2[:, hidden] = g_b2
    project_out(g1, m1, rows[0])
    project_out(g2, m2, rows[2])
    g_w1[:] = g1[:, :n_features]
    g_b1[:] = g1[:, n_features]
    g_w2[:] = g2[:, :hidden]
    g_b2[:] = g2[:, hidden]
    sgd_step(theta, grad, learning_rate, l2, ewc, fisher, anchor)
    x, z1 = work[0][:n], work[2][:n]
    augmented(x, u1[:n])
    augmented(np.maximum(z1, 0.0), u2[:n])
    hebbian_update(m1, u1[:n], rows[0], rows[1], rate, iterations)
    hebbian_update(m2, u2[:n], rows[2], rows[3], rate, iterations)


@njit(inline="always")
def record(e, label, probs, example_loss, p_recall, recalled, loss):
    p_recall[e] = probs[label]
    recalled[e] = np.argmax(probs) == label
    loss[e] = example_loss


@njit
def probe(theta, test_x, test_y, permutations, n_features, hidden, n_classes, accuracy,
          losses):
    """Held-out accuracy and cross-entropy of every task into ``accuracy``, ``losses``."""
    for task in range(len(permutations)):
        accuracy[task], losses[task] = test_accuracy(theta, test_x, test_y, permutations[task],
                                                     n_features, hidden, n_classes)
