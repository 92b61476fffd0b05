"""The optimal recall interval: the gap between study sessions that maximises recall
at a retention interval under a learner model (the question of Cepeda et al. 2008)."""
import numpy as np
import xarray as xr

from environments.validation import check_number
from environments.stream import flat_attrs

from environments.params import parameters
from environments.seeding import generator, seed_sequence
from simulator.protocol import check_model
from simulator.scheduling._kernels import spaced_recall_kernel

GRID_POINTS = 64
"""Log-spaced gaps scanned before the scipy refinement (guards against local optima)."""


def spacing_recall(learner, gap, retention_interval, n_reviews=1, presentations=1,
                   presentation_time=1.0):
    """Recall probability after ``1 + n_reviews`` study sessions ``gap`` s apart, tested
    ``retention_interval`` s after the last one (arrays broadcast).

    Each session is ``presentations`` presentations ``presentation_time`` s apart;
    the learner is any memory model (its population model, without per-learner
    noise: :meth:`simulator.MemoryModel.population_model`); for
    :class:`~simulator.ACTR` with Pavlik & Anderson's spacing model and
    psychological time when the learner has them.

    Parameters
    ----------
    learner : simulator.MemoryModel
    gap, retention_interval : float or array_like
        Seconds between session onsets, and from the last study to the test (> 0).
    n_reviews : int
        Review sessions after the first study, >= 1.
    presentations : int
        Presentations per session, >= 1.
    presentation_time : float
        Seconds between presentations within a session, > 0.

    Returns
    -------
    numpy.ndarray
        Recall probability, of the broadcast shape of ``gap`` and ``retention_interval``.
    """
    learner, n_reviews, presentations, presentation_time = _check(
        learner, n_reviews, presentations, presentation_time)
    gap, retention_interval = np.broadcast_arrays(
        _positive_times("gap", gap), _positive_times("retention_interval", retention_interval))
    out = np.empty(gap.size)
    _recall(learner, gap.flatten(), retention_interval.flatten(), n_reviews,
            presentations, presentation_time, out)
    return out.reshape(gap.shape)


def optimal_interval(learner, retention_interval, n_reviews=1, presentations=1,
                     presentation_time=1.0, gap_bounds=(60.0, 4 * 365 * 86400.0)):
    """The recall interval (gap between study sessions) that maximises recall at each
    retention interval.

    A learner studies an item in ``1 + n_reviews`` sessions ``gap`` seconds apart
    (onset to onset; each session ``presentations`` presentations
    ``presentation_time`` s apart) and is tested ``retention_interval`` s after
    the last. For each retention interval the recall probability is scanned on
    a log grid of gaps within ``gap_bounds``, then maximised by scipy's bounded
    scalar minimisation (over log gap) around the best grid point. Under the
    Pavlik & Anderson (2005) model the optimal gap grows with the retention
    interval while its ratio to it falls (the pattern Cepeda et al. 2008 found
    in people; the model's ratios fall more slowly than theirs).

    Parameters
    ----------
    learner : simulator.MemoryModel
    retention_interval : float or array_like
        Seconds from the last study to the test, > 0 (e.g.
        ``environments.days([7, 35, 70, 350])``).
    n_reviews : int
        Review sessions after the first study, >= 1.
    presentations : int
        Presentations per session, >= 1.
    presentation_time : float
        Seconds between presentations within a session, > 0.
    gap_bounds : (float, float)
        Smallest and largest gap searched (s), 0 < low < high.

    Returns
    -------
    xarray.Dataset
        Over ``retention_interval``: ``optimal_gap`` (s), ``gap_ratio``
        (optimal gap / retention interval), ``optimal_recall``; attrs: the
        learner's parameters and the schedule.
    """
    # imported here: scipy.optimize costs ~0.6 s, which every sweep worker would pay
    from scipy import optimize

    learner, n_reviews, presentations, presentation_time = _check(
        learner, n_reviews, presentations, presentation_time)
    intervals = _positive_times("retention_interval", retention_interval).reshape(-1)
    low, high = _check_bounds(gap_bounds, presentations * presentation_time)
    grid = np.geomspace(low, high, GRID_POINTS)
    log_grid = np.log(grid)
    best_gap = np.empty(len(intervals))
    best_recall = np.empty(len(intervals))
    scratch = np.empty(1)
    for k, interval in enumerate(intervals):
        on_grid = np.empty(len(grid))
        _recall(learner, grid, np.full(len(grid), interval), n_reviews, presentations,
                presentation_time, on_grid)
        j = int(np.argmax(on_grid))

        def loss(log_gap, interval=interval):
            _recall(learner, np.array([np.exp(log_gap)]), np.array([interval]), n_reviews,
                    presentations, presentation_time, scratch)
            return -scratch[0]

        bracket = (log_grid[max(j - 1, 0)], log_grid[min(j + 1, len(grid) - 1)])
        fit = optimize.minimize_scalar(loss, bounds=bracket, method="bounded",
                              options={"xatol": 1e-6})
        # keep the grid point if the refinement did not beat it
        if -fit.fun >= on_grid[j]:
            best_gap[k], best_recall[k] = np.exp(fit.x), -fit.fun
        else:
            best_gap[k], best_recall[k] = grid[j], on_grid[j]
    return _to_dataset(learner, intervals, best_gap, best_recall,
                       dict(n_reviews=n_reviews, presentations=presentations,
                            presentation_time=presentation_time, gap_low=low, gap_high=high))


def _recall(learner, gaps, intervals, n_reviews, presentations, presentation_time, out):
    model = learner.population_model()
    loop = spaced_recall_kernel(model.kernels)
    params = model.kernel_params()
    rng = generator(seed_sequence(0))  # a population model draws nothing
    for k in range(len(gaps)):
        out[k] = loop(params, model.new_state(1, rng),
                      (float(gaps[k]), float(intervals[k]), 1 + n_reviews, presentations,
                       presentation_time))


def _check(learner, n_reviews, presentations, presentation_time):
    check_model(learner, "learner")
    n_reviews = int(check_number("n_reviews", n_reviews, 1, None, integer=True))
    presentations = int(check_number("presentations", presentations, 1, None, integer=True))
    presentation_time = float(check_number("presentation_time", presentation_time, 0.0,
                                           None, low_open=True))
    return learner, n_reviews, presentations, presentation_time


def _positive_times(name, values):
    try:
        values = np.array(values, np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be seconds > 0, got {values!r}") from None
    if values.size == 0 or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"{name} must be finite seconds > 0, got {values!r}")
    return values


def _check_bounds(gap_bounds, session_length):
    try:
        low, high = (float(v) for v in gap_bounds)
    except (TypeError, ValueError):
        raise ValueError(f"gap_bounds must be (low, high) in seconds, got {gap_bounds!r}") \
            from None
    if not (session_length <= low < high < np.inf):
        raise ValueError(f"gap_bounds must satisfy session length ({session_length:g} s) "
                         f"<= low < high < inf, got {gap_bounds!r}")
    return low, high


def _to_dataset(learner, intervals, gap, recall, settings):
    ds = xr.Dataset(
        {"optimal_gap": ("retention_interval", gap, {
            "long_name": "optimal recall interval", "units": "s",
            "description": "gap between study sessions that maximises recall"}),
         "gap_ratio": ("retention_interval", gap / intervals, {
             "long_name": "optimal gap / retention interval", "units": "1",
             "description": "optimal gap as a fraction of the retention interval"}),
         "optimal_recall": ("retention_interval", recall, {
             "long_name": "recall at the optimal gap", "units": "1",
             "description": "recall probability at the test with the optimal gap"})},
        coords={"retention_interval": ("retention_interval", intervals, {
            "long_name": "retention interval", "units": "s",
            "description": "time from the last study session to the test"})})
    ds.attrs.update({"agent": type(learner).__name__})
    ds.attrs.update(flat_attrs(parameters(learner), prefix="agent"))
    ds.attrs.update(flat_attrs(settings, prefix="schedule"))
    return ds
