"""A one-hidden-layer network trained by plain SGD: the continual-learning agent."""
import dataclasses

import numpy as np
from threadpoolctl import threadpool_limits

from environments.permuted import permuted_tasks

from simulator.models.learner._kernels import n_parameters, run_learner
from environments.params import parameter, validate
from simulator.models.learner import _model_kernels as protocol_kernels
from simulator.numerics import warn_if_diverged
from simulator.protocol import MemoryModel, model_kernels


PROJECTIONS = ("none", "hlop")


@dataclasses.dataclass(frozen=True)
class SGDLearner(MemoryModel):
    """A ReLU network with one hidden layer learning permuted tasks by minibatch SGD.

    The stream's items are (task, sample) pairs of the data
    :func:`environments.permuted_tasks` makes from this learner's data
    parameters and ``seed``: item ``i`` is training sample ``i % items_per_task``
    of task ``i // items_per_task`` (``items_per_task = n_classes *
    samples_per_class``), the layout of :func:`environments.sequential_tasks`
    and of :func:`environments.reoccurrence` with ``items_per_class =
    items_per_task``. The stream's ``n_items`` must be a multiple of
    ``items_per_task``; ``n_items / items_per_task`` tasks are made. The data
    depend on ``seed`` only, so every run and every sweep cell learns the same
    problem; the run's seed draws the initial weights (``N(0, 1 / fan_in)``,
    biases 0).

    A STUDY event is one training example; every ``batch_size`` of them make one
    SGD step on the mean cross-entropy with an L2 penalty and an optional
    online-EWC penalty (Kirkpatrick et al. 2017; Schwarz et al. 2018): see
    ``simulator/models/learner/_kernels.py`` for the equations. Per event: ``p_recall``
    (probability of the true label), ``recalled`` (arg-max correct) and ``loss``,
    before the event is learned. Probes (``simulator.run(..., probe_times=...)``)
    score each task's held-out test set, never trained on, without learning:
    ``probe_accuracy`` and ``probe_loss`` (dims ``probe``, ``task``).

    Parameters
    ----------
    hidden : int
        Hidden units (>= 1; default 100).
    learning_rate : float
        SGD step size (> 0; default 0.05).
    batch_size : int
        Examples per SGD step (>= 1; default 1).
    l2 : float
        L2 penalty coefficient (>= 0; default 0.0).
    ewc : float
        EWC penalty coefficient (0 turns it off; >= 0; default 0.0).
    seed : int
        Seed of the permuted-task data (>= 0; default 0).
    n_classes : int
        Classes of the base problem (>= 2; default 10).
    n_features : int
        Input dimensions (>= 2; default 64).
    samples_per_class : int
        Training samples (items) per class and task (>= 1; default 20).
    test_per_class : int
        Held-out samples per class (>= 1; default 50).
    noise : float
        Within-class standard deviation (in [0, 1e6]; default 1.0).
    projection : {"none", "hlop"}
        ``"hlop"``: Hebbian learning based orthogonal projection (Xiao et al., ICLR
        2024; ``simulator/models/learner/_hlop_kernels.py``): each layer's lateral
        weights learn the principal subspace of its inputs by the Hebbian subspace
        rule, frozen at the end of each task; later tasks' updates use inputs
        projected on the orthogonal complement of the frozen subspaces. Default
        ``"none"``. Available in :func:`simulator.run` and sweeps (the batched run
        loop), not in the step-by-step protocol entry points.
    subspace_dim : int
        Subspace neurons added per layer and task with HLOP (>= 1; default 10;
        capped by the layer's input size + 1).
    hebbian_rate : float
        Step of the Hebbian subspace rule, normalised by the input power (in
        (0, 1]; default 0.05).
    hebbian_iterations : int
        Hebbian steps per minibatch (>= 1; default 2).
    view_noise : float
        Standard deviation of Gaussian noise added to the input of every STUDY
        presentation, drawn afresh each time (an augmentation: repeated views of a
        sample differ, as the augmented views of Kang et al. 2025 do; >= 0; default 0).
        Like HLOP, available in :func:`simulator.run` and sweeps only.

    Warns
    -----
    simulator.DivergenceWarning
        From :func:`simulator.run` when the weights became non-finite (too large a
        ``learning_rate`` or ``ewc`` step): ``p_recall`` and ``loss`` are NaN from
        the first diverged event on.
    """

    hidden: int = parameter(100, low=1, integer=True, doc="hidden units")
    learning_rate: float = parameter(0.05, low=0.0, low_open=True, doc="SGD step size")
    batch_size: int = parameter(1, low=1, integer=True, doc="examples per SGD step")
    l2: float = parameter(0.0, low=0.0, doc="L2 penalty coefficient")
    ewc: float = parameter(0.0, low=0.0, doc="EWC penalty coefficient (0: off)")
    seed: int = parameter(0, low=0, integer=True, doc="seed of the permuted-task data")
    n_classes: int = parameter(10, low=2, integer=True, doc="classes of the base problem")
    n_features: int = parameter(64, low=2, integer=True, doc="input dimensions")
    samples_per_class: int = parameter(20, low=1, integer=True,
                                       doc="training samples (items) per class and task")
    test_per_class: int = parameter(50, low=1, integer=True,
                                    doc="held-out samples per class")
    noise: float = parameter(1.0, low=0.0, high=1e6, doc="within-class standard deviation")
    projection: str = parameter("none", choices=PROJECTIONS,
                                doc="update projection: none or hlop (Hebbian orthogonal "
                                    "projection)")
    subspace_dim: int = parameter(10, low=1, integer=True, units="count",
                                  doc="HLOP subspace neurons per layer and task")
    hebbian_rate: float = parameter(0.05, low=0.0, high=1.0, low_open=True,
                                    doc="HLOP Hebbian step (normalised by input power)")
    hebbian_iterations: int = parameter(2, low=1, integer=True, units="count",
                                        doc="HLOP Hebbian steps per minibatch")
    view_noise: float = parameter(0.0, low=0.0,
                                  doc="std of input noise added to each studied example")

    def __post_init__(self):
        validate(self)

    @property
    def items_per_task(self):
        return self.n_classes * self.samples_per_class

    def data(self, n_tasks):
        """The :class:`environments.PermutedTasks` this learner is trained on."""
        return permuted_tasks(n_tasks, self.n_classes, self.n_features, self.samples_per_class,
                              self.test_per_class, self.noise, seed=self.seed)

    def initial_weights(self, rng):
        """Flat ``theta``: ``W1 ~ N(0, 1/F)``, ``W2 ~ N(0, 1/H)``, zero biases."""
        f, h, c = self.n_features, self.hidden, self.n_classes
        theta = np.zeros(n_parameters(f, h, c))
        theta[:h * f] = rng.standard_normal(h * f) / np.sqrt(f)
        start = h * f + h
        theta[start:start + c * h] = rng.standard_normal(c * h) / np.sqrt(h)
        return theta

    kernels = model_kernels(predict=protocol_kernels.predict,
                            learn=protocol_kernels.learn_event,
                            probe=protocol_kernels.probe, observe=protocol_kernels.observe)
    state_variables = {"loss": {"long_name": "cross-entropy loss", "units": "nat"}}

    def kernel_params(self):
        """``(shape, rates)`` records for the kernels (see
        :mod:`simulator.models.learner._model_kernels`).

        Returns
        -------
        tuple
        """
        return ((self.n_features, self.hidden, self.n_classes, self.batch_size,
                 self.items_per_task),
                (float(self.learning_rate), float(self.l2), float(self.ewc)))

    item_ids_matter = True

    def state_bytes(self, n_items):
        """The weights and their EWC copies, and the data of ``n_items / items_per_task``
        tasks (a permutation each; the base samples are shared).

        Parameters
        ----------
        n_items : int

        Returns
        -------
        int
        """
        n_tasks = int(n_items) // self.items_per_task + 1
        f, h, c = self.n_features, self.hidden, self.n_classes
        base = c * (self.samples_per_class + self.test_per_class) * f * 8
        return 8 * (6 * n_parameters(f, h, c) + n_tasks * f) + 2 * base

    def _check_items(self, n_items):
        if n_items % self.items_per_task:
            raise ValueError(f"stream must have a multiple of n_classes * samples_per_class = "
                             f"{self.items_per_task} items, got {n_items}")

    def new_state(self, n_items, rng):
        """Initial weights (drawn from ``rng``), an empty EWC memory and minibatch, and the
        tasks' data (regenerated from the learner's own ``seed``).

        Parameters
        ----------
        n_items : int
            A multiple of ``items_per_task``.
        rng : numpy.random.Generator

        Returns
        -------
        tuple
        """
        self._check_items(n_items)
        if self.projection != "none":
            raise ValueError(f"projection={self.projection!r} runs in simulator.run and sweeps "
                             f"(SGDLearner.simulate) only; the step-by-step protocol learns "
                             f"without projection")
        if self.view_noise > 0:
            raise ValueError(f"view_noise={self.view_noise!r} runs in simulator.run and sweeps "
                             f"(SGDLearner.simulate) only; the step-by-step protocol learns "
                             f"without augmentation")
        theta = self.initial_weights(rng)
        b, f, h, c = self.batch_size, self.n_features, self.hidden, self.n_classes
        scratch = (np.empty((b, f)), np.empty(b, np.int64), np.empty((b, h)),
                   np.empty((b, c)), np.empty(b), np.empty_like(theta), np.empty(b),
                   np.empty(b, np.bool_), np.empty(b), np.arange(b))
        data = self.data(n_items // self.items_per_task)
        return (theta, np.zeros_like(theta), theta.copy(), np.array([-1, 0], np.int64),
                np.empty(b, np.int64), scratch,
                (data.train_x, data.train_y, data.test_x, data.test_y, data.permutations))

    def prepare(self, stream, rng):
        """The learner's state for ``stream`` (its data regenerated for the stream's tasks)."""
        return self.new_state(stream.n_items, rng)

    def hlop_record(self, n_tasks, rng):
        """``(enabled, record)`` for the run loop's HLOP (see
        :func:`simulator.models.learner._kernels.learn_batch_hlop`).

        With ``projection="hlop"`` the initial lateral weights are drawn from ``rng``
        (after the network's weights, so those stay as without HLOP):
        ``N(0, 0.1^2 / d)`` per row entry over a layer's ``d`` augmented inputs,
        ``min(n_tasks * subspace_dim, d)`` rows. Otherwise empty arrays (one
        compiled variant serves both).

        Parameters
        ----------
        n_tasks : int
        rng : numpy.random.Generator

        Returns
        -------
        tuple
        """
        f, h, c, b = self.n_features, self.hidden, self.n_classes, self.batch_size
        on = self.projection == "hlop"
        dims = (f + 1, h + 1)
        n_rows = [min(n_tasks * self.subspace_dim, d) if on else 0 for d in dims]
        initials = tuple(0.1 / np.sqrt(d) * rng.standard_normal((r, d)) if on
                         else np.zeros((0, d)) for r, d in zip(n_rows, dims))
        bases = tuple(np.zeros_like(i) for i in initials)
        work = (np.empty((b, f + 1)), np.empty((b, h + 1)), np.empty((h, f + 1)),
                np.empty((c, h + 1)))
        settings = (int(self.subspace_dim), int(self.hebbian_iterations),
                    float(self.hebbian_rate))
        return on, (settings, bases, initials, np.zeros(4, np.int64), work)

    def simulate(self, stream, rng, probe_times):
        """Train on ``stream`` with the batched run loop; the per-event and probe arrays.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator
        probe_times : numpy.ndarray

        Returns
        -------
        dict of numpy arrays
        """
        self._check_items(stream.n_items)
        data = self.data(stream.n_items // self.items_per_task)
        theta = self.initial_weights(rng)
        n, n_probes = len(stream), len(probe_times)
        out = {"p_recall": np.full(n, np.nan), "recalled": np.zeros(n, np.bool_),
               "loss": np.full(n, np.nan)}
        hlop = self.hlop_record(data.n_tasks, rng)
        # drawn after the weights and HLOP's, so those stay as without augmentation
        noise = (self.view_noise * rng.standard_normal((n, self.n_features))
                 if self.view_noise > 0 else np.empty((0, self.n_features)))
        accuracy = np.empty((n_probes, data.n_tasks))
        loss = np.empty((n_probes, data.n_tasks))
        # small matrix products: BLAS threads would only add synchronisation
        with threadpool_limits(limits=1, user_api="blas"):
            run_learner((stream.time, stream.item, stream.kind),
                        (data.train_x, data.train_y, data.test_x, data.test_y,
                         data.permutations), self.kernel_params(), theta, probe_times,
                        (out["p_recall"], out["recalled"], out["loss"]), (accuracy, loss),
                        hlop, noise)
        warn_if_diverged(self, theta, out["loss"], ("learning_rate", "l2", "ewc", "batch_size"),
                         stacklevel=4)
        # every item of a task carries its task's held-out score, so run's per-task
        # mean over items is exactly the held-out accuracy
        task_of_item = np.arange(stream.n_items) // self.items_per_task
        out["probe_recall"] = accuracy[:, task_of_item]
        out["probe_loss"] = loss[:, task_of_item]
        return out
