"""Half-life regression: Duolingo's trainable spaced-repetition model."""
import dataclasses
from typing import ClassVar

from environments.params import parameter, validate
from simulator.models.hlr import _kernels
from simulator.protocol import MemoryModel, PerItemMemory, model_kernels


@dataclasses.dataclass(frozen=True)
class HLR(PerItemMemory, MemoryModel):
    """Half-life regression (Settles & Meeder 2016, ACL).

    Recall ``delta`` days after an item's last practice is ``p = 2 ** (-delta / h)``;
    the half-life ``h = 2 ** (theta . x)`` days grows with the item's right answers
    and shrinks with its wrong ones, ``x = (sqrt(1 + right), sqrt(1 + wrong), 1)``
    (the released code's transformation of the counts). ``h`` is clipped to
    [15 minutes, 274 days] and ``p`` to [0.0001, 0.9999], as in the paper. The
    paper's lexeme-tag features are left out: an item's identity enters through
    its history alone. Fit ``theta`` to a review log with
    :func:`analysis.fit_agent` (maximum likelihood of the answers, where the paper
    minimised squared error on ``p`` and ``h``). The defaults are illustrative.

    Parameters
    ----------
    theta_right : float
        Weight of ``sqrt(1 + right answers)`` in ``log2 h``.
    theta_wrong : float
        Weight of ``sqrt(1 + wrong answers)``.
    theta_bias : float
        Constant term.
    """

    theta_right: float = parameter(1.5, low=-20.0, high=20.0,
                                   doc="weight of sqrt(1 + right answers) in log2 h")
    theta_wrong: float = parameter(-1.0, low=-20.0, high=20.0,
                                   doc="weight of sqrt(1 + wrong answers) in log2 h")
    theta_bias: float = parameter(0.0, low=-20.0, high=20.0, doc="constant term of log2 h")

    kernels = model_kernels(predict=_kernels.predict, learn=_kernels.learn,
                            observe=_kernels.observe, retention_time=_kernels.retention_time)
    state_variables: ClassVar[dict] = {
        "right": {"long_name": "right answers so far", "units": "count"},
        "wrong": {"long_name": "wrong answers so far", "units": "count"},
        "half_life": {"long_name": "HLR half-life", "units": "day"},
    }

    def __post_init__(self):
        validate(self)

    def kernel_params(self):
        """``(theta_right, theta_wrong, theta_bias)``."""
        return (float(self.theta_right), float(self.theta_wrong), float(self.theta_bias))

    def new_state(self, n_items, rng):
        """Per item ``(right, wrong, last)``.

        Parameters
        ----------
        n_items : int
        rng : numpy.random.Generator
            Unused: a fresh HLR memory is not random.

        Returns
        -------
        tuple of numpy arrays
        """
        return _kernels.new_state(n_items)
