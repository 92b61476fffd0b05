"""ACT-R declarative memory: base-level learning and its approximations, the spacing
effect, noise, spreading activation, retrieval probability and latency."""
import dataclasses
import math

import numpy as np

from simulator.models.actr._kernels import (EXACT, EXACT_HALF, RUN_ACTR, context_spreading, latency_argument,
                            logistic_draw, logistic_margin, recall_probabilities)
from simulator.models.actr import _model_kernels as protocol_kernels
from simulator.models.actr._normalized_kernels import normalized_context_spreading
from simulator.models.actr._multiscale_kernels import (MS_MIN_AGE_FLOOR, MS_ROW, MS_SCRATCH,
                                                       multiscale_coefficients)
from environments.params import parameter, validate
from simulator.models._kernel_utils import presentation_slots
from simulator.protocol import MemoryModel, model_kernels
from environments.seeding import child, generator

PERMANENT_NOISE_SEED = 0
"""Child of a run's seed that draws the permanent noise (never shifts the recall draws)."""

APPROXIMATIONS = ("exact", "optimized", "hybrid", "multiscale")

MAX_LOG_LATENCY = 700.0
"""The latency of a failed retrieval is below ``exp(MAX_LOG_LATENCY)`` s (float64 ends near
``exp(709.78)``)."""
MAX_NOISE = 1e300
"""``noise`` is below this: a draw is at most ``noise * ln(1e300)``, which stays finite."""
SPACING_MIN_AGE = 1.0
"""s: with the spacing model ages count at least this (:meth:`ACTR.effective_age_floor`)."""


@dataclasses.dataclass(frozen=True)
class ACTR(MemoryModel):
    """ACT-R declarative memory (ACT-R 7 reference manual, declarative module).

    Each presentation of an item leaves a trace that decays as a power of its age.
    The activation of an item at time ``t`` is its base level

        ``A = B = ln sum_j (t - t_j) ** -decay``

    over its earlier presentations ``t_j`` (ages below ``age_floor`` count as
    ``age_floor``, as in the reference implementation). Retrieval succeeds when
    ``A`` plus transient logistic noise of scale ``noise`` exceeds ``threshold``:

        ``p_recall = 1 / (1 + exp(-(A - threshold) / noise))``

    and takes ``latency_factor * exp(-latency_exponent * A)`` seconds (the noisy
    activation on success; ``threshold`` in place of ``A`` on failure).

    Base level (``approximation``; ACT-R 7 reference manual, base-level learning):

    - ``"exact"``: the full sum above, O(presentations) per retrieval;
    - ``"optimized"``: ``B = ln(n / (1 - d)) - d ln L``, ``n`` presentations, ``L``
      the item's lifetime (time since its first presentation, its creation);
    - ``"hybrid"``: the ``hybrid_k`` most recent presentations exact, the older
      ``n - k`` approximated: ``(n-k)(t_n^(1-d) - t_k^(1-d)) / ((1-d)(t_n - t_k))``;
    - ``"multiscale"``: the power kernel as a sum of 58 exponential traces per
      item (rates ``2**k`` per second, ``k = -48..9``, the slowest also standing
      for every slower rate), referenced to the item's last presentation: O(1)
      work and memory per event whatever the history. Weights are the trapezoid
      rule of ``t**-d = (1/Gamma(d)) * integral s**(d-1) exp(-s t) ds`` on the
      log grid; ``|A - exact| < 1e-5`` for ages 0.05 s .. 1e9 s and d < 1. Needs
      ``age_floor >= 0.02``. Presentations closer than the floor count as in the
      exact sum: each item remembers its 8 latest presentations, and a read
      within the floor counts those younger than the floor at the floor (exact
      while at most 8 presentations of the item fall within the floor of a read).

    Spacing effect (Pavlik & Anderson 2005, Cognitive Science 29): with
    ``spacing_scale = c > 0`` presentation i decays at its own rate
    ``d_i = c * exp(m_{i-1}) + a`` (``a = spacing_intercept``), ``m_{i-1}`` the base
    level just before it (from the earlier presentations, each with its own
    decay); the first gets ``a``. Ages count at least 1 s with this model
    (``max(age_floor, 1 s)``, :meth:`effective_age_floor`): below 1 s the decay
    and the activation of massed presentations feed each other past any float. Massed presentations meet a high ``m`` and
    decay fast. Between-session time is psychological time: a gap between
    consecutive events of the stream longer than ``session_gap`` seconds is a
    session boundary, and its length is multiplied by ``intersession_scale``
    (their ``h``) in every age the memory computes (``lag`` stays clock time;
    a probe's own gap from the previous event follows the same rule).

    Spreading activation (reference manual, spreading activation; as in
    ACT-R-based recommenders): items met in the same context (the stream's
    ``context`` array: session, basket) become associated. At an event the
    sources are the distinct items met earlier in its context, each with weight
    ``W / n_sources`` (``W = source_activation``), and
    ``S_i = sum_j W_j * S_ji``, ``S_ji = max(S - ln fan_j, 0)`` for j associated
    with i (an item is associated with itself), ``S = max_association``, ``fan_j``
    = 1 + the number of j's associates. Probes have no context.
    With ``spreading="normalized"`` the associations are instead the symmetric-
    normalised co-occurrence weights session recommenders built on ACT-R use
    (PISA, Tran et al. 2024, RecSys): ``W = D^-1/2 (A + I) D^-1/2``, ``A_ij`` the
    number of contexts items i and j shared, ``D`` the row sums of ``A + I``;
    ``S_i = S * sum_j (W_src / n_sources) M_ji`` with ``M = W + ... + W^hops``
    (``simulator.models.actr._normalized_kernels``).

    Noise: transient logistic noise of scale ``noise`` on every retrieval (the
    ``recalled`` draw; ``p_recall`` is its analytic probability) and permanent
    logistic noise of scale ``permanent_noise``, drawn once per item from a child
    of the run's seed and added to its activation.

    Parameters
    ----------
    decay : float
        Base-level decay ``d``, in (0, 1); ACT-R's conventional value is 0.5.
    threshold : float
        Retrieval threshold ``tau``, with ``latency_factor * exp(-latency_exponent *
        tau)`` (the latency of a failed retrieval) below ``exp(700)`` s.
    noise : float
        Scale ``s`` of the transient logistic activation noise, >= 0 and below
        ``1e300`` (0: recall is a step at the threshold).
    latency_factor : float
        ``F`` in seconds, in [0, 1e6].
    latency_exponent : float
        ``f``, in [0, 6].
    age_floor : float
        Smallest age in seconds a presentation can have, in [1e-6, 1e6] (0.05 in
        ACT-R; at least 0.02 with ``"multiscale"``; at least 1 s counts with the
        spacing model, :meth:`effective_age_floor`).
    test_is_presentation : bool
        Whether a TEST event also counts as a presentation (True in ACT-R: a
        retrieval strengthens the chunk).
    approximation : {"exact", "optimized", "hybrid", "multiscale"}
        How the base level is computed (above).
    hybrid_k : int
        Presentations kept exact by ``"hybrid"``, >= 1.
    spacing_scale : float
        Pavlik & Anderson's ``c``, in [0, 10] (0: the standard model with ``decay``;
        their fit 0.217). Needs ``"exact"`` or ``"multiscale"``.
    spacing_intercept : float
        Pavlik & Anderson's ``a``, in (0, 1) (their fit 0.177).
    session_gap : float
        A gap between events longer than this (s, > 0) is a session boundary.
    intersession_scale : float
        Pavlik & Anderson's ``h``, in (0, 1]: between-session time counts this
        much (their fit 0.025; 1: clock time).
    permanent_noise : float
        Scale of the permanent (per-item) logistic noise, in [0, 1000].
    max_association : float
        ``S`` of the fan equation, in [0, 1000] (0: no spreading activation).
    source_activation : float
        ``W``, the total source activation split over the sources, in [0, 1000].
    spreading : {"fan", "normalized"}
        Association strengths: ACT-R's fan equation, or symmetric-normalised
        co-occurrence weights (above).
    hops : int
        ``"normalized"``: steps of the co-occurrence graph an association spans,
        1 .. 4 (``M = W + ... + W^hops``).
    """

    decay: float = parameter(0.5, low=0.0, high=1.0, low_open=True, high_open=True,
                             doc="base-level decay d")
    threshold: float = parameter(0.0, doc="retrieval threshold tau")
    noise: float = parameter(0.25, low=0.0, doc="transient activation noise s")
    latency_factor: float = parameter(1.0, low=0.0, high=1e6, units="s",
                                    doc="latency factor F")
    latency_exponent: float = parameter(1.0, low=0.0, high=6.0, doc="latency exponent f")
    age_floor: float = parameter(0.05, low=1e-6, high=1e6, units="s",
                                 doc="smallest age of a presentation")
    test_is_presentation: bool = parameter(True, choices=(True, False),
                                           doc="a TEST event also counts as a presentation")
    approximation: str = parameter("exact", choices=APPROXIMATIONS,
                                   doc="base-level computation")
    hybrid_k: int = parameter(1, low=1, integer=True,
                              doc="presentations kept exact by the hybrid approximation")
    spacing_scale: float = parameter(0.0, low=0.0, high=10.0,
                                     doc="Pavlik & Anderson c of d_i = c exp(m) + a")
    spacing_intercept: float = parameter(0.177, low=0.0, high=1.0, low_open=True,
                                         high_open=True,
                                         doc="Pavlik & Anderson a of d_i = c exp(m) + a")
    session_gap: float = parameter(3600.0, low=0.0, low_open=True, units="s",
                                   doc="a longer gap between events is a session boundary")
    intersession_scale: float = parameter(1.0, low=0.0, high=1.0, low_open=True,
                                          doc="between-session time scale h")
    permanent_noise: float = parameter(0.0, low=0.0, high=1e3,
                                       doc="permanent per-item noise scale")
    max_association: float = parameter(0.0, low=0.0, high=1e3,
                                       doc="maximum associative strength S")
    source_activation: float = parameter(1.0, low=0.0, high=1e3, doc="source activation W")
    spreading: str = parameter("fan", choices=("fan", "normalized"),
                               doc="association strengths: fan equation or normalised "
                                   "co-occurrence")
    hops: int = parameter(1, low=1, high=4, integer=True,
                          doc="graph steps of normalised spreading")

    def __post_init__(self):
        validate(self)
        if self.spacing_scale > 0 and self.approximation not in ("exact", "multiscale"):
            raise ValueError(f"spacing_scale > 0 needs approximation 'exact' or "
                             f"'multiscale', got {self.approximation!r}")
        if self.approximation == "multiscale" and self.age_floor < MS_MIN_AGE_FLOOR:
            raise ValueError(f"age_floor must be >= {MS_MIN_AGE_FLOOR} s with approximation "
                             f"'multiscale' (its fastest trace decays at 512/s), "
                             f"got {self.age_floor!r}")
        # Limits between parameters, checked here rather than declared as ranges (a fit
        # searches the declared ranges): the latency of a failed retrieval, the longest,
        # is a finite number of seconds, and noise times ln(1e300) (the largest noise
        # draw) stays finite.
        if (-self.latency_exponent * self.threshold
                + math.log(max(self.latency_factor, 1.0)) > MAX_LOG_LATENCY):
            raise ValueError(
                f"latency_factor * exp(-latency_exponent * threshold) (the latency of a failed "
                f"retrieval) must be below exp({MAX_LOG_LATENCY:g}) s, got latency_factor="
                f"{self.latency_factor!r}, latency_exponent={self.latency_exponent!r}, "
                f"threshold={self.threshold!r}")
        if self.noise >= MAX_NOISE:
            raise ValueError(f"noise must be below {MAX_NOISE:g}, got {self.noise!r}")

    kernels = model_kernels(
        predict=protocol_kernels.predict, learn=protocol_kernels.learn_event,
        probe=protocol_kernels.probe, observe=protocol_kernels.observe,
        retention_time=protocol_kernels.retention_time)
    state_variables = {"activation": {"long_name": "activation", "units": "1"}}
    answers_change_memory = False

    def kernel_params(self):
        """``(mode, decay, hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold,
        noise, test_is_presentation, session_gap, intersession_scale)`` for the kernels.

        Returns
        -------
        tuple
        """
        return (self._mode(), float(self.decay), int(self.hybrid_k), self.effective_age_floor(),
                float(self.spacing_scale), float(self.spacing_intercept),
                float(self.threshold), float(self.noise), bool(self.test_is_presentation),
                float(self.session_gap), float(self.intersession_scale))

    def effective_age_floor(self):
        """The smallest age the kernels use: ``age_floor``, at least 1 s with the spacing model.

        Pavlik & Anderson's ages are in seconds; below 1 s a term ``t ** -d_i`` exceeds 1
        and grows with ``d_i = c exp(m) + a``, which grows with it: massed presentations
        a fraction of a second apart drive the decay and the activation past any float
        within a few presentations. From 1 s on every term is at most 1, so
        ``exp(m) <= n`` and ``d_i <= c n + a`` stay finite.

        Returns
        -------
        float
        """
        if self.spacing_scale > 0:
            return max(float(self.age_floor), SPACING_MIN_AGE)
        return float(self.age_floor)

    def state_bytes(self, n_items):
        """Per item: the history slices, last time and permanent noise, and with
        ``"multiscale"`` its row of traces.

        Parameters
        ----------
        n_items : int

        Returns
        -------
        int
        """
        row = 8 * MS_ROW if self.approximation == "multiscale" else 0
        return int(n_items) * (64 + row)

    def _mode(self):
        mode = APPROXIMATIONS.index(self.approximation)
        if mode == EXACT and self.decay == 0.5 and self.spacing_scale == 0:
            return EXACT_HALF
        return mode

    def new_state(self, n_items, rng, counts=None):
        """A fresh memory for ``n_items`` items (protocol state record).

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator
            Child ``PERMANENT_NOISE_SEED`` of its seed draws the permanent noise.
        counts : array of int, optional
            Presentations each item will get, when known (sizes the history once).

        Returns
        -------
        tuple of numpy arrays
            See :mod:`simulator.models.actr._model_kernels`.
        """
        if self.max_association > 0:
            raise ValueError("spreading activation (max_association > 0) needs a stream's "
                             "contexts: it runs only in simulator.run")
        mode = self._mode()
        permanent = self._permanent_noise(n_items, rng)
        multiscale = mode == APPROXIMATIONS.index("multiscale")
        if counts is None:
            counts = np.zeros(n_items, np.int64)
        counts = np.asarray(counts, np.int64)
        start = np.zeros(n_items + 1, np.int64)
        np.cumsum(counts, out=start[1:])
        n_history = 0 if multiscale else int(start[-1])
        has_decays = mode != EXACT_HALF
        hist_t = np.empty(n_history)
        return (start, start[:n_items].copy(), counts.copy(), hist_t,
                np.empty(n_history if has_decays else 0), np.full(n_items, np.nan),
                np.zeros((n_items if multiscale else 0, MS_ROW)),
                base_level_coefficients(self).copy(),
                np.empty(MS_SCRATCH if multiscale else 0), permanent,
                np.array([np.nan, 0.0, -1.0, np.nan, np.nan]), np.array([start[-1]], np.int64))

    def prepare(self, stream, rng):
        """A memory sized for ``stream``'s presentations (see :meth:`new_state`)."""
        start, _ = presentation_slots(stream.item, stream.n_items)
        return self.new_state(stream.n_items, rng, np.diff(start))

    def _permanent_noise(self, n_items, rng):
        """Each item's permanent logistic noise, from the first child of ``rng``.

        A child seed: permanent noise never shifts the per-event recall draws.
        """
        noise_rng = generator(child(rng.bit_generator.seed_seq, PERMANENT_NOISE_SEED))
        if self.permanent_noise > 0:
            return noise_rng.logistic(0.0, self.permanent_noise, n_items)
        return np.zeros(n_items)

    def simulate(self, stream, rng, probe_times):
        """Run ACT-R's tuned loop over ``stream``; returns the per-event arrays by name.

        Agrees with the protocol's generic loop (:meth:`MemoryModel.simulate`).
        ``probe_recall[probe, item]`` is each item's recall probability at each
        probe time (probes never count as presentations).

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator
        probe_times : numpy.ndarray

        Returns
        -------
        dict of numpy arrays
        """
        out, k = self._base_level(stream, rng, probe_times)
        # A = B + permanent noise + spreading
        activation = out["activation"]
        if self.permanent_noise > 0:
            activation += k["permanent"][stream.item]
        if len(k["spread"]):
            activation += k["spread"]
        p_recall, recalled, latency = retrieve(
            activation, self.threshold, self.noise, self.latency_factor,
            self.latency_exponent, rng)
        return {"activation": activation, "p_recall": p_recall, "recalled": recalled,
                "latency": latency, "lag": out["lag"], "n_prior": out["n_prior"],
                "probe_recall": out["probe_recall"]}

    def recall_probabilities(self, stream, rng):
        """The recall probability before every event, whatever the answers (no draws).

        ACT-R's memory does not read the answers, so this is :func:`simulator.predict`'s
        ``p_recall`` on an observed log; review-log fits evaluate it many times.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator
            Its seed's child draws the permanent noise.

        Returns
        -------
        numpy.ndarray
        """
        out, k = self._base_level(stream, rng, np.empty(0))
        activation = out["activation"]
        if self.permanent_noise > 0:
            activation += k["permanent"][stream.item]
        if len(k["spread"]):
            activation += k["spread"]
        recall_probabilities(activation, self.threshold, self.noise, activation)
        return activation

    def _base_level(self, stream, rng, probe_times):
        """The sequential part of a run: the base level ``B`` before every event.

        Returns the kernel's arrays by name (``activation`` holds ``B``; ``lag``,
        ``n_prior``, ``probe_recall``) and its inputs (:meth:`_kernel_inputs`).
        """
        n = len(stream)
        out = {
            "activation": np.empty(n),
            "lag": np.empty(n),
            "n_prior": np.empty(n, np.int64),
            "probe_recall": np.zeros((len(probe_times), stream.n_items)),
        }
        k = self._kernel_inputs(stream, rng)
        mode = k["mode"]
        if mode == EXACT and self.decay == 0.5 and self.spacing_scale == 0:
            mode = EXACT_HALF
        RUN_ACTR[mode](
            run_events(stream, k["clock"]), self._run_params(), (k["permanent"], k["weights"]),
            (out["activation"], out["lag"], out["n_prior"]),
            (probe_times, self.psychological_time(stream.time, probe_times),
             out["probe_recall"]))
        # the kernel wrote the base-level strength exp(B)
        with np.errstate(divide="ignore"):  # ln 0 = -inf before an item's first presentation
            np.log(out["activation"], out=out["activation"])
        return out, k

    def _run_params(self):
        """The run loop's parameter record (:func:`simulator.models.actr._kernels._run_actr`)."""
        return (float(self.decay), int(self.hybrid_k), self.effective_age_floor(),
                float(self.spacing_scale), float(self.spacing_intercept), float(self.threshold),
                float(self.noise), bool(self.test_is_presentation))

    def _kernel_inputs(self, stream, rng):
        """Arrays the kernels need besides the stream: clock, noise, contexts, weights."""
        if self.max_association > 0 and stream.context is None:
            raise ValueError("max_association > 0 needs a stream with a context array "
                             "(EventStream(..., context=...))")
        inputs = {"mode": APPROXIMATIONS.index(self.approximation),
                  "clock": self.psychological_time(stream.time),
                  "permanent": self._permanent_noise(stream.n_items, rng)}
        inputs["spread"] = np.empty(0)
        if self.max_association > 0:
            members = context_members(stream)
            if self.spreading == "normalized":
                inputs["spread"] = normalized_context_spreading(
                    stream.item, stream.n_items, members["context"],
                    members["first_in_context"], members["member_start"],
                    members["member_items"], self.max_association, self.source_activation,
                    int(self.hops))
            else:
                inputs["spread"] = context_spreading(
                    stream.item, stream.n_items, members["context"],
                    members["first_in_context"], members["member_start"],
                    members["member_items"], self.max_association, self.source_activation)
        inputs["weights"] = base_level_coefficients(self)
        return inputs

    def population_model(self):
        """This model without its permanent noise (which a scheduler cannot know).

        Returns
        -------
        ACTR
        """
        return dataclasses.replace(self, permanent_noise=0.0)

    def items_independent(self):
        """True unless psychological time (``intersession_scale != 1``, a clock shared by
        every item) or spreading activation couples the items.

        Returns
        -------
        bool
        """
        return self.intersession_scale == 1.0 and self.max_association == 0

    def state_is_random(self):
        """Only the permanent noise is drawn when a state is made.

        Returns
        -------
        bool
        """
        return self.permanent_noise > 0.0

    def rank_needs(self, stream, rng):
        """Rank the items met so far by activation before each event (see
        :meth:`simulator.MemoryModel.rank_needs`): base level, spreading from the
        event's context, permanent noise; frequency and recency beside it.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator

        Returns
        -------
        ranks, n_candidates : numpy.ndarray
        """
        from simulator._need_kernels import need_ranks
        inputs = self._kernel_inputs(stream, rng)
        members = context_members(stream)
        n = len(stream)
        ranks = np.empty((3, n))
        n_candidates = np.empty(n, np.int64)
        need_ranks((inputs["clock"], stream.item, stream.kind, int(stream.n_items)),
                   (inputs["mode"], float(self.decay), int(self.hybrid_k),
                    self.effective_age_floor(), float(self.spacing_scale),
                    float(self.spacing_intercept), bool(self.test_is_presentation)),
                   (inputs["permanent"], inputs["weights"]),
                   (float(self.max_association), float(self.source_activation),
                    members["context"], members["first_in_context"], members["member_start"],
                    members["member_items"], self.spreading == "normalized", int(self.hops)),
                   (ranks, n_candidates))
        return ranks, n_candidates

    def psychological_time(self, time, at=None):
        """Pavlik & Anderson's psychological time of the stream's event ``time``.

        A gap between consecutive events longer than ``session_gap`` is between
        sessions and counts ``intersession_scale`` times its length. With ``at``
        (e.g. probe times): each such time's clock, by the same rule applied to
        its gap from the last event at or before it.
        """
        time = np.asarray(time, np.float64)
        if self.intersession_scale == 1.0:  # clock time: no copy (long streams)
            return time if at is None else np.asarray(at, np.float64)
        at = np.empty(0) if at is None else np.asarray(at, np.float64)
        out = np.empty(len(at) if len(at) else len(time))
        protocol_kernels.psychological_times(time, at, float(self.session_gap),
                                             float(self.intersession_scale), out)
        return out


def run_events(stream, clock):
    """The run loop's event record ``(time, clock, item, kind, n_items)``."""
    return stream.time, clock, stream.item, stream.kind, int(stream.n_items)


def base_level_coefficients(agent):
    """Multiscale coefficients of ``agent``'s decay (empty unless it is multiscale)."""
    if agent.approximation == "multiscale":
        return multiscale_coefficients(agent.decay)
    return np.empty(0)


RETRIEVAL_BLOCK = 1 << 14
"""Events per block of :func:`retrieve`: its work arrays stay in the L1/L2 cache."""


def retrieve(activation, threshold, noise, latency_factor, latency_exponent, rng):
    """One retrieval attempt per activation, with transient logistic noise.

    Returns ``(p_recall, recalled, latency)`` (ACT-R 7 reference manual,
    declarative module): ``p = 1 / (1 + exp(-(A - threshold) / noise))`` is the
    probability that ``A + eps`` exceeds the threshold when ``eps`` is logistic
    with scale ``noise`` (a step at the threshold when ``noise == 0``: 1 above,
    1/2 at, 0 below). One uniform ``u`` per event from ``rng``, in event order,
    decides the attempt: ``u`` is the upper-tail probability of ``eps``, so
    ``recalled = u < p`` and ``eps = noise * ln((1 - u) / u)``. Latency is
    ``latency_factor * exp(-latency_exponent * (A + eps))`` on success and
    ``latency_factor * exp(-latency_exponent * threshold)`` on failure: both are
    ``latency_factor * exp(-latency_exponent * max(A + eps, threshold))``.
    Array work in place, block by block (no temporaries the size of the stream).
    """
    n = len(activation)
    p_recall = np.empty(n)
    recalled = np.empty(n, np.bool_)
    latency = np.empty(n)
    u = np.empty(min(n, RETRIEVAL_BLOCK))
    with np.errstate(over="ignore"):  # exp(margin) overflows to inf where p is 0
        for lo in range(0, n, RETRIEVAL_BLOCK):
            hi = min(lo + RETRIEVAL_BLOCK, n)
            a, p, ok, x, ub = (activation[lo:hi], p_recall[lo:hi], recalled[lo:hi],
                               latency[lo:hi], u[:hi - lo])
            rng.random(out=ub)
            if noise > 0:
                # p = 1 / (1 + exp((threshold - A) / noise)); eps = noise * ln((1 - u) / u)
                logistic_margin(a, threshold, noise, p)
                np.exp(p, out=p)
                logistic_draw(ub, p, ok, x)
                np.log(x, out=x)
                # x = -f * max(A + eps, threshold): A + eps > threshold exactly where
                # u < p, so it is the threshold on every failure
                latency_argument(a, x, threshold, noise, latency_exponent)
            else:
                np.greater(a, threshold, out=p, casting="unsafe")
                p[a == threshold] = 0.5
                np.less(ub, p, out=ok)
                np.maximum(a, threshold, out=x)
                x *= -latency_exponent
            np.exp(x, out=x)
            x *= latency_factor
    return p_recall, recalled, latency


def context_members(stream):
    """Per-context member lists for spreading activation (CSR over contexts).

    ``context`` (remapped to 0..n_contexts-1; all empty when the stream has none),
    ``first_in_context`` (the event is its item's first in its context), and
    ``member_items[member_start[c]:member_start[c+1]]``: context c's distinct
    items in order of first appearance.
    """
    if stream.context is None:
        return _no_context()
    _, context = np.unique(stream.context, return_inverse=True)
    context = context.astype(np.int64)
    n_contexts = int(context.max()) + 1
    _, first = np.unique(context * stream.n_items + stream.item, return_index=True)
    first_in_context = np.zeros(len(stream), np.bool_)
    first_in_context[first] = True
    order = first[np.lexsort((first, context[first]))]
    member_start = np.zeros(n_contexts + 1, np.int64)
    member_start[1:] = np.cumsum(np.bincount(context[first], minlength=n_contexts))
    return {"context": context, "first_in_context": first_in_context,
            "member_start": member_start, "member_items": stream.item[order]}


def _no_context():
    return {"context": np.empty(0, np.int64), "first_in_context": np.empty(0, np.bool_),
            "member_start": np.zeros(1, np.int64), "member_items": np.empty(0, np.int64)}
