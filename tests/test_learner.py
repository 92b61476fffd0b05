"""simulator.SGDLearner: gradients, learning, forgetting, probes, seeding, validation."""
import numpy as np
import pytest

import environments as env
import simulator
from environments.seeding import generator, seed_sequence
from simulator.models.learner._kernels import (backward, forward, n_parameters, penalty, sgd_step,
                                        unpack)

SMALL = dict(hidden=32, n_classes=5, n_features=16, samples_per_class=10, test_per_class=40,
             noise=1.0)


def objective(theta, x, y, shape, l2, ewc, fisher, anchor):
    n = len(x)
    z1, probs, losses = np.empty((n, shape[1])), np.empty((n, shape[2])), np.empty(n)
    return (forward(theta, x, y, *shape, z1, probs, losses)
            + penalty(theta, l2, ewc, fisher, anchor))


def test_gradient_matches_finite_differences():
    """Backpropagation and the penalties give the gradient of J (cross-entropy + L2 + EWC)."""
    rng = np.random.default_rng(0)
    shape = (5, 4, 3)  # features, hidden, classes
    theta = rng.standard_normal(n_parameters(*shape))
    x, y = rng.standard_normal((3, 5)), np.array([0, 2, 1])
    fisher, anchor = rng.random(len(theta)), rng.standard_normal(len(theta))
    l2, ewc = 0.3, 2.0
    z1, probs, losses = np.empty((3, 4)), np.empty((3, 3)), np.empty(3)
    forward(theta, x, y, *shape, z1, probs, losses)
    grad = np.empty_like(theta)
    backward(theta, x, y, *shape, z1, probs, grad)
    analytic = grad + l2 * theta + ewc * fisher * (theta - anchor)
    h = 1e-6
    numeric = np.empty_like(theta)
    for i in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (objective(up, x, y, shape, l2, ewc, fisher, anchor)
                      - objective(down, x, y, shape, l2, ewc, fisher, anchor)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    # the cross-entropy is -log p of the true label
    np.testing.assert_allclose(losses, -np.log(probs[np.arange(3), y]), rtol=1e-12)


def numpy_sgd(learner, stream, seed):
    """Plain numpy minibatch SGD on the stream's STUDY events: per-event losses."""
    data = learner.data(stream.n_items // learner.items_per_task)
    theta = learner.initial_weights(generator(seed_sequence(seed)))
    w1, b1, w2, b2 = unpack(theta, learner.n_features, learner.hidden, learner.n_classes)
    items = stream.item
    losses = np.empty(len(items))
    for start in range(0, len(items), learner.batch_size):
        batch = slice(start, start + learner.batch_size)
        x, y = data.item_example(items[batch])
        z1 = x @ w1.T + b1
        h = np.maximum(z1, 0)
        z2 = h @ w2.T + b2
        p = np.exp(z2 - z2.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        losses[batch] = -np.log(p[np.arange(len(y)), y])
        dz2 = p.copy()
        dz2[np.arange(len(y)), y] -= 1
        dz2 /= len(y)
        dz1 = (dz2 @ w2) * (z1 > 0)
        grads = (dz1.T @ x, dz1.sum(0), dz2.T @ h, dz2.sum(0))
        for w, g in zip((w1, b1, w2, b2), grads):
            w -= learner.learning_rate * (g + learner.l2 * w)
    return losses


def test_sgd_step_is_the_implicit_ewc_step():
    """``theta' = theta - rate (g + l2 theta + ewc F (theta' - anchor))``: stable for any ewc."""
    rng = np.random.default_rng(1)
    theta, grad = rng.standard_normal(20), rng.standard_normal(20)
    fisher, anchor = 10 * rng.random(20), rng.standard_normal(20)
    rate, l2, ewc = 0.1, 0.01, 1e4
    stepped = theta.copy()
    sgd_step(stepped, grad, rate, l2, ewc, fisher, anchor)
    np.testing.assert_allclose(
        stepped, theta - rate * (grad + l2 * theta + ewc * fisher * (stepped - anchor)),
        rtol=1e-10, atol=1e-12)
    # a huge penalty pins the weights to the anchor instead of overshooting it
    np.testing.assert_allclose(stepped, anchor, atol=1e-2)


@pytest.mark.parametrize("batch_size", [1, 7])
def test_training_agrees_with_plain_numpy(batch_size):
    learner = simulator.SGDLearner(batch_size=batch_size, l2=1e-3, **SMALL)
    stream = env.sequential_tasks(2, learner.items_per_task, 150, rehearsal="uniform", seed=1)
    ds = simulator.run(learner, stream, seed=5)
    np.testing.assert_allclose(ds["loss"].values, numpy_sgd(learner, stream, 5), rtol=1e-9)


def test_learns_a_single_task():
    learner = simulator.SGDLearner(**SMALL)
    stream = env.sequential_tasks(1, learner.items_per_task, 1500, seed=2)
    ds = simulator.run(learner, stream, seed=3, probe_times=[-1.0, 1e9])
    acc = ds["probe_accuracy"].values[:, 0]
    assert acc[0] < 0.4          # before training: near chance (0.2)
    assert acc[1] > 0.85         # held-out accuracy after one pass-rich task
    # training examples late in the task are classified correctly
    assert ds["recalled"].values[-300:].mean() > 0.9


def final_first_task_accuracy(rehearsal, **kwargs):
    learner = simulator.SGDLearner(**{**SMALL, **kwargs})
    stream = env.sequential_tasks(4, learner.items_per_task, 1500, rehearsal=rehearsal, seed=4)
    ds = simulator.run(learner, stream, seed=6, probe_times=[1499.0, 1e9])
    return ds["probe_accuracy"].values[:, 0]


def test_blocked_training_forgets_and_full_rehearsal_does_not():
    blocked = final_first_task_accuracy("none")
    full = final_first_task_accuracy("full")
    assert blocked[0] == full[0] > 0.8           # same start: task 0 learned alone
    assert blocked[1] < 0.35                     # towards chance (0.2)
    assert full[1] > blocked[1] + 0.25
    assert final_first_task_accuracy("none", ewc=50.0)[1] > blocked[1]


def test_probes_never_change_the_weights():
    learner = simulator.SGDLearner(batch_size=4, **SMALL)
    stream = env.sequential_tasks(3, learner.items_per_task, 200, rehearsal="power",
                                  test_every=50, seed=7)
    plain = simulator.run(learner, stream, seed=8)
    probed = simulator.run(learner, stream, seed=8, probe_times=np.arange(0, 700, 3.0))
    for name in ("p_recall", "recalled", "loss"):
        np.testing.assert_array_equal(plain[name].values, probed[name].values)
    # TEST events do not learn either: the stream without them trains identically
    study = stream.kind == env.STUDY
    bare = env.EventStream(stream.time[study], stream.item[study], n_items=stream.n_items)
    np.testing.assert_array_equal(simulator.run(learner, bare, seed=8)["loss"].values,
                                  plain["loss"].values[study])


def test_same_seed_same_bits():
    learner = simulator.SGDLearner(**SMALL)
    stream = env.sequential_tasks(2, learner.items_per_task, 100, seed=9)
    a, b = (simulator.run(learner, stream, seed=10, probe_times=[50.0]) for _ in range(2))
    assert a.identical(b)
    c = simulator.run(learner, stream, seed=11, probe_times=[50.0])
    assert not np.array_equal(a["loss"].values, c["loss"].values)


JIT_SCRIPT = """
import json, sys
import environments as env, simulator
learner = simulator.SGDLearner(hidden=6, n_classes=3, n_features=5, samples_per_class=4,
                               test_per_class=5, batch_size=3, ewc=1.0)
stream = env.sequential_tasks(2, learner.items_per_task, 40, rehearsal="power", seed=1)
ds = simulator.run(learner, stream, seed=2, probe_times=[20.0, 100.0])
json.dump({k: ds[k].values.astype(float).ravel().tolist() for k in
           ("p_recall", "recalled", "loss", "probe_accuracy", "probe_loss")}, sys.stdout)
"""


def test_jitted_kernels_agree_with_pure_python(jitted_and_pure_python):
    jitted, python = jitted_and_pure_python(JIT_SCRIPT)
    for name, values in jitted.items():
        np.testing.assert_allclose(values, python[name], rtol=1e-12, atol=1e-15)


def test_runs_through_sweep():
    learner = simulator.SGDLearner(**SMALL)
    ds = simulator.sweep(learner, env.sequential_tasks, {"rehearsal": ["none", "full"]},
                         replicates=2, seed=3, reduce="probes", probe_times=[1e9],
                         progress=False,
                         environment_kwargs={"n_tasks": 3, "steps_per_task": 800,
                                             "items_per_task": learner.items_per_task})
    first = ds["probe_accuracy"].isel(probe=-1, task=0)
    assert (first.sel(rehearsal="full") > first.sel(rehearsal="none")).all()
    assert ds.attrs["agent"].endswith("SGDLearner")


@pytest.mark.parametrize("kwargs, name", [
    ({"hidden": 0}, "hidden"), ({"learning_rate": 0.0}, "learning_rate"),
    ({"batch_size": 0}, "batch_size"), ({"l2": -1.0}, "l2"), ({"ewc": -0.1}, "ewc"),
    ({"seed": -1}, "seed"), ({"n_classes": 1}, "n_classes"), ({"noise": -1.0}, "noise"),
])
def test_bad_parameters(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulator.SGDLearner(**kwargs)


def test_stream_must_match_the_data_layout():
    learner = simulator.SGDLearner(**SMALL)
    stream = env.sequential_tasks(2, learner.items_per_task + 1, 10, seed=0)
    with pytest.raises(ValueError, match="stream must have a multiple of"):
        simulator.run(learner, stream)
