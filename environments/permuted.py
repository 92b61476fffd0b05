"""Permuted-task classification data: the permuted-MNIST paradigm at laptop scale.

A base classification problem (Gaussian class prototypes plus isotropic noise)
is turned into ``n_tasks`` tasks by one fixed random permutation of the input
features per task, as permuted MNIST does (Goodfellow, Mirza, Xiao, Courville &
Bengio 2013; Kirkpatrick et al. 2017). Every task has the same labels and the
same difficulty, but a network must map different inputs to them, so learning
a new task interferes with the old ones.

Items are (task, sample) pairs laid out as the environments schedule them
(:func:`environments.sequential_tasks`: task ``j`` owns items
``j * items_per_task .. (j + 1) * items_per_task - 1``): item ``i`` is training
sample ``i % items_per_task`` of task ``i // items_per_task``, with
``items_per_task = n_classes * samples_per_class``.
"""
import dataclasses

import numpy as np

from environments.seeding import child, generator, seed_attrs, seed_sequence
from environments.params import argument, declare_parameters
from environments.validation import check_memory

SAMPLES_SEED, PERMUTATION_SEED = 0, 1
"""Children of the data's SeedSequence: the base problem; the tasks' permutations."""


@dataclasses.dataclass(frozen=True, eq=False)
class PermutedTasks:
    """The base problem's samples and each task's input permutation.

    Task ``t``'s version of a base input ``x`` is ``x[permutations[t]]``.

    Parameters
    ----------
    train_x, test_x : numpy.ndarray
        Base training and held-out inputs, float64 ``(n_train, n_features)`` and
        ``(n_test, n_features)``.
    train_y, test_y : numpy.ndarray
        Their int64 labels in ``0 .. n_classes - 1``.
    permutations : numpy.ndarray
        int64 ``(n_tasks, n_features)``: task ``t``'s permutation of the inputs.
    meta : dict
        Generator name, parameters and seed entropy.

    Attributes
    ----------
    train_x, test_x : float64 arrays ``(n_train, n_features)``, ``(n_test, n_features)``
        Base training and held-out inputs; training sample ``s`` has label
        ``s // samples_per_class``.
    train_y, test_y : int64 arrays
        Their labels in ``0 .. n_classes - 1``.
    permutations : int64 array ``(n_tasks, n_features)``
    meta : dict
        Generator name, parameters and seed entropy.
    """

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    permutations: np.ndarray
    meta: dict

    @property
    def n_tasks(self):
        return len(self.permutations)

    @property
    def items_per_task(self):
        """Training samples per task: the items a stream schedules per task."""
        return len(self.train_x)

    @property
    def n_items(self):
        return self.n_tasks * self.items_per_task

    def item_example(self, item):
        """``(x, y)``: the permuted input and label of item(s) ``item`` (a task's sample)."""
        item = np.asarray(item)
        task, sample = np.divmod(item, self.items_per_task)
        return (np.take_along_axis(self.train_x[sample], self.permutations[task], axis=-1),
                self.train_y[sample])

    def test_set(self, task):
        """``(x, y)``: the held-out samples of ``task``, permuted as the task permutes."""
        return self.test_x[:, self.permutations[task]], self.test_y


@declare_parameters(
    n_tasks=argument(low=1, integer=True, units="count", doc="number of tasks"),
    n_classes=argument(low=2, integer=True, units="count", doc="classes of the base problem"),
    n_features=argument(low=2, integer=True, units="count", doc="input dimensions"),
    samples_per_class=argument(low=1, integer=True, units="count",
                               doc="training samples per class"),
    test_per_class=argument(low=1, integer=True, units="count", doc="held-out samples per class"),
    noise=argument(low=0.0, high=1e6, doc="within-class standard deviation"),
    separation=argument(low=1e-6, high=1e6, doc="distance scale of the class means"))
def permuted_tasks(n_tasks, n_classes=10, n_features=64, samples_per_class=20,
                   test_per_class=20, noise=1.0, separation=1.0, seed=None):
    """``n_tasks`` permuted versions of one prototype-plus-noise classification problem.

    Class ``c`` has a prototype ``mu_c ~ N(0, separation^2 I)`` in ``n_features``
    dimensions; a sample of class ``c`` is ``(mu_c + noise * N(0, I)) / s`` with
    ``s = sqrt(separation^2 + noise^2)``, so every feature has unit variance over
    the classes (a fixed input scale keeps one SGD learning rate suitable
    whatever the noise). The base
    training set has ``samples_per_class`` samples per class (sample ``s`` of
    class ``s // samples_per_class``), the held-out test set ``test_per_class``
    per class, never scheduled as items. Task ``t`` permutes the input features
    by a fixed random permutation drawn from its own seed child, so task ``t``'s
    permutation does not depend on ``n_tasks``.

    Parameters
    ----------
    n_tasks : int
        Number of tasks, >= 1.
    n_classes : int
        Classes, >= 2.
    n_features : int
        Input dimensions, >= 2.
    samples_per_class, test_per_class : int
        Training (item) and held-out samples per class, each >= 1.
    noise : float
        Within-class standard deviation, in [0, 1e6].
    separation : float
        Standard deviation of the prototypes' coordinates, in [1e-6, 1e6].
    seed : int, SeedSequence, Generator or None

    Returns
    -------
    PermutedTasks
    """
    check_memory("n_tasks", n_tasks, 8 * n_tasks * n_features, "the tasks' permutations")
    check_memory("n_classes", n_classes, 3 * 8 * n_classes * (samples_per_class + test_per_class)
                 * n_features, "the samples")
    seed_seq = seed_sequence(seed)
    rng = generator(child(seed_seq, SAMPLES_SEED))
    prototypes = separation * rng.standard_normal((n_classes, n_features))
    train_y = np.repeat(np.arange(n_classes, dtype=np.int64), samples_per_class)
    test_y = np.repeat(np.arange(n_classes, dtype=np.int64), test_per_class)
    train_x = prototypes[train_y] + noise * rng.standard_normal((len(train_y), n_features))
    test_x = prototypes[test_y] + noise * rng.standard_normal((len(test_y), n_features))
    scale = np.sqrt(separation ** 2 + noise ** 2)
    train_x /= scale
    test_x /= scale
    permutations = np.array([generator(child(seed_seq, PERMUTATION_SEED, t)).permutation(
        n_features) for t in range(n_tasks)], np.int64)
    meta = {"generator": "permuted_tasks", "n_tasks": n_tasks, "n_classes": n_classes,
            "n_features": n_features, "samples_per_class": samples_per_class,
            "test_per_class": test_per_class, "noise": float(noise),
            "separation": float(separation)}
    meta.update(seed_attrs(seed_seq))
    return PermutedTasks(train_x, train_y, test_x, test_y, permutations, meta)

