"""Ebisu: a Bayesian Beta prior on recall, updated by each quiz."""
import dataclasses
from typing import ClassVar

from environments.params import parameter, validate
from simulator.models.ebisu import _kernels
from simulator.protocol import MemoryModel, PerItemMemory, model_kernels


@dataclasses.dataclass(frozen=True)
class Ebisu(PerItemMemory, MemoryModel):
    """Ebisu (Fasih, ebisu 2.x): recall ``t`` days after a review is Beta(alpha, beta).

    A new item's prior is Beta(``alpha``, ``beta``) on its recall probability
    ``half_life`` days after its first study. Expected recall ``t_now`` days after
    the last review is ``B(alpha + t_now / t, beta) / B(alpha, beta)`` (recall
    decays exponentially, ``p_t ** (t_now / t)``, with an uncertain rate). A quiz
    answer updates the prior exactly by Bayes' rule; the posterior is moved to
    the time its mean is 1/2 and moment-matched by a new Beta (ebisu's
    ``updateRecall`` with ``total = 1`` and rebalancing). A study of a known item
    changes nothing (ebisu updates at quizzes only), nor does a quiz at the very
    time of the last. Agrees with the ``ebisu`` package 2.2.0 to 1e-9.

    Parameters
    ----------
    half_life : float
        Days after a study at which the prior is placed, in [1e-6, 1e8] (shorter or
        longer make the prior's Beta-function ratios lose every digit).
    alpha, beta : float
        The prior's Beta parameters (>= 1.01 each: ebisu's moment matching needs a
        mean and variance, and very flat priors make its update ill-conditioned).
    """

    half_life: float = parameter(1.0, low=1e-6, high=1e8, units="day",
                                 doc="when the new-item prior applies")
    alpha: float = parameter(3.0, low=1.01, high=1e4, doc="Beta prior alpha")
    beta: float = parameter(3.0, low=1.01, high=1e4, doc="Beta prior beta")

    kernels = model_kernels(predict=_kernels.predict, learn=_kernels.learn,
                            observe=_kernels.observe,
                            retention_time=_kernels.retention_time)
    state_variables: ClassVar[dict] = {
        "ebisu_alpha": {"long_name": "Ebisu Beta alpha", "units": "1"},
        "ebisu_beta": {"long_name": "Ebisu Beta beta", "units": "1"},
        "ebisu_half_life": {"long_name": "Ebisu model time (half-life)", "units": "day"},
    }

    def __post_init__(self):
        validate(self)

    def kernel_params(self):
        """``(alpha, beta, half_life)`` of a new item's prior."""
        return (float(self.alpha), float(self.beta), float(self.half_life))

    def new_state(self, n_items, rng):
        """Per item ``(alpha, beta, t, last)``, NaN before the first study.

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator
            Unused: a fresh Ebisu memory is not random.

        Returns
        -------
        tuple of numpy arrays
        """
        return _kernels.new_state(n_items)
