"""FSRS-6: the Free Spaced Repetition Scheduler's memory model."""
import dataclasses
import math
from typing import ClassVar

import numpy as np

from environments.params import parameter, validate
from simulator.models.fsrs import _kernels
from simulator.protocol import MemoryModel, PerItemMemory, model_kernels

N_WEIGHTS = 21


@dataclasses.dataclass(frozen=True)
class FSRS(PerItemMemory, MemoryModel):
    """FSRS-6 (Ye, Su & Cao 2022; the FSRS-6 algorithm, 2025) as a memory model.

    Each item has a stability ``S`` (days until retrievability falls to 0.9), a
    difficulty ``D`` in [1, 10] and the time of its last review. Retrievability
    after ``t`` whole days is ``R = (1 + factor t / S) ** -w20`` with ``factor =
    0.9 ** (-1 / w20) - 1``. A review with grade ``G`` (1 Again, 2 Hard, 3 Good,
    4 Easy) sets, at the first review, ``S0 = w[G-1]`` and ``D0 = w4 - e^(w5 (G-1))
    + 1``; on the same day as the last review the short-term stability ``S
    e^(w17 (G - 3 + w18)) S^-w19``; later, after a success ``S (1 + e^w8 (11 - D)
    S^-w9 (e^(w10 (1 - R)) - 1) w15[Hard] w16[Easy])`` and after a lapse ``min(w11
    D^-w12 ((S + 1)^w13 - 1) e^(w14 (1 - R)), S / e^(w17 w18))``; then ``D`` moves by
    ``-w6 (G - 3)`` damped by ``(10 - D) / 9`` and reverts to ``D0(Easy)`` by ``w7``.
    Clamps as the reference scheduler (py-fsrs 6): ``S >= 0.001``, ``1 <= D <= 10``.
    The states agree with py-fsrs 6.3.2 (learning and relearning steps off, no
    fuzz) to 1e-9.

    Events: the observed rating is the grade; without one, a study counts as
    ``study_rating`` and an answer as Good (recalled) or Again. A simulated
    answer is drawn from ``R`` and rated Hard/Good/Easy with ``hard_prob``,
    ``1 - hard_prob - easy_prob``, ``easy_prob`` when recalled (the FSRS
    simulator's defaults), Again when not.

    Parameters
    ----------
    parameters : sequence of 21 floats, optional
        The weights ``w0..w20`` at once (e.g. from the FSRS optimizer); or give
        them one by one as ``w0=...``; default the FSRS-6 defaults.
    w0, ..., w20 : float
        Each within the reference scheduler's bounds.
    study_rating : int
        Grade of an event with no answer (1-4).
    hard_prob, easy_prob : float
        Rating probabilities of a simulated recall; their sum <= 1.
    calendar_days : bool
        Count the days elapsed since the last review as the day boundaries
        (multiples of 86400 s) crossed, as Anki and the FSRS simulator count them,
        instead of whole 24-hour periods as py-fsrs does (default). A simulated
        schedule whose sessions start each day at the day boundary reviews an item
        a whole number of days later whatever its place in the session.
    """

    w0: float = parameter(0.212, low=0.001, high=100.0, units="day",
                          doc="initial stability after Again")
    w1: float = parameter(1.2931, low=0.001, high=100.0, units="day",
                          doc="initial stability after Hard")
    w2: float = parameter(2.3065, low=0.001, high=100.0, units="day",
                          doc="initial stability after Good")
    w3: float = parameter(8.2956, low=0.001, high=100.0, units="day",
                          doc="initial stability after Easy")
    w4: float = parameter(6.4133, low=1.0, high=10.0, units="1",
                          doc="initial difficulty after Good-ish (D0 offset)")
    w5: float = parameter(0.8334, low=0.001, high=4.0, units="1",
                          doc="initial difficulty slope in the grade")
    w6: float = parameter(3.0194, low=0.001, high=4.0, units="1",
                          doc="difficulty change per grade")
    w7: float = parameter(0.001, low=0.001, high=0.75, units="1",
                          doc="mean reversion of difficulty")
    w8: float = parameter(1.8722, low=0.0, high=4.5, units="1",
                          doc="recall stability: scale (e^w8)")
    w9: float = parameter(0.1666, low=0.0, high=0.8, units="1",
                          doc="recall stability: exponent of S")
    w10: float = parameter(0.796, low=0.001, high=3.5, units="1",
                           doc="recall stability: growth with 1 - R")
    w11: float = parameter(1.4835, low=0.001, high=5.0, units="1",
                           doc="lapse stability: scale")
    w12: float = parameter(0.0614, low=0.001, high=0.25, units="1",
                           doc="lapse stability: exponent of D")
    w13: float = parameter(0.2629, low=0.001, high=0.9, units="1",
                           doc="lapse stability: exponent of S + 1")
    w14: float = parameter(1.6483, low=0.0, high=4.0, units="1",
                           doc="lapse stability: growth with 1 - R")
    w15: float = parameter(0.6014, low=0.0, high=1.0, units="1",
                           doc="Hard penalty")
    w16: float = parameter(1.8729, low=1.0, high=6.0, units="1",
                           doc="Easy bonus")
    w17: float = parameter(0.5425, low=0.0, high=2.0, units="1",
                           doc="short-term stability: scale")
    w18: float = parameter(0.0912, low=0.0, high=2.0, units="1",
                           doc="short-term stability: offset")
    w19: float = parameter(0.0658, low=0.0, high=0.8, units="1",
                           doc="short-term stability: exponent of S")
    w20: float = parameter(0.1542, low=0.1, high=0.8, units="1",
                           doc="forgetting-curve decay")
    study_rating: int = parameter(3, low=1, high=4, integer=True,
                                  doc="grade of a study with no answer")
    hard_prob: float = parameter(0.224, low=0.0, high=1.0,
                                 doc="probability of Hard given a simulated recall")
    easy_prob: float = parameter(0.145, low=0.0, high=1.0,
                                 doc="probability of Easy given a simulated recall")
    calendar_days: bool = parameter(False, choices=(False, True),
                                    doc="count elapsed days as day boundaries crossed "
                                        "(Anki) instead of whole 24-hour periods (py-fsrs)")
    parameters: dataclasses.InitVar[tuple] = None

    fixed_state: ClassVar[bool] = True
    """The state arrays never grow: ``learn`` updates them in place."""
    kernels = model_kernels(predict=_kernels.predict, learn=_kernels.learn,
                            observe=_kernels.observe, rate=_kernels.rate,
                            retention_time=_kernels.retention_time)
    state_variables: ClassVar[dict] = {
        "stability": {"long_name": "FSRS stability", "units": "day"},
        "difficulty": {"long_name": "FSRS difficulty", "units": "1"},
        "retrievability": {"long_name": "FSRS retrievability", "units": "1"},
    }

    def __post_init__(self, parameters):
        if parameters is not None:
            try:
                weights = np.asarray(parameters, np.float64).reshape(-1)
            except (TypeError, ValueError):
                raise ValueError(f"parameters must be {N_WEIGHTS} numbers (FSRS-6 weights), "
                                 f"got {parameters!r}") from None
            if len(weights) != N_WEIGHTS:
                raise ValueError(f"parameters must be {N_WEIGHTS} numbers (FSRS-6 weights "
                                 f"w0..w20), got {len(weights)}")
            for k, value in enumerate(weights):
                object.__setattr__(self, f"w{k}", float(value))
        validate(self)
        if self.hard_prob + self.easy_prob > 1.0:
            raise ValueError(f"hard_prob + easy_prob must be <= 1, got "
                             f"{self.hard_prob} + {self.easy_prob}")

    @property
    def weights(self):
        """The 21 weights ``(w0, ..., w20)``."""
        return tuple(getattr(self, f"w{k}") for k in range(N_WEIGHTS))

    @property
    def factor(self):
        """``0.9 ** (-1 / w20) - 1``: makes ``R(t = S) = 0.9``."""
        return 0.9 ** (1.0 / -self.w20) - 1.0

    def kernel_params(self):
        """``(w, decay, factor, study_rating, hard_prob, easy_prob, calendar_days,
        constants)`` for the kernels; ``constants = (e^w8, D0(Easy), e^(w17 w18))``."""
        w = np.array(self.weights)
        constants = np.array([math.exp(w[8]), w[4] - math.exp(3.0 * w[5]) + 1.0,
                              math.exp(w[17] * w[18])])
        return (w, -self.w20, self.factor, int(self.study_rating), float(self.hard_prob),
                float(self.easy_prob), bool(self.calendar_days), constants)

    def new_state(self, n_items, rng):
        """Stability, difficulty (NaN before the first review) and last review time.

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator
            Unused: a fresh FSRS memory is not random.

        Returns
        -------
        tuple of numpy arrays
        """
        return (np.full(n_items, np.nan), np.full(n_items, np.nan), np.full(n_items, np.nan))

    def next_interval(self, stability, target=0.9, maximum_interval=36500):
        """FSRS's next interval (whole days) for a stability and a retention target.

        Parameters
        ----------
        stability : float
            Days, > 0.
        target : float
            Desired retention, in (0, 1).
        maximum_interval : int
            Days, >= 1.

        Returns
        -------
        float
            ``round(S / factor (target^(-1/w20) - 1))`` within ``[1, maximum_interval]``.
        """
        return float(_kernels.next_interval(self.kernel_params(), float(stability),
                                            float(target), float(maximum_interval)))
