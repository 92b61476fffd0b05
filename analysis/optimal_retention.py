"""The desired retention that costs the least study time per item remembered.

Anki's "compute optimal retention" (FSRS; Ye 2024, fsrs-optimizer's
``fsrs_simulator.optimal_retention``, whose objective is the total study time over
the simulated span divided by the number of cards memorized at its end) by the
same simulation any learner model runs in: :func:`simulator.simulate_schedule`
with a :class:`simulator.TargetRetention` scheduler at each desired retention.
"""
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

import simulator
from environments.params import parameters
from environments.seeding import child, seed_attrs, seed_sequence
from environments.stream import flat_attrs
from environments.validation import check_number
from simulator.scheduling.workload import MAX_STEPS

from analysis.plots import axis_label, house_style

DAY = 86400.0
DEFAULT_TARGETS = tuple(np.round(np.arange(0.70, 0.981, 0.02), 2))


def _targets(targets):
    try:
        values = np.array(targets, np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"targets must be desired retentions in (0, 1), got {targets!r}") \
            from None
    if len(values) < 3 or not np.all((values > 0) & (values < 1)):
        raise ValueError(f"targets must be at least 3 desired retentions in (0, 1), got "
                         f"{targets!r}")
    return np.unique(values)


def optimal_retention(learner, targets=DEFAULT_TARGETS, horizon=365, n_items=10000,
                      seed=None, replicates=1, scheduler_model=None, time_per_day=1800.0,
                      new_per_day=None, maximum_interval=36500, costs=None, ratings=None):
    """Study time per item remembered vs desired retention, and the retention minimising it.

    For each desired retention ``target`` the learner studies ``n_items`` cards for
    ``horizon`` days (:func:`simulator.simulate_schedule`), scheduled by
    ``TargetRetention(target, model=scheduler_model)`` (FSRS-style whole-day
    intervals from the scheduler's own copy of ``scheduler_model``; None: review
    when the learner's population model predicts recall ``target``). Each view
    costs time (``costs``; default the FSRS simulator's), every view is rated
    (``ratings``; default :class:`simulator.Ratings`, learning and relearning steps
    included). The cost of a target is the total time spent over the horizon
    divided by the items memorized at its end (the sum of their recall
    probabilities): the FSRS simulator's objective. With the default daily time
    budget (new cards fill what the reviews leave of it) the time spent is nearly
    the same at every target, and the optimum is the retention that keeps the most
    items memorized for that time. Every target runs on the same
    seeds (common random numbers), so the curve's differences are not seed noise.

    Parameters
    ----------
    learner : simulator.MemoryModel
        The learner's true memory (any model; an :class:`simulator.FSRS` learner
        with ``calendar_days=True`` counts days as the FSRS simulator does).
    targets : sequence of float
        Desired retentions tried (at least 3, each in (0, 1)); default 0.70 to
        0.98 by 0.02.
    horizon : int
        Days simulated (>= 1).
    n_items : int
        Cards in the deck (>= 1).
    seed : int, SeedSequence, Generator or None
    replicates : int
        Runs per target, each on its own child seed (>= 1); totals are averaged.
    scheduler_model : simulator.MemoryModel, optional
        The scheduler's model (e.g. ``FSRS(calendar_days=True)``); None: the
        learner's population model predicts, checked each day.
    time_per_day : float or None
        Seconds of study a day (> 0; None: no limit); default 1800, the FSRS
        simulator's.
    new_per_day : int or None
        New cards a day (>= 0; None: as many as the time allows).
    maximum_interval : int
        Longest interval (days), with ``scheduler_model``.
    costs : simulator.ReviewCosts, optional
    ratings : simulator.Ratings, optional

    Returns
    -------
    xarray.Dataset
        Over ``target``: ``time_spent`` (total s over the horizon), ``memorized``
        (at the end), ``time_per_memorized`` (s per item), ``workload`` (mean
        minutes a day), ``reviews`` (total); scalars ``optimal_retention`` (the
        target with the least time per item, on the grid) and
        ``minimal_time_per_memorized``. Attrs: the learner's and the schedule's
        parameters, seed entropy.
    """
    values = _targets(targets)
    horizon = int(check_number("horizon", horizon, 1, None, integer=True))
    n_items = int(check_number("n_items", n_items, 1, None, integer=True))
    replicates = int(check_number("replicates", replicates, 1, None, integer=True))
    if new_per_day is not None:
        new_per_day = int(check_number("new_per_day", new_per_day, 0, None, integer=True))
    if time_per_day is not None:
        time_per_day = float(check_number("time_per_day", time_per_day, 0.0, None,
                                          low_open=True))
    ratings = simulator.Ratings() if ratings is None else ratings
    # events 10 s apart, closer when every card could fall due on one day
    presentation_time = min(10.0, DAY / 2 / (n_items * (1 + MAX_STEPS)))
    seed_seq = seed_sequence(seed)
    shape = (len(values), replicates)
    spent, memorized, reviews = np.empty(shape), np.empty(shape), np.empty(shape)
    for k, target in enumerate(values):
        scheduler = (simulator.TargetRetention(float(target)) if scheduler_model is None else
                     simulator.TargetRetention(float(target), model=scheduler_model,
                                               maximum_interval=maximum_interval))
        for r in range(replicates):
            ds = simulator.simulate_schedule(scheduler, learner, n_items, horizon,
                                             new_per_day=new_per_day, test_delays=(1.0,),
                                             presentation_time=presentation_time,
                                             seed=child(seed_seq, r),
                                             time_per_day=time_per_day, costs=costs,
                                             ratings=ratings)
            spent[k, r] = ds["time_spent"].values.sum()
            memorized[k, r] = ds["memorized"].values[-1]
            reviews[k, r] = ds["reviews"].values.sum()
    total_time, total_memorized = spent.mean(1), memorized.mean(1)
    per_item = total_time / total_memorized
    best = int(np.argmin(per_item))
    out = xr.Dataset(
        {"time_spent": ("target", total_time, {
            "long_name": "study time over the horizon", "units": "s"}),
         "memorized": ("target", total_memorized, {
             "long_name": "items memorized at the end", "units": "count",
             "description": "sum of the items' recall probabilities after the last day"}),
         "time_per_memorized": ("target", per_item, {
             "long_name": "study time per item memorized", "units": "s"}),
         "workload": ("target", total_time / horizon / 60.0, {
             "long_name": "mean daily workload", "units": "min"}),
         "reviews": ("target", reviews.mean(1), {
             "long_name": "reviews over the horizon", "units": "count"}),
         "optimal_retention": ((), float(values[best]), {
             "long_name": "optimal desired retention", "units": "1",
             "description": "the target with the least study time per item memorized"}),
         "minimal_time_per_memorized": ((), float(per_item[best]), {
             "long_name": "least study time per item memorized", "units": "s"})},
        coords={"target": ("target", values, {"long_name": "desired retention",
                                              "units": "1"})})
    out.attrs.update({"agent": type(learner).__name__,
                      "scheduler_model": "population model" if scheduler_model is None
                      else type(scheduler_model).__name__})
    out.attrs.update(flat_attrs(parameters(learner), prefix="agent"))
    out.attrs.update(flat_attrs({"horizon": horizon, "n_items": n_items,
                                 "new_per_day": -1 if new_per_day is None else new_per_day,
                                 "replicates": replicates,
                                 "time_per_day": -1.0 if time_per_day is None
                                 else float(time_per_day)}, prefix="schedule"))
    out.attrs.update(seed_attrs(seed_seq))
    return out


@house_style
def plot_optimal_retention(ds, ax=None):
    """Study time per item memorized vs desired retention, the optimum marked, the mean
    daily workload on a second axis; ``ds`` from :func:`optimal_retention`.

    Parameters
    ----------
    ds : xarray.Dataset
        From :func:`optimal_retention`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The main axes (time per item); the workload axis is its twin.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    target = ds["target"].values
    per_item = ds["time_per_memorized"].values
    ax.plot(target, per_item, "o-", color="C0", label=ds["time_per_memorized"].attrs[
        "long_name"])
    best = float(ds["optimal_retention"])
    least = float(ds["minimal_time_per_memorized"])
    ax.axvline(best, color="C3", ls=":", lw=1)
    ax.plot([best], [least], "*", color="C3", ms=14,
            label=f"optimum: retention {best:.2f}, {least:.0f} s per item")
    ax.set_xlabel(axis_label(ds["target"]))
    ax.set_ylabel(axis_label(ds["time_per_memorized"]))
    twin = ax.twinx()
    twin.plot(target, ds["workload"].values, "--", color="C2",
              label=ds["workload"].attrs["long_name"])
    twin.set_ylabel(axis_label(ds["workload"]))
    lines = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper center", fontsize=8)
    ax.set_title(f"optimal retention ({ds.attrs.get('agent', 'learner')} learner)")
    return ax
