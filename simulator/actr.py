"""ACT-R declarative memory: base-level learning, retrieval probability, latency."""
import dataclasses

import numpy as np

from ._actr_kernels import run_actr_exact
from ._params import parameter, validate


@dataclasses.dataclass(frozen=True)
class ACTR:
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

    Parameters
    ----------
    decay : float
        Base-level decay ``d``, in (0, 1); ACT-R's conventional value is 0.5.
    threshold : float
        Retrieval threshold ``tau``.
    noise : float
        Scale ``s`` of the transient logistic activation noise, >= 0 (0: recall is
        a step at the threshold).
    latency_factor : float
        ``F`` in seconds, >= 0.
    latency_exponent : float
        ``f``, >= 0.
    age_floor : float
        Smallest age in seconds a presentation can have, > 0 (0.05 in ACT-R).
    test_is_presentation : bool
        Whether a TEST event also counts as a presentation (True in ACT-R: a
        retrieval strengthens the chunk).
    """

    decay: float = parameter(0.5, low=0.0, high=1.0, low_open=True, high_open=True,
                             doc="base-level decay d")
    threshold: float = parameter(0.0, doc="retrieval threshold tau")
    noise: float = parameter(0.25, low=0.0, doc="transient activation noise s")
    latency_factor: float = parameter(1.0, low=0.0, units="s", doc="latency factor F")
    latency_exponent: float = parameter(1.0, low=0.0, doc="latency exponent f")
    age_floor: float = parameter(0.05, low=0.0, low_open=True, units="s",
                                 doc="smallest age of a presentation")
    test_is_presentation: bool = parameter(True, choices=(True, False),
                                           doc="a TEST event also counts as a presentation")

    def __post_init__(self):
        validate(self)

    def _simulate(self, stream, rng, probe_times):
        """Run the kernel over ``stream``; returns the per-event arrays by name.

        ``probe_recall[probe, item]`` is each item's recall probability at each
        probe time (probes never count as presentations).
        """
        n = len(stream)
        out = {
            "activation": np.empty(n),
            "p_recall": np.empty(n),
            "recalled": np.empty(n, np.bool_),
            "latency": np.empty(n),
            "lag": np.empty(n),
            "n_prior": np.empty(n, np.int64),
            "probe_recall": np.zeros((len(probe_times), stream.n_items)),
        }
        run_actr_exact(stream.time, stream.item, stream.kind, stream.n_items, self.decay,
                       self.threshold, self.noise, self.latency_factor,
                       self.latency_exponent, self.age_floor, self.test_is_presentation,
                       rng, out["activation"], out["p_recall"], out["recalled"],
                       out["latency"], out["lag"], out["n_prior"], probe_times,
                       out["probe_recall"])
        return out
