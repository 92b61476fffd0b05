"""The stability gap around task switches, and paired comparisons of runs across seeds.

The stability gap (De Lange, van de Ven & Tuytelaars, ICLR 2023): when training on a
new task starts, the accuracy on earlier tasks drops sharply within a few steps and
then partly recovers, even under rehearsal; end-of-task probes miss it, so it needs
dense probes after each switch. Notation as in :mod:`analysis.continual`: ``A[p, k]``
the accuracy of task ``k`` at probe ``p``, ``l_k`` the probe at which task ``k``'s
training ended. The switch to task ``k + 1`` happens right after probe ``l_k``; the
tasks learned before it (``l_i <= l_k``) are its *earlier* tasks, and its *window*
is probes ``l_k + 1 .. l_{k+1}`` (the next task's training).
"""
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from scipy import stats

from environments.validation import check_number

from analysis.continual import _learned_at, _trim_padding

GAP_VARIABLES = {
    "depth": ("stability-gap depth", "1",
              "A[l_k, i] - min over the window of A[p, i]: accuracy at the switch minus the "
              "lowest accuracy while the next task is learned"),
    "time_to_minimum": ("time from the switch to the lowest accuracy", None,
                        "probe time of the window's minimum minus the switch's probe time"),
    "duration": ("stability-gap duration", None,
                 "time from the switch until the accuracy, after its minimum, first regains "
                 "the fraction `recover` of the depth (censored at the window's end when it "
                 "never does)"),
    "recovered": ("gap recovered within the window", "1",
                  "1 when the accuracy regained the fraction `recover` of the depth within "
                  "the window, else 0"),
    "recovery": ("recovery", "1",
                 "A[l_{k+1}, i] - min over the window: accuracy regained by the end of the "
                 "next task"),
    "final_drop": ("net drop over the next task", "1",
                   "A[l_k, i] - A[l_{k+1}, i]: what the next task costs once it is learned"),
}


def stability_gap(acc, learned_at=None, probe_time=None, recover=0.5):
    """Depth, duration and recovery of the drop on earlier tasks after each task switch.

    For the switch after task ``k`` (at probe ``l_k``, time ``t_k``) and each
    earlier task ``i`` (``l_i <= l_k``), over the window ``l_k < p <= l_{k+1}``:

    - ``depth = A[l_k, i] - min_window A[p, i]`` (De Lange et al. 2023's gap);
    - ``time_to_minimum``: probe time of that minimum minus ``t_k``;
    - ``duration``: time from ``t_k`` to the first probe after the minimum where
      ``A[p, i] >= min + recover * depth`` (half-recovery with ``recover = 0.5``),
      censored at the window's last probe when it never gets there
      (``recovered`` then 0);
    - ``recovery = A[l_{k+1}, i] - min_window A[p, i]`` and ``final_drop =
      A[l_k, i] - A[l_{k+1}, i]`` (so ``depth = recovery + final_drop``).

    The per-(switch, task) values are NaN where task ``i`` is not earlier than the
    switch; ``gap_*`` summaries average them over earlier tasks and switches.
    ``old_task_accuracy`` is the mean accuracy of the earlier tasks against the
    probe offset from the switch (0 at the switch), averaged over switches: the
    curve of the stability-gap figure.

    Parameters
    ----------
    acc : xarray.DataArray or xarray.Dataset
        Accuracy with dims ``probe`` and ``task`` (others, e.g. ``replicate``,
        kept), or a dataset holding ``probe_accuracy`` (and ``probe_time`` as a
        coordinate or variable, as runs and sweeps give it).
    learned_at : array_like of int, optional
        Probe index at which each task's training ended; default as in
        :func:`analysis.continual_metrics` (tasks of equal length, probes spread
        evenly).
    probe_time : array_like or xarray.DataArray, optional
        Time of every probe (dim ``probe``); default the ``probe_time`` of
        ``acc``, else the probe index (units ``count``).
    recover : float
        Share of the depth that counts as recovered, in (0, 1].

    Returns
    -------
    xarray.Dataset
        ``depth``, ``time_to_minimum``, ``duration``, ``recovered``, ``recovery``,
        ``final_drop`` over (lead dims, ``switch``, ``task``); ``gap_depth``,
        ``gap_duration``, ``gap_recovery``, ... averaged over earlier tasks and
        switches; ``old_task_accuracy`` over (lead dims, ``since_switch``) with
        the coord ``time_since_switch``. Every variable has ``long_name``,
        ``units`` and ``description``.
    """
    recover = check_number("recover", recover, 0.0, 1.0, low_open=True)
    times, time_units = None, "count"
    if isinstance(acc, xr.Dataset):
        if "probe_accuracy" not in acc:
            raise ValueError("acc must be a DataArray with dims 'probe' and 'task' or a "
                             "Dataset with 'probe_accuracy'")
        if probe_time is None and "probe_time" in acc:
            probe_time = acc["probe_time"]
        acc = acc["probe_accuracy"]
    if not isinstance(acc, xr.DataArray) or not {"probe", "task"} <= set(acc.dims):
        raise ValueError("acc must be a DataArray with dims 'probe' and 'task'")
    if probe_time is None and "probe_time" in acc.coords:
        probe_time = acc["probe_time"]
    acc = _trim_padding(acc)
    n_probes, n_tasks = acc.sizes["probe"], acc.sizes["task"]
    if n_tasks < 2:
        raise ValueError(f"acc must have at least 2 tasks (a switch), got {n_tasks}")
    learned_at = _learned_at(learned_at, n_probes, n_tasks)
    order = np.argsort(learned_at, kind="stable")
    if len(np.unique(learned_at)) != n_tasks:
        raise ValueError("learned_at must give each task its own probe")
    if probe_time is not None:
        if isinstance(probe_time, xr.DataArray):
            time_units = probe_time.attrs.get("units", "s")
            probe_time = probe_time.isel(probe=slice(n_probes))
            if set(probe_time.dims) != {"probe"}:
                # per-run probe times (a padded sweep): they must agree on this extent
                flat = probe_time.transpose(..., "probe").values.reshape(-1, n_probes)
                if not np.allclose(flat, flat[:1], equal_nan=True):
                    raise ValueError("runs have different probe times; select runs of one "
                                     "stream layout first")
                probe_time = flat[0]
        times = np.asarray(probe_time, dtype=float)
        if times.shape != (n_probes,) or not np.all(np.isfinite(times)):
            raise ValueError(f"probe_time must hold {n_probes} finite times")
    else:
        times = np.arange(n_probes, dtype=float)

    values = acc.transpose(..., "probe", "task").values.astype(float)
    lead_shape = values.shape[:-2]
    n_switches = n_tasks - 1
    per = {name: np.full(lead_shape + (n_switches, n_tasks), np.nan) for name in GAP_VARIABLES}
    offsets = [learned_at[order[s + 1]] - learned_at[order[s]] for s in range(n_switches)]
    width = min(offsets) + 1
    curve = np.zeros(lead_shape + (width,))
    for s in range(n_switches):
        at, end = learned_at[order[s]], learned_at[order[s + 1]]
        earlier = order[:s + 1]
        window = values[..., at + 1:end + 1, :]
        for i in earlier:
            before = values[..., at, i]
            low_index = np.argmin(window[..., i], axis=-1)
            low = np.take_along_axis(window[..., i], low_index[..., None], -1)[..., 0]
            depth = before - low
            target = low + recover * depth
            after_min = np.arange(window.shape[-2]) >= low_index[..., None]
            back = after_min & (window[..., i] >= target[..., None] - 1e-12)
            first_back = np.where(back.any(axis=-1), np.argmax(back, axis=-1),
                                  window.shape[-2] - 1)
            per["depth"][..., s, i] = depth
            per["time_to_minimum"][..., s, i] = times[at + 1 + low_index] - times[at]
            per["duration"][..., s, i] = times[at + 1 + first_back] - times[at]
            per["recovered"][..., s, i] = back.any(axis=-1)
            per["recovery"][..., s, i] = values[..., end, i] - low
            per["final_drop"][..., s, i] = before - values[..., end, i]
        curve += values[..., at:at + width, :][..., earlier].mean(axis=-1)
    curve /= n_switches
    since = np.arange(width)
    since_time = np.mean([times[learned_at[order[s]] + since] - times[learned_at[order[s]]]
                          for s in range(n_switches)], axis=0)

    lead = [d for d in acc.transpose(..., "probe", "task").dims if d not in ("probe", "task")]
    data_vars = {}
    for name, (long_name, units, description) in GAP_VARIABLES.items():
        attrs = {"long_name": long_name, "units": units or time_units,
                 "description": description}
        data_vars[name] = (lead + ["switch", "task"], per[name], attrs)
        summary = dict(attrs, long_name=f"{long_name}, mean over switches and earlier tasks")
        data_vars[f"gap_{name}"] = (lead, np.nanmean(per[name], axis=(-2, -1)), summary)
    data_vars["old_task_accuracy"] = (lead + ["since_switch"], curve, {
        "long_name": "accuracy on earlier tasks", "units": "1",
        "description": "mean accuracy of the tasks learned before a switch, by probes since "
                       "the switch (0: at the switch), averaged over switches"})
    coords = {d: acc[d] for d in lead if d in acc.coords}
    coords["task"] = acc["task"].values if "task" in acc.coords else np.arange(n_tasks)
    coords["switch"] = ("switch", np.arange(1, n_tasks), {
        "long_name": "switch to the n-th task learned (0-based)", "units": "1"})
    coords["since_switch"] = ("since_switch", since, {"long_name": "probes since the switch",
                                                      "units": "count"})
    coords["time_since_switch"] = ("since_switch", since_time, {
        "long_name": "time since the switch", "units": time_units})
    return xr.Dataset(data_vars, coords=coords, attrs={"recover": recover})


def plot_stability_gap(gap, by, ax=None, band="replicate"):
    """Accuracy on earlier tasks against time since the switch, one line per ``by``.

    Parameters
    ----------
    gap : xarray.Dataset
        From :func:`stability_gap`, with dims ``by`` and (optionally) ``band``.
    by : str
        The dim whose values get a line each (e.g. ``"regime"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    band : str
        The dim summarised by a mean line and a +-1 s.d. band.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    curve = gap["old_task_accuracy"]
    x = gap["time_since_switch"].values
    for value in curve[by].values:
        line = curve.sel({by: value})
        mean = line.mean(band) if band in line.dims else line
        drawn, = ax.plot(x, mean, marker=".", label=str(value))
        if band in line.dims and line.sizes[band] > 1:
            sd = line.std(band)
            ax.fill_between(x, mean - sd, mean + sd, color=drawn.get_color(), alpha=0.15)
    units = gap["time_since_switch"].attrs.get("units", "")
    ax.set_xlabel(f"time since the task switch [{units}]")
    ax.set_ylabel("accuracy on earlier tasks")
    ax.legend(title=by, fontsize="small")
    return ax


def paired_differences(values, dim, reference, sample="replicate", confidence=0.95):
    """Paired differences from a reference along ``dim``, with t confidence intervals.

    ``values.sel({dim: v}) - values.sel({dim: reference})`` per ``sample`` (runs
    that share seeds: common random numbers make the comparison paired), then
    over ``sample``: the mean difference, its standard error ``sd / sqrt(n)``,
    the Student-t confidence interval ``mean +- t_{(1+c)/2, n-1} se``, the
    two-sided paired t-test p-value and the share of samples with a positive
    difference.

    Parameters
    ----------
    values : xarray.DataArray
        A metric with dims ``dim`` and ``sample`` (others kept).
    dim : str
        The dim compared (e.g. ``"regime"`` or ``"views"``).
    reference : scalar
        The value of ``dim`` the others are compared with.
    sample : str
        The paired dim (default ``"replicate"``); at least 2 samples.
    confidence : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    xarray.Dataset
        ``mean_difference``, ``standard_error``, ``ci_low``, ``ci_high``,
        ``p_value``, ``share_positive`` and ``n_pairs`` over the other dims; the
        units of ``values`` on the differences.
    """
    if not isinstance(values, xr.DataArray) or dim not in values.dims or sample not in values.dims:
        raise ValueError(f"values must be a DataArray with dims {dim!r} and {sample!r}")
    if reference not in values[dim].values:
        raise ValueError(f"reference must be a value of {dim!r} "
                         f"({values[dim].values.tolist()}), got {reference!r}")
    confidence = check_number("confidence", confidence, 0.0, 1.0, low_open=True,
                              high_open=True)
    n = values.sizes[sample]
    if n < 2:
        raise ValueError(f"{sample!r} must have at least 2 entries, got {n}")
    diff = values - values.sel({dim: reference})
    mean = diff.mean(sample)
    sd = diff.std(sample, ddof=1)
    se = sd / np.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    with np.errstate(invalid="ignore", divide="ignore"):
        t_stat = mean / se
    p = xr.apply_ufunc(lambda t: np.where(np.isfinite(t), 2 * stats.t.sf(np.abs(t), n - 1),
                                          np.where(np.isnan(t), np.nan, 0.0)), t_stat)
    units = values.attrs.get("units", "1")
    name = values.attrs.get("long_name", values.name or "value")
    reference_text = f"{dim} = {reference}"
    out = xr.Dataset({
        "mean_difference": (mean.dims, mean.values, {
            "long_name": f"mean paired difference of {name} from {reference_text}",
            "units": units}),
        "standard_error": (se.dims, se.values, {"long_name": "standard error of the mean "
                                                "difference", "units": units}),
        "ci_low": (mean.dims, (mean - half).values, {
            "long_name": f"lower {confidence:.0%} confidence bound", "units": units}),
        "ci_high": (mean.dims, (mean + half).values, {
            "long_name": f"upper {confidence:.0%} confidence bound", "units": units}),
        "p_value": (p.dims, np.asarray(p.values, float), {
            "long_name": "two-sided paired t-test p-value", "units": "1"}),
        "share_positive": (mean.dims, (diff > 0).mean(sample).values, {
            "long_name": "share of pairs with a positive difference", "units": "1"}),
    }, coords={d: mean[d] for d in mean.dims if d in mean.coords})
    out["n_pairs"] = xr.DataArray(n, attrs={"long_name": "pairs", "units": "count"})
    out.attrs.update(reference=str(reference), dim=dim, confidence=confidence)
    return out
