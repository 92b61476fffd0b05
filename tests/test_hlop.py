"""HLOP in simulator.SGDLearner: the Hebbian subspace rule and the orthogonal projection."""
import numpy as np
import pytest
from scipy.linalg import subspace_angles

import environments as env
import simulator
from simulator.models.learner._hlop_kernels import freeze_rows
from simulator.models.learner._kernels import (forward, learn_batch_hlop, n_parameters,
                                               unpack)

SUBSPACE_SCRIPT = """
import json
import numpy as np
from simulator.models.learner._hlop_kernels import freeze_rows, hebbian_update
rng = np.random.default_rng(0)
d = 8
q, _ = np.linalg.qr(rng.standard_normal((d, d)))
eigenvalues = np.array([5.0, 4.0, 3.0, 2.0, 1.5, 0.2, 0.1, 0.05])
cov = q @ np.diag(eigenvalues) @ q.T
basis = np.zeros((5, d))
basis[:3] = 0.1 * rng.standard_normal((3, d))
x = rng.multivariate_normal(np.zeros(d), cov, size=(400, 64))
for batch in x[:200]:
    hebbian_update(basis, batch, 0, 3, 0.2, 2)
first = basis[:3].copy()
frozen = freeze_rows(basis, 0, 3, 1e-6)
basis[3:5] = 0.1 * rng.standard_normal((2, d))
for batch in x[200:]:
    hebbian_update(basis, batch, frozen, 5, 0.2, 2)
print(json.dumps({"first": first.tolist(), "second": basis[3:5].tolist(),
                  "eigenvectors": q.tolist(), "frozen": frozen}))
"""


def test_subspace_rule_finds_the_principal_subspace(jitted_and_pure_python):
    """Oja's subspace rule: rows -> orthonormal basis of the top-k eigenvectors (numpy eigh);
    a second block reconstructing with the frozen rows finds the next eigenvectors."""
    jitted, pure = jitted_and_pure_python(SUBSPACE_SCRIPT)
    for key in ("first", "second"):
        np.testing.assert_allclose(jitted[key], pure[key], rtol=1e-9, atol=1e-12)
    first, second, q = jitted["first"], jitted["second"], jitted["eigenvectors"]
    cov = q @ np.diag([5.0, 4.0, 3.0, 2.0, 1.5, 0.2, 0.1, 0.05]) @ q.T
    _, vectors = np.linalg.eigh(cov)  # ascending
    top3, next2 = vectors[:, -3:], vectors[:, -5:-3]
    assert np.max(subspace_angles(first.T, top3)) < 0.1
    np.testing.assert_allclose(first @ first.T, np.eye(3), atol=0.01)  # near orthonormal
    assert jitted["frozen"] == 3
    assert np.max(subspace_angles(second.T, next2)) < 0.1


def test_projected_update_leaves_old_outputs_unchanged():
    """Inputs in the frozen subspaces (both layers): the network's outputs for them do
    not move under an HLOP step on other inputs, while an unprojected step moves them."""
    rng = np.random.default_rng(1)
    f, h, c, n_old, n_new = 6, 12, 3, 4, 5
    shape = (f, h, c, n_new, n_new)
    theta = rng.standard_normal(n_parameters(f, h, c)) * 0.5
    old_x = rng.standard_normal((n_old, f))
    w1, b1, _, _ = unpack(theta, f, h, c)
    old_h = np.maximum(old_x @ w1.T + b1, 0)
    m1, m2 = np.zeros((f + 1, f + 1)), np.zeros((h + 1, h + 1))
    m1[:n_old] = np.c_[old_x, np.ones(n_old)]
    m2[:n_old] = np.c_[old_h, np.ones(n_old)]
    rows = np.array([freeze_rows(m1, 0, n_old, 1e-9), 0, freeze_rows(m2, 0, n_old, 1e-9), 0])
    rows[1], rows[3] = rows[0], rows[2]  # no block learning
    train_x = rng.standard_normal((n_new, f))
    data = (train_x, np.arange(n_new) % c, train_x, np.arange(n_new) % c,
            np.arange(f)[None, :])
    params = (shape, (0.5, 0.0, 0.0))
    work = (np.empty((n_new, f)), np.empty(n_new, np.int64), np.empty((n_new, h)),
            np.empty((n_new, c)), np.empty(n_new), np.empty_like(theta))
    sinks = (np.empty(n_new), np.empty(n_new, np.bool_), np.empty(n_new))
    consolidated = (np.zeros_like(theta), theta.copy())

    def outputs(weights):
        z1, probs, losses = np.empty((n_old, h)), np.empty((n_old, c)), np.empty(n_old)
        forward(weights, old_x, np.zeros(n_old, np.int64), f, h, c, z1, probs, losses)
        return probs.copy()

    def step(rows):
        updated = theta.copy()
        hlop = ((0, 1, 0.05), (m1, m2), (m1, m2), rows.copy(),
                (np.empty((n_new, f + 1)), np.empty((n_new, h + 1)), np.empty((h, f + 1)),
                 np.empty((c, h + 1))))
        batch = (np.arange(n_new), np.arange(n_new))
        learn_batch_hlop(updated, batch, data, params, consolidated, work, sinks,
                         np.empty((0, f)), hlop)
        return updated

    before = outputs(theta)
    projected = step(rows)
    assert np.abs(projected - theta).max() > 1e-2  # it did learn
    np.testing.assert_allclose(outputs(projected), before, atol=1e-12)
    unprojected = step(np.zeros(4, np.int64))
    assert np.abs(outputs(unprojected) - before).max() > 1e-3


def test_hlop_reduces_forgetting_of_blocked_tasks():
    """On 3 blocked permuted tasks, HLOP keeps the first task better than plain SGD;
    the run is seeded and the protocol entry points refuse the option."""
    stream = env.sequential_tasks(3, 50, 500, rehearsal="none", seed=0)
    common = dict(hidden=32, n_classes=5, n_features=16, samples_per_class=10,
                  test_per_class=40, learning_rate=0.1, batch_size=5)
    final = {}
    for projection in ("none", "hlop"):
        learner = simulator.SGDLearner(projection=projection, subspace_dim=4, **common)
        ds = simulator.run(learner, stream, seed=3, probe_times=[stream.time[-1]])
        final[projection] = float(ds["probe_accuracy"].sel(task=0)[-1])
    assert final["hlop"] > final["none"] + 0.1, final
    with pytest.raises(ValueError, match="projection"):
        simulator.SGDLearner(projection="ogd")
    with pytest.raises(ValueError, match="projection"):
        simulator.SGDLearner(projection="hlop", **common).new_state(50, np.random.default_rng())
