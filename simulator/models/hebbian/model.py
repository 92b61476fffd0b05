"""Hebbian associative memory: Hopfield and palimpsest networks as memory agents."""
import dataclasses

import numpy as np
from threadpoolctl import threadpool_limits

from environments.seeding import child, generator

from simulator.models.hebbian._kernels import run_hebbian
from environments.params import parameter, validate
from simulator.models.hebbian import _model_kernels as protocol_kernels
from simulator.protocol import MemoryModel, model_kernels

PATTERN_SEED, EVENT_CUE_SEED, PROBE_CUE_SEED = 0, 1, 2
"""Children of the run's SeedSequence: items' patterns, event cues, probe cues."""


@dataclasses.dataclass(frozen=True)
class Hebbian(MemoryModel):
    """A Hopfield network (Hopfield 1982) storing one random pattern per item.

    Each item is a random pattern over ``n_units`` units, drawn from the run's
    seed: +-1 with equal odds (``coding="dense"``) or 0/1 with exactly
    ``K = round(sparsity * n_units)`` active units (``"sparse"``, activity
    ``a = K / n_units``).

    **Study** stores the pattern ``xi`` by the Hebbian outer-product rule on its
    coding ``u`` (``u = xi``; the covariance rule ``u = xi - a`` for sparse
    patterns, Tsodyks & Feigelman 1988):

        ``W <- (1 - weight_decay) W + (learning_rate / norm) u u^T``, ``W_ii = 0``

    with ``norm = N`` (dense) or ``N a (1 - a)`` (sparse), then, with a
    ``weight_bound``, every weight is clipped to ``+-weight_bound * learning_rate
    / norm`` (Parisi 1986, learning within bounds). Plain Hebbian storage
    collapses past ``P ~ 0.138 N`` patterns (Amit, Gutfreund & Sompolinsky
    1985); decay or bounds make a palimpsest that keeps the most recent
    patterns and forgets the oldest (Nadal, Toulouse, Changeux & Dehaene 1986).

    **Test** cues the network with the item's pattern corrupted by
    ``cue_noise`` (dense: ``round(cue_noise * N)`` units flipped; sparse:
    ``round(cue_noise * min(K, N - K))`` active units silenced and as many
    inactive ones switched on) and runs the dynamics ``s_i <- step(h_i -
    theta)``, ``h = W s`` (``theta = 0`` and states +-1 for dense;
    ``theta = learning_rate (1/2 - a)`` and states 0/1 for sparse, midway
    between the fields of a stored pattern's active and silent units; a unit on
    its threshold keeps its state) to a fixed point or ``max_sweeps`` sweeps.
    The weights are kept in units of one pattern's increment (``learning_rate``
    only scales them, so any rate gives the same outputs): for +-1 patterns
    stored by the plain rule (no decay, no bound) every weight and every field is
    an integer, and the tie rule is exact while ``n_units`` times the number of
    presentations stays below ``2**24`` (float32 integers); elsewhere ties are
    decided at float32 resolution.
    Per test event:

    - ``overlap``: ``m = u . s / norm`` between the stored pattern and the
      recalled state (1 for perfect recall; ~0 for an unrelated state);
    - ``recalled``: ``overlap >= recall_threshold``;
    - ``p_recall``: the network is deterministic given a cue, so the chance
      of recall is over cues: the event draws ``n_cues`` independent cues, its
      answer (``overlap``, ``recalled``, ``sweeps``) is the first cue's, and
      ``p_recall`` is the fraction of the ``n_cues`` cues recalled (0 or 1 for
      one cue);
    - ``familiarity``: recognition without recall, the negative Hopfield energy
      of the clean coding normalised, ``u^T W u / (learning_rate * norm)``:
      1 for the only stored pattern, 0 on average for a new one, and
      decaying with the pattern's age in a palimpsest.

    STUDY events do not recall: their ``overlap``, ``p_recall`` and
    ``familiarity`` are NaN and ``recalled`` is False (use
    ``retention_curve(..., kind="test")``). Probes (``simulator.run(...,
    probe_times=...)``) recall every item presented so far and score the
    familiarity of every item without learning, giving ``probe_accuracy``,
    ``probe_overlap`` and ``probe_familiarity`` (dims ``probe``, ``task``).

    Parameters
    ----------
    n_units : int
        Number of units N, >= 2.
    coding : {"dense", "sparse"}
        +-1 patterns with the Hebb rule, or 0/1 patterns with the covariance rule.
    sparsity : float
        Fraction of active units of a sparse pattern, in (0, 1) (only used
        with ``coding="sparse"``).
    learning_rate : float
        Scale of one pattern's weight increment, > 0.
    weight_bound : float or None
        Bound on ``|W_ij|`` in units of one pattern's increment
        ``learning_rate / norm``, > 0; None for unbounded weights.
    weight_decay : float
        Fraction by which every weight shrinks before a new pattern is
        stored, in [0, 1).
    dynamics : {"async", "sync"}
        Asynchronous updates (one unit at a time, a fresh random order each
        sweep) or synchronous (all units at once).
    max_sweeps : int
        Most sweeps of the dynamics per cue, >= 1.
    cue_noise : float
        Fraction of the pattern corrupted in a cue, in [0, 0.5].
    recall_threshold : float
        Overlap that counts as recall, in (0, 1].
    n_cues : int
        Independent cues per test (and per item at a probe), >= 1.
    test_is_presentation : bool
        Whether a TEST event also stores the item's pattern (after the
        recall). False by default: a Hopfield network retrieves by relaxation
        and learns only when a pattern is presented.
    """

    n_units: int = parameter(1000, low=2, integer=True, doc="number of units N")
    coding: str = parameter("dense", choices=("dense", "sparse"),
                            doc="+-1 patterns (Hebb rule) or 0/1 patterns (covariance rule)")
    sparsity: float = parameter(0.1, low=0.0, high=1.0, low_open=True, high_open=True,
                                doc="fraction of active units of a sparse pattern")
    learning_rate: float = parameter(1.0, low=0.0, low_open=True,
                                     doc="scale of one pattern's weight increment")
    weight_bound: float = parameter(None, low=0.0, low_open=True, optional=True,
                                    doc="bound on |W_ij| in units of one pattern's increment")
    weight_decay: float = parameter(0.0, low=0.0, high=1.0, high_open=True,
                                    doc="fraction by which weights shrink per stored pattern")
    dynamics: str = parameter("async", choices=("async", "sync"),
                              doc="asynchronous or synchronous updates")
    max_sweeps: int = parameter(20, low=1, integer=True, doc="most sweeps of the dynamics")
    cue_noise: float = parameter(0.1, low=0.0, high=0.5,
                                 doc="fraction of the pattern corrupted in a cue")
    recall_threshold: float = parameter(0.9, low=0.0, high=1.0, low_open=True,
                                        doc="overlap that counts as recall")
    n_cues: int = parameter(1, low=1, integer=True, doc="independent cues per test")
    test_is_presentation: bool = parameter(False, choices=(True, False),
                                           doc="a TEST event also stores the pattern")

    def __post_init__(self):
        validate(self)
        if self.coding == "sparse" and not 1 <= self.n_active <= self.n_units - 1:
            raise ValueError(f"sparsity must leave round(sparsity * n_units) in "
                             f"1..{self.n_units - 1} active units, got {self.sparsity!r} "
                             f"({self.n_active} of {self.n_units})")

    @property
    def n_active(self):
        """Active units of a sparse pattern, ``round(sparsity * n_units)``."""
        return int(round(self.sparsity * self.n_units))

    @property
    def activity(self):
        """Coding offset ``a``: the fraction of active units (0 for dense patterns)."""
        return self.n_active / self.n_units if self.coding == "sparse" else 0.0

    @property
    def norm(self):
        """``|u|^2`` of every pattern's coding: ``N`` (dense) or ``N a (1 - a)`` (sparse)."""
        a = self.activity
        return self.n_units * a * (1.0 - a) if self.coding == "sparse" else float(self.n_units)

    @property
    def n_corrupted(self):
        """Units flipped (dense), or active units moved (sparse), in a cue."""
        pool = (min(self.n_active, self.n_units - self.n_active) if self.coding == "sparse"
                else self.n_units)
        return int(round(self.cue_noise * pool))

    def patterns(self, n_items, seed_seq):
        """The items' patterns (int8, ``(n_items, n_units)``) for a run's SeedSequence.

        Drawn from the run's ``PATTERN_SEED`` child, so the same seed gives the
        same network whatever else the run draws.
        """
        rng = generator(child(seed_seq, PATTERN_SEED))
        if self.coding == "dense":
            return (2 * rng.integers(0, 2, (n_items, self.n_units), dtype=np.int8) - 1)
        template = np.zeros((n_items, self.n_units), np.int8)
        template[:, :self.n_active] = 1
        return rng.permuted(template, axis=1)

    kernels = model_kernels(predict=protocol_kernels.predict,
                            learn=protocol_kernels.learn_event,
                            observe=protocol_kernels.observe)
    state_variables = {"familiarity": {"long_name": "familiarity", "units": "1"}}

    def kernel_params(self):
        """``(coding, dynamics, scores)`` records for the kernels (see
        :mod:`simulator.models.hebbian._model_kernels`).

        Returns
        -------
        tuple
        """
        sparse = self.coding == "sparse"
        bound = np.inf if self.weight_bound is None else self.weight_bound
        f64 = np.float64
        # The kernels keep W in units of one pattern's increment, learning_rate / norm:
        # their rate slot gets norm (rate = norm / norm = 1), the threshold and the
        # bound are in those units, and familiarity u^T W u / (learning_rate * norm)
        # becomes u^T W u / norm**2. learning_rate is a positive scale of W, which the
        # dynamics and the normalised familiarity never see, so no learning rate can
        # overflow or underflow the float32 weights; +-1 patterns stored by the plain
        # rule leave integer weights and integer fields (the tie rule is exact).
        coding = (sparse, f64(self.activity), f64(self.norm), f64(self.norm),
                  f64(self.weight_decay), f64(bound))
        dynamics = (f64(self.norm * (0.5 - self.activity)) if sparse else f64(0.0),
                    f64(0.0) if sparse else f64(-1.0), f64(1.0), self.dynamics == "async",
                    int(self.max_sweeps), int(self.n_corrupted), int(self.n_cues))
        return coding, dynamics, (f64(self.recall_threshold), bool(self.test_is_presentation))

    def state_bytes(self, n_items):
        """The float32 weights (``N**2``), the int8 patterns (``n_items * N``), the cue
        blocks and the matrix products' buffers.

        Parameters
        ----------
        n_items : int

        Returns
        -------
        int
        """
        n = int(self.n_units)
        return 4 * n * n * 2 + int(n_items) * (n + 64) + 3 * 256 * n * 8

    def new_state(self, n_items, rng):
        """An empty network over ``n_items`` random patterns (drawn from ``rng``'s seed).

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator
            Its seed sequence's children draw the patterns and the cues, as in
            :func:`simulator.run`.

        Returns
        -------
        tuple
            ``(weights, patterns, count, cue generator)``.
        """
        seed_seq = rng.bit_generator.seed_seq
        return (np.zeros((self.n_units, self.n_units), np.float32),
                self.patterns(n_items, seed_seq), np.zeros(n_items, np.int64),
                generator(child(seed_seq, EVENT_CUE_SEED)))

    def simulate(self, stream, rng, probe_times):
        """Run the network's batched loop over ``stream``; the per-event and probe arrays.

        Parameters
        ----------
        stream : environments.EventStream
        rng : numpy.random.Generator
        probe_times : numpy.ndarray

        Returns
        -------
        dict of numpy arrays
        """
        seed_seq = rng.bit_generator.seed_seq
        patterns = self.patterns(stream.n_items, seed_seq)
        n, n_probes = len(stream), len(probe_times)
        out = {
            "overlap": np.empty(n),
            "p_recall": np.empty(n),
            "recalled": np.empty(n, np.bool_),
            "familiarity": np.empty(n),
            "sweeps": np.empty(n, np.int64),
            "lag": np.empty(n),
            "n_prior": np.empty(n, np.int64),
            "probe_recall": np.zeros((n_probes, stream.n_items)),
            "probe_overlap": np.zeros((n_probes, stream.n_items)),
            "probe_familiarity": np.zeros((n_probes, stream.n_items)),
        }
        # the kernel makes many small matrix products: BLAS threads would only add
        # synchronisation (runs are parallelised across processes instead)
        with threadpool_limits(limits=1, user_api="blas"):
            self._run_kernel(stream, probe_times, patterns, seed_seq, out)
        return out

    def _run_kernel(self, stream, probe_times, patterns, seed_seq, out):
        """Call the jitted kernel with the parameters in its terms, writing into ``out``."""
        run_hebbian((stream.time, stream.item, stream.kind), patterns, self.kernel_params(),
                    (generator(child(seed_seq, EVENT_CUE_SEED)),
                     generator(child(seed_seq, PROBE_CUE_SEED))), probe_times,
                    (out["overlap"], out["p_recall"], out["recalled"], out["familiarity"],
                     out["sweeps"], out["lag"], out["n_prior"]),
                    (out["probe_recall"], out["probe_overlap"], out["probe_familiarity"]))

