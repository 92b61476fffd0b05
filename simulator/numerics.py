"""Numerical failure of a model during a run: the warning category and its check."""
import warnings

import numpy as np


class DivergenceWarning(RuntimeWarning):
    """A model's state became non-finite during a run (e.g. SGD with too large a step).

    The run's outputs from the first non-finite event on are NaN or infinite; the
    message names the model, its parameters that set the step, and that event.
    Turn it into an error with ``warnings.simplefilter("error", DivergenceWarning)``.
    """


def warn_if_diverged(model, state, per_event, parameters, stacklevel=3):
    """Warn with :class:`DivergenceWarning` when ``state`` or ``per_event`` is not finite.

    Parameters
    ----------
    model : object
        The model (its class name goes into the message).
    state : numpy.ndarray
        The model's final state (e.g. the weights).
    per_event : numpy.ndarray
        A per-event output that is finite while the state is (NaN where the model
        wrote nothing is ignored only if ``state`` stays finite).
    parameters : sequence of str
        Names of the parameters that set the step, reported with their values.
    stacklevel : int
        Passed to :func:`warnings.warn`.

    Returns
    -------
    bool
        Whether it warned.
    """
    if np.isfinite(state).all():
        return False
    bad = np.flatnonzero(~np.isfinite(per_event))
    where = f"from event {int(bad[0])} on" if len(bad) else "after the last event"
    values = ", ".join(f"{name}={getattr(model, name)!r}" for name in parameters)
    warnings.warn(f"{type(model).__name__} diverged: its state became non-finite ({values}); "
                  f"its outputs are not finite {where}", DivergenceWarning,
                  stacklevel=stacklevel)
    return True
