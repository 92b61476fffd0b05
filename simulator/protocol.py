"""The memory-model protocol: what every model answers, so every driver drives any model.

A memory model is a frozen dataclass subclassing :class:`MemoryModel`. Its
parameters are declared once with :func:`environments.params.parameter` (default,
range, units, meaning) and validated on construction. Its equations live in a few
jitted entry points, njit functions of arrays and scalars collected in the class
attribute ``kernels`` (a :class:`ModelKernels`):

``predict(params, state, item, now) -> float``
    Recall probability of ``item`` at ``now`` (seconds), without learning.
``learn(params, state, item, now, outcome, rating) -> state``
    An event of ``item`` at ``now``: ``outcome`` is 1.0 (recalled) or 0.0 (not) for
    an answered test, NaN for a study with no answer; ``rating`` is 0 (none) or
    1 Again, 2 Hard, 3 Good, 4 Easy. Updates the state and returns it (a new
    record when an array had to grow). Every event of a stream reaches ``learn``.
``probe(params, state, now, out)``
    Recall probability of every item at ``now`` into ``out`` (default: ``predict``
    per item, :func:`default_probe`).
``observe(params, state, item, now, out)``
    The model's state variables of ``item`` at ``now`` (before any learning at
    ``now``) into ``out``, in the order of ``state_variables``.
``rate(params, recalled, u) -> int``
    The rating a simulated answer gets, from one uniform draw ``u``
    (default :func:`rate_by_outcome`: Good if recalled, else Again).
``retention_time(params, state, item, now, target) -> float``
    The time (s) at which the predicted recall of ``item`` falls to ``target``
    (default: bisection on ``predict``, :func:`default_retention_time`).

``params`` is the record :meth:`MemoryModel.kernel_params` returns (a tuple) and
``state`` the record :meth:`MemoryModel.new_state` makes for one run (a tuple of
arrays). The drivers (:func:`simulator.run`, :func:`simulator.predict`,
:func:`simulator.simulate_schedule`, :func:`simulator.sweep`,
:func:`analysis.fit_agent`, ...) are njit functions that take the kernels as
separate arguments: numba compiles (and caches on disk) one specialised driver per
model, so a model's equations are inlined into the driver's loop. A driver never
asks which model it runs.

A model may override :meth:`MemoryModel.simulate` with a faster loop of its own
for :func:`simulator.run` (ACT-R keeps its tuned run loop); it must agree with
the generic one, which the test suite checks.
"""
import abc
import collections
import dataclasses
import math
from typing import ClassVar

import numpy as np

from environments.jit import njit
from environments.params import parameter_specs, parameters

GOOD, AGAIN = 3, 1


@njit
def rate_by_outcome(params, recalled, u):
    """Default rating of a simulated answer: Good (3) if recalled, else Again (1)."""
    return GOOD if recalled else AGAIN


def default_probe(predict):
    """A ``probe`` kernel that calls ``predict`` for every item."""
    @njit
    def probe(params, state, now, out):
        for i in range(len(out)):
            out[i] = predict(params, state, i, now)
    return probe


RETENTION_HORIZON = 1e12
"""Latest time (s, ~31,700 years) the default ``retention_time`` searches."""


def default_retention_time(predict):
    """A ``retention_time`` kernel: bisection on ``predict`` over time.

    Assumes predicted recall does not rise with time between events (true of every
    forgetting model here). Returns ``now`` when recall is already at or below the
    target, ``inf`` when it stays above it up to :data:`RETENTION_HORIZON`.
    """
    @njit
    def retention_time(params, state, item, now, target):
        if predict(params, state, item, now) <= target:
            return now
        step = 1.0
        high = now + step
        while predict(params, state, item, high) > target:
            step *= 2.0
            high = now + step
            if step > RETENTION_HORIZON:
                return math.inf
        low = now + step / 2.0 if step > 1.0 else now
        for _ in range(100):
            mid = 0.5 * (low + high)
            if mid <= low or mid >= high:
                break
            if predict(params, state, item, mid) > target:
                low = mid
            else:
                high = mid
        return high
    return retention_time


@njit
def no_state_variables(params, state, item, now, out):
    """``observe`` of a model that reports no state variables."""
    return


ModelKernels = collections.namedtuple(
    "ModelKernels", ["predict", "learn", "probe", "observe", "rate", "retention_time"])
ModelKernels.__doc__ = """The jitted entry points of a memory model (see :mod:`simulator.protocol`).

Build with :func:`model_kernels`, which fills the optional ones with defaults.

Parameters
----------
predict, learn, probe, observe, rate, retention_time : numba dispatcher
    The model's njit entry points, with the signatures the module docstring
    of :mod:`simulator.protocol` gives.
"""


def model_kernels(predict, learn, probe=None, observe=None, rate=None, retention_time=None):
    """A :class:`ModelKernels` from a model's njit functions; defaults for the optional ones.

    Parameters
    ----------
    predict, learn : numba dispatchers
        Required (signatures in :mod:`simulator.protocol`).
    probe, observe, rate, retention_time : numba dispatchers, optional
        Defaults: ``predict`` per item; no state variables; Good if recalled else
        Again; bisection on ``predict``.

    Returns
    -------
    ModelKernels
    """
    return ModelKernels(
        predict=predict, learn=learn,
        probe=probe if probe is not None else default_probe(predict),
        observe=observe if observe is not None else no_state_variables,
        rate=rate if rate is not None else rate_by_outcome,
        retention_time=(retention_time if retention_time is not None
                        else default_retention_time(predict)))


class MemoryModel(abc.ABC):
    """Base class of every memory model: the public protocol the drivers use.

    Subclasses are frozen dataclasses whose parameters are declared with
    :func:`environments.params.parameter`; they set the class attributes
    ``kernels`` (:func:`model_kernels`) and ``state_variables`` and define
    :meth:`kernel_params` and :meth:`new_state`. See DEVELOPING.md, "How to add a
    memory model".
    """

    kernels: ClassVar[ModelKernels]
    state_variables: ClassVar[dict] = {}
    answers_change_memory: ClassVar[bool] = True
    item_ids_matter: ClassVar[bool] = False
    """Whether an item's id means something to the model (the SGD learner's item ``i``
    is sample ``i % items_per_task`` of task ``i // items_per_task``). ``False`` lets
    :func:`simulator.run` and :func:`simulator.predict` renumber a sparse id space
    (:func:`environments.stream.compact_items`) instead of sizing the state by its
    largest id."""
    """Whether ``learn`` reads the outcome or rating. ``False`` (ACT-R: a test is a
    presentation whatever the answer) lets :func:`simulator.predict` replay observed
    answers with the model's own :meth:`simulate`, whose predictions cannot differ."""
    """``{name: {"long_name": ..., "units": ...}}`` of what ``observe`` writes per event."""

    @abc.abstractmethod
    def kernel_params(self):
        """The parameters as one record (a tuple) for the kernels.

        Returns
        -------
        tuple
        """

    @abc.abstractmethod
    def new_state(self, n_items, rng):
        """A fresh state record for one run over ``n_items`` items.

        Parameters
        ----------
        n_items : int
            Number of items (ids ``0 .. n_items - 1``).
        rng : numpy.random.Generator
            For per-run draws (e.g. permanent noise, random patterns); a child of
            the run's seed.

        Returns
        -------
        tuple of numpy arrays
        """

    def prepare(self, stream, rng):
        """A state record for a run over ``stream`` (default: :meth:`new_state`).

        Models that can size their memory from the stream's events override this.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator

        Returns
        -------
        tuple of numpy arrays
        """
        return self.new_state(stream.n_items, rng)

    def simulate(self, stream, rng, probe_times):
        """One run over ``stream``: the per-event arrays by name (generic loop).

        The default runs :func:`simulator.drivers.replay` with outcomes drawn from
        ``predict``; a model may override it with a faster loop that gives the
        same results.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator
        probe_times : numpy.ndarray of float

        Returns
        -------
        dict of numpy arrays
            ``p_recall``, ``recalled``, ``rating``, the state variables, and
            ``probe_recall`` (probe x item).
        """
        from simulator.drivers import replay_stream
        return replay_stream(self, stream, rng, probe_times, observed=False)

    def population_model(self):
        """The model a scheduler can know: without per-learner differences.

        Default: the model itself. ACT-R drops its permanent (per-item, per-learner)
        noise.

        Returns
        -------
        MemoryModel
        """
        return self

    def recall_probabilities(self, stream, rng):
        """The recall probability before every event of an observed ``stream``.

        :func:`simulator.predict`'s ``p_recall`` alone (its replay, observed answers
        used). A model whose memory ignores the answers may compute it faster.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator

        Returns
        -------
        numpy.ndarray
        """
        from simulator.drivers import replay_stream
        return replay_stream(self, stream, rng, np.empty(0), observed=True)["p_recall"]

    def state_bytes(self, n_items):
        """Estimated bytes of one run's state over ``n_items`` items, checked against the
        available memory before a run allocates it (default 64 per item).

        Parameters
        ----------
        n_items : int

        Returns
        -------
        int
        """
        return 64 * int(n_items)

    def items_independent(self):
        """Whether an item's predictions depend on that item's events alone.

        Default ``False`` (safe). ``True`` lets :func:`simulator.predict` replay a
        log whose learners study disjoint items in one pass instead of one per
        learner (the result is the same).

        Returns
        -------
        bool
        """
        return False

    def state_is_random(self):
        """Whether :meth:`new_state` draws from its ``rng`` (two runs' fresh states differ).

        Default ``True`` (the safe answer); a model whose fresh state is fixed by its
        parameters returns ``False``, which lets the scheduling loop reuse the
        learner's predictions when the scheduler model is the learner's own model.

        Returns
        -------
        bool
        """
        return True

    def rank_needs(self, stream, rng):
        """Before each event, rank every item met so far by the model's predicted recall.

        Used by :func:`simulator.predict_need`; a model may override it (ACT-R
        ranks by activation with spreading from contexts).

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator

        Returns
        -------
        ranks : numpy.ndarray
            ``(3, n_events)`` mid-ranks by the model, frequency and recency (NaN
            for an item's first event).
        n_candidates : numpy.ndarray
            Items met before each event.
        """
        from simulator._need_kernels import generic_need_kernel
        state = self.prepare(stream, rng)
        ranks = np.empty((3, len(stream)))
        n_candidates = np.empty(len(stream), np.int64)
        generic_need_kernel(self.kernels)(
            self.kernel_params(), state,
            (stream.time, stream.item, stream.kind, int(stream.n_items)), ranks, n_candidates)
        return ranks, n_candidates

    @classmethod
    def parameter_specs(cls):
        """``{name: spec}``: range, units and meaning of each declared parameter."""
        return parameter_specs(cls)

    def parameters(self):
        """``{name: value}`` of the declared parameters."""
        return parameters(self)


def check_model(model, name="model"):
    """Raise a ValueError unless ``model`` is a memory-model instance."""
    if isinstance(model, type) and issubclass(model, MemoryModel):
        raise ValueError(f"{name} must be a memory-model instance such as "
                         f"{model.__name__}(), got the class {model.__name__}")
    if not isinstance(model, MemoryModel):
        raise ValueError(f"{name} must be a memory model (a simulator.MemoryModel such as "
                         f"simulator.ACTR()), got {type(model).__name__}")
    if not dataclasses.is_dataclass(model):
        raise ValueError(f"{name} must be a dataclass declaring its parameters")
    return model


def state_variable_names(model):
    """Names of ``model``'s state variables, in ``observe`` order."""
    return tuple(model.state_variables)


def n_state_variables(model):
    """Number of state variables ``observe`` writes."""
    return len(model.state_variables)


def empty_observations(model, n):
    """A ``(n, n_state_variables)`` float array for ``observe``."""
    return np.empty((n, n_state_variables(model)))


class PerItemMemory:
    """Mixin for models whose items have memories of their own and whose fresh state is
    fixed by the parameters (FSRS, Ebisu, HLR): see
    :meth:`MemoryModel.items_independent` and :meth:`MemoryModel.state_is_random`."""

    def items_independent(self):
        """Each item's memory is its own.

        Returns
        -------
        bool
        """
        return True

    def state_is_random(self):
        """A fresh memory draws nothing.

        Returns
        -------
        bool
        """
        return False
