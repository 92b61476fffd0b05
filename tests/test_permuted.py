"""environments.permuted_tasks: permuted versions of one classification problem."""
import numpy as np
import pytest

from environments import permuted_tasks, sequential_tasks


def test_shapes_labels_and_item_layout():
    data = permuted_tasks(3, n_classes=4, n_features=8, samples_per_class=5, test_per_class=2,
                          seed=1)
    assert data.train_x.shape == (20, 8) and data.test_x.shape == (8, 8)
    assert data.items_per_task == 20 and data.n_items == 60
    np.testing.assert_array_equal(data.train_y, np.repeat(np.arange(4), 5))
    # item 47 is training sample 7 of task 2, permuted by task 2's permutation
    x, y = data.item_example(47)
    np.testing.assert_array_equal(x, data.train_x[7, data.permutations[2]])
    assert y == data.train_y[7] == 1
    # every task's permutation is a bijection of the features
    for perm in data.permutations:
        np.testing.assert_array_equal(np.sort(perm), np.arange(8))
    # a stream's items map onto the data: sequential_tasks uses the same layout
    stream = sequential_tasks(3, data.items_per_task, 30, seed=0)
    assert stream.n_items == data.n_items
    np.testing.assert_array_equal(stream.task, stream.item // data.items_per_task)


def test_tasks_are_permutations_of_one_problem():
    data = permuted_tasks(4, n_features=16, seed=3)
    base_x, base_y = data.test_set(0)
    for task in range(1, 4):
        x, y = data.test_set(task)
        np.testing.assert_array_equal(y, base_y)
        # same multiset of values per sample, different order
        np.testing.assert_array_equal(np.sort(x, axis=1), np.sort(base_x, axis=1))
        assert not np.array_equal(x, base_x)


def test_class_statistics():
    """Within-class spread ``noise / s`` and prototype spread ``1 / s``, ``s = sqrt(1 + noise^2)``."""
    data = permuted_tasks(1, n_classes=2, n_features=50, samples_per_class=4000, noise=0.5,
                          seed=4)
    x, y = data.train_x, data.train_y
    residual = np.concatenate([x[y == c] - x[y == c].mean(0) for c in range(2)])
    assert residual.std() == pytest.approx(0.5 / np.sqrt(1.25), rel=0.01)
    prototypes = np.array([x[y == c].mean(0) for c in range(2)])
    assert prototypes.std() == pytest.approx(1 / np.sqrt(1.25), rel=0.25)


def test_deterministic_and_prefix_stable():
    a = permuted_tasks(3, seed=7)
    b = permuted_tasks(5, seed=7)
    np.testing.assert_array_equal(a.train_x, b.train_x)
    np.testing.assert_array_equal(a.permutations, b.permutations[:3])
    assert a.meta["seed_entropy"] == b.meta["seed_entropy"]
    c = permuted_tasks(3, seed=8)
    assert not np.array_equal(a.train_x, c.train_x)


@pytest.mark.parametrize("kwargs, name", [
    ({"n_tasks": 0}, "n_tasks"), ({"n_classes": 1}, "n_classes"),
    ({"n_features": 1}, "n_features"), ({"samples_per_class": 0}, "samples_per_class"),
    ({"test_per_class": 0}, "test_per_class"), ({"noise": -1.0}, "noise"),
    ({"separation": 0.0}, "separation"),
])
def test_bad_parameters(kwargs, name):
    args = {"n_tasks": 2, **kwargs}
    with pytest.raises(ValueError, match=name):
        permuted_tasks(**args)
