"""Fitting a memory model to a spacing experiment: final recall by study gap and
retention interval (the design of Cepeda et al. 2008), and the fitted temporal
ridgeline (optimal gap vs retention interval) beside the observed one."""
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import simulator
from environments.params import parameter_specs, parameters
from environments.stream import flat_attrs
from environments.validation import check_number

from analysis.plots import axis_label, house_style

DAY = 86400.0
PAVLIK_ANDERSON_FREE = ("spacing_scale", "spacing_intercept", "threshold", "noise",
                        "intersession_scale")
"""The parameters of Pavlik & Anderson's (2005) spacing model fitted by default."""


def fit_spacing(learner, data, free=PAVLIK_ANDERSON_FREE, massed_gap=600.0, n_reviews=1,
                presentations=3, presentation_time=10.0, bounds=None, max_evaluations=2000):
    """Fit a memory model to recall by study gap and retention interval (least squares).

    Every tested condition of ``data`` is one schedule of
    :func:`simulator.spacing_recall`: a study session, ``n_reviews`` review
    sessions ``gap`` apart (``presentations`` presentations ``presentation_time``
    s apart each), a test ``retention_interval`` after the last. The model's
    recall probability is fitted to the observed proportions by least squares
    over ``free`` (Nelder-Mead within the parameters' declared ranges, starting
    from ``learner``'s values). With :class:`simulator.ACTR` and
    ``spacing_scale`` free this is Pavlik & Anderson's (2005) account of the
    spacing effect (activation-dependent decay ``d_i = c exp(m_{i-1}) + a``,
    between-session time scaled by ``h``); with ``spacing_scale = 0`` and
    ``decay`` free it is the standard power-law decay, whose recall only falls
    as the gap grows (the no-spacing baseline). The fitted model's optimal gap
    at each retention interval comes from :func:`simulator.optimal_interval`.

    Parameters
    ----------
    learner : simulator.MemoryModel
        The model and the starting values of ``free`` (e.g.
        ``simulator.ACTR(spacing_scale=0.217, intersession_scale=0.025)``).
    data : xarray.Dataset
        ``recall`` (proportions; NaN where a condition was not run) over
        ``retention_interval`` x ``gap``, both in days, as
        :func:`analysis.datasets.load_cepeda2008`.
    free : sequence of str
        The learner's numeric parameters to fit.
    massed_gap : float
        Seconds between session onsets standing for a gap of 0 (both sessions on
        one day), > the session's length.
    n_reviews : int
        Review sessions after the first study, >= 1.
    presentations : int
        Presentations per session, >= 1.
    presentation_time : float
        Seconds between presentations within a session, > 0.
    bounds : dict, optional
        ``{name: (low, high)}``; default the declared range of each parameter.
    max_evaluations : int
        Most evaluations of the whole design the optimiser may make, >= 1.

    Returns
    -------
    xarray.Dataset
        ``estimate`` over ``parameter``; ``observed`` and ``predicted`` recall over
        ``retention_interval`` x ``gap`` (NaN where not run); ``optimal_gap`` and
        ``optimal_recall`` of the fitted model and the observed ``best_gap``
        over ``retention_interval`` (days); attrs ``sse``, ``rmse``,
        ``n_conditions``, the fitted learner's parameters and the schedule.
    """
    from scipy import optimize

    from analysis.fit_agent import _check_free, _search_bounds

    free = _check_free(learner, free)
    recall, intervals, gaps = _observed(data)
    massed_gap = float(check_number("massed_gap", massed_gap, presentations * presentation_time,
                                    None, low_open=True))
    max_evaluations = int(check_number("max_evaluations", max_evaluations, 1, None,
                                       integer=True))
    schedule = {"n_reviews": n_reviews, "presentations": presentations,
                "presentation_time": presentation_time}
    tested = np.isfinite(recall)
    if tested.sum() <= len(free):
        raise ValueError(f"data must have more tested conditions ({tested.sum()}) than free "
                         f"parameters ({len(free)})")
    row, col = np.nonzero(tested)
    seconds_interval = intervals[row] * DAY
    seconds_gap = np.where(gaps[col] > 0, gaps[col] * DAY, massed_gap)
    y = recall[tested]
    simulator.spacing_recall(learner, seconds_gap[:1], seconds_interval[:1], **schedule)

    def predict(theta):
        model = dataclasses.replace(learner, **dict(zip(free, theta)))
        return simulator.spacing_recall(model, seconds_gap, seconds_interval, **schedule)

    def sse(theta):
        return float(np.sum((predict(theta) - y) ** 2))

    search = _search_bounds(learner, free, bounds)
    low = np.array([-np.inf if lo is None else lo for lo, _ in search])
    high = np.array([np.inf if hi is None else hi for _, hi in search])
    start = np.clip([float(getattr(learner, name)) for name in free], low, high)
    result = optimize.minimize(sse, start, method="Nelder-Mead", bounds=list(zip(low, high)),
                               options={"maxfev": max_evaluations, "xatol": 1e-4,
                                        "fatol": 1e-8})
    fitted = dataclasses.replace(learner, **dict(zip(free, result.x)))
    predicted = np.full_like(recall, np.nan)
    predicted[tested] = predict(result.x)
    optimum = simulator.optimal_interval(fitted, intervals * DAY, **schedule)
    return _dataset(learner, fitted, free, result, recall, predicted, intervals, gaps,
                    optimum, dict(schedule, massed_gap=massed_gap), data)


def _observed(data):
    if not isinstance(data, xr.Dataset) or "recall" not in data or \
            data["recall"].dims != ("retention_interval", "gap"):
        raise ValueError("data must be an xarray.Dataset with recall over (retention_interval, "
                         "gap) in days, as analysis.datasets.load_cepeda2008() returns")
    recall = data["recall"].values.astype(float)
    intervals = data["retention_interval"].values.astype(float)
    gaps = data["gap"].values.astype(float)
    finite = recall[np.isfinite(recall)]
    if finite.size == 0 or finite.min() < 0 or finite.max() > 1:
        raise ValueError("data's recall must be proportions in [0, 1] (NaN: not run)")
    if not (np.all(np.isfinite(intervals)) and np.all(intervals > 0)):
        raise ValueError(f"retention_interval must be days > 0, got {intervals!r}")
    if not (np.all(np.isfinite(gaps)) and np.all(gaps >= 0)):
        raise ValueError(f"gap must be days >= 0, got {gaps!r}")
    return recall, intervals, gaps


def _dataset(learner, fitted, free, result, recall, predicted, intervals, gaps, optimum,
             schedule, data):
    specs = parameter_specs(learner)
    grid = ("retention_interval", "gap")
    tested = np.isfinite(recall)
    best = gaps[np.nanargmax(np.where(tested, recall, -np.inf), axis=1)]
    sse = float(np.sum((predicted[tested] - recall[tested]) ** 2))
    ds = xr.Dataset(
        {"estimate": ("parameter", np.asarray(result.x, float),
                      {"long_name": "least-squares estimate", "units": "1"}),
         "parameter_units": ("parameter", [specs[name]["units"] for name in free],
                             {"long_name": "units of the parameter", "units": "1"}),
         "observed": (grid, recall, {"long_name": "observed proportion recalled", "units": "1"}),
         "predicted": (grid, predicted, {"long_name": "predicted recall probability",
                                         "units": "1"}),
         "optimal_gap": ("retention_interval", optimum["optimal_gap"].values / DAY, {
             "long_name": "optimal gap (model)", "units": "day",
             "description": "gap that maximises the fitted model's recall"}),
         "optimal_recall": ("retention_interval", optimum["optimal_recall"].values, {
             "long_name": "recall at the optimal gap (model)", "units": "1"}),
         "best_gap": ("retention_interval", best, {
             "long_name": "gap with the highest observed recall", "units": "day"})},
        coords={"parameter": ("parameter", list(free), {"long_name": "parameter",
                                                        "units": "1"}),
                "retention_interval": ("retention_interval", intervals,
                                       dict(data["retention_interval"].attrs, units="day")),
                "gap": ("gap", gaps, dict(data["gap"].attrs, units="day"))})
    ds.attrs = {"agent": type(learner).__name__, "free": list(free),
                "method": "least squares (Nelder-Mead)", "sse": sse,
                "rmse": float(np.sqrt(sse / tested.sum())), "n_conditions": int(tested.sum()),
                "converged": int(result.success), "optimizer_message": str(result.message),
                "data_source": str(data.attrs.get("source", ""))}
    ds.attrs.update(flat_attrs(parameters(fitted), prefix="agent"))
    ds.attrs.update(flat_attrs(schedule, prefix="schedule"))
    return ds


def fitted_learner(fit, learner):
    """``learner`` with the estimates of :func:`fit_spacing`'s result set.

    Parameters
    ----------
    fit : xarray.Dataset
        From :func:`fit_spacing`.
    learner : simulator.MemoryModel
        The model that was fitted.

    Returns
    -------
    simulator.MemoryModel
    """
    return dataclasses.replace(learner, **{str(name): float(value) for name, value in zip(
        fit["parameter"].values, fit["estimate"].values)})


@house_style
def plot_spacing_fit(fit, learner, baseline=None, fig=None):
    """Observed recall by gap (points) with the fitted model's curves, and the optimal
    gap vs retention interval (the temporal ridgeline), observed and fitted.

    Parameters
    ----------
    fit : xarray.Dataset
        From :func:`fit_spacing`.
    learner : simulator.MemoryModel
        The model that was fitted (its estimates come from ``fit``).
    baseline : (xarray.Dataset, simulator.MemoryModel), optional
        A second :func:`fit_spacing` result and the model it fitted (e.g. without
        the spacing model), drawn dashed on the left panel.
    fig : matplotlib.figure.Figure, optional
        Figure to draw on; default a new one.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if fig is None:
        fig = plt.figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2)
    massed = float(fit.attrs["schedule_massed_gap"]) / DAY
    schedule = {key: fit.attrs[f"schedule_{key}"] for key in
                ("n_reviews", "presentations", "presentation_time")}
    dense = np.geomspace(massed, 2 * fit["gap"].values.max(), 80)
    intervals = fit["retention_interval"].values
    plotted_gap = np.where(fit["gap"].values > 0, fit["gap"].values, massed)
    model = fitted_learner(fit, learner)
    for k, interval in enumerate(intervals):
        colour = f"C{k}"
        tested = np.isfinite(fit["observed"].values[k])
        left.plot(plotted_gap[tested], fit["observed"].values[k][tested], "o", color=colour,
                  label=f"{interval:g} d")
        curve = simulator.spacing_recall(model, dense * DAY, interval * DAY, **schedule)
        left.plot(dense, curve, "-", color=colour)
        left.plot(fit["optimal_gap"].values[k], fit["optimal_recall"].values[k], "*",
                  color=colour, ms=12, mec="k", mew=0.5)
        if baseline is not None:
            flat = simulator.spacing_recall(fitted_learner(*baseline), dense * DAY,
                                            interval * DAY, **schedule)
            left.plot(dense, flat, "--", color=colour, lw=1, alpha=0.7)
    left.set_xscale("log")
    left.set_xlabel(f"gap between study sessions [day] (0 drawn at {massed * 1440:g} min)")
    left.set_ylabel(axis_label(fit["observed"]))
    title = f"{fit.attrs['agent']} fit (rmse {fit.attrs['rmse']:.3f})"
    if baseline is not None:
        title += f"\ndashed: baseline fit of {', '.join(baseline[0].attrs['free'])} " \
                 f"(rmse {baseline[0].attrs['rmse']:.3f})"
    left.set_title(title, fontsize="small")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, title="retention\ninterval", fontsize="small",
               loc="center left", bbox_to_anchor=(0.91, 0.5))
    dense_ri = np.geomspace(intervals.min() / 2, intervals.max() * 2, 12)
    ridge = simulator.optimal_interval(model, dense_ri * DAY, **schedule)
    right.loglog(dense_ri, ridge["optimal_gap"].values / DAY, "-", color="C0",
                 label="model's optimal gap")
    right.loglog(intervals, fit["best_gap"].values, "ko", label="best gap observed")
    right.loglog(intervals, fit["optimal_gap"].values, "*", color="C0", ms=10,
                 label="model's optimum at the tested intervals")
    right.set_xlabel(axis_label(fit["retention_interval"]))
    right.set_ylabel("optimal gap [day]")
    right.set_title("temporal ridgeline")
    right.legend(fontsize="small")
    return fig
