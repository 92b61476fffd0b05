"""Spacing and scheduling analyses: recall vs gap (the spacing effect), the optimal
recall interval, schedulers' workload vs retention, view-batch vs one-view replay."""
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import environments as env
import simulator
from environments.validation import check_number
from environments.params import argument, declare_parameters
from environments.progress import interactive

from analysis.plots import axis_label, house_style

DAY = 86400.0


def spacing_curves(learner, retention_intervals, gaps=None, **schedule):
    """Recall vs gap between study sessions, per retention interval, with the optimum.

    ``retention_intervals`` and ``gaps`` in seconds (default gaps: 60 log-spaced
    from 1 minute to 2 years); ``schedule`` goes to
    :func:`simulator.spacing_recall` and :func:`simulator.optimal_interval`
    (``n_reviews``, ``presentations``, ``presentation_time``). Returns the
    optimal-interval dataset plus ``recall (gap, retention_interval)``.

    Parameters
    ----------
    learner : simulator.MemoryModel
        The learner (e.g. :class:`simulator.ACTR` with the spacing model).
    retention_intervals : float or sequence of float
        Seconds from the last study session to the test, each > 0.
    gaps : sequence of float, optional
        Gaps (s) between study sessions at which recall is computed.
    **schedule
        ``n_reviews``, ``presentations``, ``presentation_time``.

    Returns
    -------
    xarray.Dataset
        :func:`simulator.optimal_interval`'s dataset plus ``recall``
        ``(gap, retention_interval)``.
    """
    gaps = np.geomspace(60.0, 2 * 365 * DAY, 60) if gaps is None else np.asarray(gaps, float)
    optimum = simulator.optimal_interval(learner, retention_intervals, **schedule)
    intervals = optimum["retention_interval"].values
    recall = simulator.spacing_recall(learner, gaps[:, None], intervals[None, :], **schedule)
    curves = xr.DataArray(recall, dims=("gap", "retention_interval"), attrs={
        "long_name": "recall probability", "units": "1",
        "description": "recall at the test after spaced study sessions"})
    return optimum.assign(recall=curves).assign_coords(
        gap=("gap", gaps, {"long_name": "gap between sessions", "units": "s"}))


@house_style
def plot_spacing(curves, ax=None):
    """Final recall vs gap (days, log x), one curve per retention interval, each optimum
    marked; ``curves`` from :func:`spacing_curves`. Returns the Axes.

    Parameters
    ----------
    curves : xarray.Dataset
        From :func:`spacing_curves`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    gap_days = curves["gap"].values / DAY
    for k, interval in enumerate(curves["retention_interval"].values):
        line, = ax.plot(gap_days, curves["recall"].values[:, k],
                        label=f"retention {interval / DAY:g} d")
        ax.plot(curves["optimal_gap"].values[k] / DAY, curves["optimal_recall"].values[k],
                "o", color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("gap between study sessions [day]")
    ax.set_ylabel(axis_label(curves["recall"]))
    ax.set_title("spacing effect (dots: optimal gap)")
    ax.legend()
    return ax


@house_style
def plot_optimal_interval(optimum, ax=None):
    """Optimal gap vs retention interval (log-log, days) and, on a right axis, their
    ratio (the Cepeda et al. 2008 plot); ``optimum`` from
    :func:`simulator.optimal_interval`. Returns the left Axes.

    Parameters
    ----------
    optimum : xarray.Dataset
        From :func:`simulator.optimal_interval` (``optimal_gap``, ``gap_ratio``
        over ``retention_interval``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    interval_days = optimum["retention_interval"].values / DAY
    ax.loglog(interval_days, optimum["optimal_gap"].values / DAY, "o-", color="C0",
              label="optimal gap")
    ax.set_xlabel("retention interval [day]")
    ax.set_ylabel("optimal gap [day]", color="C0")
    ratio_ax = ax.twinx()
    ratio_ax.semilogx(interval_days, 100 * optimum["gap_ratio"].values, "s--", color="C3")
    ratio_ax.set_ylabel("optimal gap / retention interval [%]", color="C3")
    ratio_ax.set_ylim(0, None)
    ratio_ax.grid(False)
    ax.set_title("optimal recall interval")
    return ax


def workload_retention(learner, schedulers, n_items=200, days=120, reviews_per_day=None,
                       new_per_day=10, test_delays=(30.0,), seed=None, backend="serial",
                       workers=None, client=None, progress=None):
    """Reviews per item and final retention of each scheduler on the same learner.

    One :func:`simulator.sweep` of :func:`simulator.schedule_experiment` with a
    regime per scheduler: every scheduler meets the same seed (common random
    numbers), so ``simulator.sweep_regimes(learner, simulator.schedule_experiment,
    {label: {"scheduler": s}, ...}, environment_kwargs=..., seed=seed)`` gives
    the same numbers. Returns a dataset over ``scheduler`` (labels from the
    schedulers' parameters) with ``reviews_per_item``, ``retention (scheduler,
    test_delay)`` and ``pareto`` (no other scheduler has at most as many reviews
    and at least the retention at the first test delay, one of them strictly).

    Parameters
    ----------
    learner : simulator.MemoryModel
        The learner every scheduler drives.
    schedulers : sequence of simulator.Scheduler
        The policies compared (distinct labels, see :func:`scheduler_label`).
    n_items, days, reviews_per_day, new_per_day, test_delays
        As for :func:`simulator.simulate_schedule`.
    seed : int, SeedSequence, Generator or None
        Root seed of the sweep.
    backend, workers, client
        Where the runs go, as for :func:`simulator.sweep`.
    progress : bool, optional
        Show a progress bar; default: when stderr is a terminal.

    Returns
    -------
    xarray.Dataset
        Over ``scheduler``: ``reviews_per_item``, ``retention (scheduler,
        test_delay)`` and ``pareto``; attrs as :func:`simulator.sweep` writes them.
    """
    schedulers = list(schedulers)
    if not schedulers:
        raise ValueError("schedulers must hold at least one scheduler")
    for k, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, simulator.Scheduler):
            raise ValueError(f"schedulers[{k}] must be a simulator.Scheduler, got "
                             f"{type(scheduler).__name__}")
    labels = [scheduler_label(s) for s in schedulers]
    if len(set(labels)) != len(labels):
        raise ValueError(f"schedulers must differ, got the labels {labels}")
    ds = simulator.sweep_regimes(
        learner, simulator.schedule_experiment,
        {label: {"scheduler": s} for label, s in zip(labels, schedulers)},
        environment_kwargs={"n_items": n_items, "days": days,
                            "reviews_per_day": reviews_per_day, "new_per_day": new_per_day,
                            "test_delays": tuple(test_delays)},
        reduce=workload_of_run, seed=seed, backend=backend, workers=workers, client=client,
        progress=interactive() if progress is None else progress, label="schedulers")
    ds = ds.isel(replicate=0, drop=True).rename(regime="scheduler")
    ds = ds.assign_coords(
        scheduler=("scheduler", labels, {"long_name": "scheduler", "units": "1"}),
        policy=("scheduler", [type(s).__name__ for s in schedulers],
                {"long_name": "scheduling policy", "units": "1"}))
    workload = ds["reviews_per_item"].values
    retained = ds["retention"].values[:, 0]
    ds["pareto"] = ("scheduler", pareto_front(workload, retained),
                    {"long_name": "on the Pareto front", "units": "1",
                     "description": "no scheduler reviews less and retains more"})
    return ds


def workload_of_run(run):
    """A schedule's workload and retention: ``reviews_per_item`` and ``retention``.

    Parameters
    ----------
    run : xarray.Dataset
        What :func:`simulator.simulate_schedule` returns.

    Returns
    -------
    xarray.Dataset
    """
    return run[["reviews_per_item", "retention"]]


def scheduler_label(scheduler):
    """``Name(param=value, ...)`` of a scheduler: its first field, and every other field
    that differs from its default (a model by its class name).

    Parameters
    ----------
    scheduler : simulator.Scheduler

    Returns
    -------
    str
    """
    shown = []
    for k, field in enumerate(dataclasses.fields(scheduler)):
        value = getattr(scheduler, field.name)
        if value is None or (k > 0 and value == field.default):
            continue
        if isinstance(value, float):
            text = f"{value:g}"
        elif hasattr(value, "kernels"):
            text = type(value).__name__
        else:
            text = f"{value}"
        shown.append(f"{field.name}={text}")
    return f"{type(scheduler).__name__}({', '.join(shown)})"


def pareto_front(cost, value):
    """Boolean mask of the points no other point dominates (lower cost, higher value)."""
    cost, value = np.asarray(cost, float), np.asarray(value, float)
    no_worse = (cost[None, :] <= cost[:, None]) & (value[None, :] >= value[:, None])
    better = (cost[None, :] < cost[:, None]) | (value[None, :] > value[:, None])
    return ~np.any(no_worse & better, axis=1)


@house_style
def plot_workload_retention(ds, test_delay=None, ax=None):
    """Retention vs reviews per item, one colour per scheduler policy, the Pareto front
    drawn through its points; ``ds`` from :func:`workload_retention`. Returns the Axes.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`workload_retention`.
    test_delay : float, optional
        Which test delay's retention to plot (days); default the first.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    delay = ds["test_delay"].values[0] if test_delay is None else test_delay
    retention = ds["retention"].sel(test_delay=delay).values
    workload = ds["reviews_per_item"].values
    for k, policy in enumerate(dict.fromkeys(ds["policy"].values.tolist())):
        mine = ds["policy"].values == policy
        ax.plot(workload[mine], retention[mine], "o", color=f"C{k}", label=policy)
    front = ds["pareto"].values
    order = np.argsort(workload[front])
    ax.plot(workload[front][order], retention[front][order], "k-", lw=1, alpha=0.6,
            label="Pareto front")
    ax.set_xlabel(axis_label(ds["reviews_per_item"]))
    ax.set_ylabel(f"retention after {delay:g} days")
    ax.set_title("workload vs retention")
    ax.legend()
    return ax


def view_batch_comparison(learner, n_items=20, presentations=8, views=(1, 2, 4, 8),
                          retention_intervals=(DAY, 7 * DAY), presentation_time=2.0,
                          seed=None, backend="serial", workers=None, client=None,
                          progress=None):
    """View-batch replay vs one-view replay at equal total presentations.

    For each ``views`` (dividing ``presentations``), the open-loop
    :func:`environments.view_batch` schedule with ``presentations // views``
    cycles: items take turns, so the rest between an item's batches (its recall
    interval) is ``views`` times that of the one-view schedule. One
    :func:`simulator.sweep` of the experiment :func:`view_batch_recall` over
    ``views``. Returns a dataset over ``views`` and ``retention_interval`` with
    the mean recall probability at the test and the recall interval.

    Parameters
    ----------
    learner : simulator.MemoryModel
        The learner.
    n_items : int
        Items in the list, >= 1.
    presentations : int
        Total presentations per item; every ``views`` must divide it.
    views : sequence of int
        Distinct numbers of consecutive presentations per batch to compare.
    retention_intervals : sequence of float
        Seconds from the last presentation to the test.
    presentation_time : float
        Seconds per presentation, > 0.
    seed : int, SeedSequence, Generator or None
        Root seed of the sweep.
    backend, workers, client
        Where the runs go, as for :func:`simulator.sweep`.
    progress : bool, optional
        Show a progress bar; default: when stderr is a terminal.

    Returns
    -------
    xarray.Dataset
        Over ``views`` and ``retention_interval``: mean recall probability at the
        test and the recall interval.
    """
    presentations = int(check_number("presentations", presentations, 1, None, integer=True))
    views = [int(check_number("views", v, 1, presentations, integer=True)) for v in views]
    if any(presentations % v for v in views):
        raise ValueError(f"views must divide presentations ({presentations}), got {views}")
    ds = simulator.sweep(learner, view_batch_recall, {"views": views}, seed=seed,
                         environment_kwargs={
                             "presentations": presentations, "n_items": n_items,
                             "retention_intervals": tuple(float(r) for r in retention_intervals),
                             "presentation_time": presentation_time},
                         backend=backend, workers=workers, client=client,
                         progress=interactive() if progress is None else progress,
                         label="view-batch schedules")
    return ds.isel(replicate=0, drop=True)


@simulator.experiment
@declare_parameters(
    views=argument(low=1, integer=True, units="count", doc="views per batch"),
    presentations=argument(low=1, integer=True, units="count",
                           doc="presentations per item"),
    n_items=argument(low=1, integer=True, units="count", doc="items in the list"),
    presentation_time=argument(low=0.0, low_open=True, units="s",
                               doc="seconds per presentation"),
)
def view_batch_recall(agent, views, presentations=8, n_items=20,
                      retention_intervals=(DAY, 7 * DAY), presentation_time=2.0, *, seed=None):
    """Recall after a view-batch schedule: the experiment behind :func:`view_batch_comparison`.

    Parameters
    ----------
    agent : simulator.MemoryModel
        The learner.
    views : int
        Consecutive presentations per batch; must divide ``presentations``.
    presentations : int
        Total presentations per item.
    n_items : int
        Items in the list.
    retention_intervals : sequence of float
        Seconds from the last presentation to the test, dealt to the items in turn.
    presentation_time : float
        Seconds per presentation.
    seed : int, SeedSequence, Generator or None
        The run's seed.

    Returns
    -------
    xarray.Dataset
        ``recall`` over ``retention_interval`` and the scalar ``recall_interval``.
    """
    if presentations % views:
        raise ValueError(f"views ({views}) must divide presentations ({presentations})")
    intervals = np.asarray(retention_intervals, float)
    stream = env.view_batch(n_items, views, presentations // views,
                            retention_intervals=intervals, presentation_time=presentation_time)
    run = simulator.run(agent, stream, seed=seed)
    tests = run["kind"].values == env.TEST
    tested_after = intervals[run["item"].values[tests] % len(intervals)]
    recall = [run["p_recall"].values[tests][tested_after == r].mean() for r in intervals]
    return xr.Dataset(
        {"recall": ("retention_interval", recall,
                    {"long_name": "recall probability", "units": "1",
                     "description": "mean recall probability at the test"}),
         "recall_interval": ((), stream.meta["recall_interval"], {
             "long_name": "recall interval", "units": "s",
             "description": "rest between an item's batches"})},
        coords={"retention_interval": ("retention_interval", intervals,
                                       {"long_name": "retention interval", "units": "s"})})
