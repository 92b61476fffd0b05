"""Plots of what agents remember. Each returns its Axes or Figure; nothing calls ``plt.show()``.

One house style for every plot (:data:`HOUSE_STYLE`, applied by :func:`house_style`):
no top/right spines, a light grid, frameless legends, labels from the data's
``long_name`` and ``units``, and each forgetting function drawn in the same
colour (:data:`MODEL_COLOURS`) wherever it appears.
"""
import functools
import itertools
import warnings

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
import numpy as np
import xarray as xr

from environments.validation import check_number

from analysis.fitting import FORMS, SCALES, fit_forgetting, fit_succeeded
from analysis.retention import retention_curve

HOUSE_STYLE = {
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "legend.fontsize": "small",
    "axes.titlesize": "medium",
    "image.cmap": "viridis",
}

MODEL_COLOURS = dict(zip(FORMS, ("C0", "C3", "C2", "C4", "C1", "C5")))
"""A fixed colour per forgetting function, so a model looks the same in every plot."""


def house_style(plot):
    """Draw ``plot`` under :data:`HOUSE_STYLE`, restoring those rcParams afterwards.

    Only the style's own keys are saved and restored (not a whole-rcParams
    snapshot as ``plt.rc_context`` takes): the first figure of a session picks
    the backend, and Jupyter's inline backend switches interactive mode on as it
    loads; restoring a snapshot from before that would stop later figures showing.
    """
    @functools.wraps(plot)
    def styled(*args, **kwargs):
        saved = {key: plt.rcParams[key] for key in HOUSE_STYLE}
        plt.rcParams.update(HOUSE_STYLE)
        try:
            return plot(*args, **kwargs)
        finally:
            plt.rcParams.update(saved)
    return styled


def axis_label(da):
    """``long_name [units]`` from a DataArray's attrs (units ``1`` is left out)."""
    name = da.attrs.get("long_name", da.name or "")
    units = da.attrs.get("units", "")
    return f"{name} [{units}]" if units and units != "1" else str(name)


@house_style
def plot_retention(data, ax=None, band=(0.1, 0.9), min_events=10, few_events=100,
                   **curve_kwargs):
    """Retention curve(s) on a log retention-interval axis.

    One line per combination of the dims other than ``lag`` and ``replicate``,
    labelled ``name=value``.

    Parameters
    ----------
    data : xarray.DataArray or xarray.Dataset
        A retention curve (dim ``lag``; from :func:`analysis.retention_curve` or a
        sweep), or per-event results, which are turned into one first
        (``curve_kwargs`` go to :func:`retention_curve`).
    ax : matplotlib Axes, optional
    band : (float, float) or None
        With a ``replicate`` dim: the line is the mean over replicates and the
        shaded band spans these quantiles across them; None for no band.
    min_events : int
        Bins whose mean rests on fewer events than this (the ``n_events`` coord)
        are not drawn: at long retention intervals a handful of events gives a
        mean that is mostly noise and would read as a rising curve.
    few_events : int
        Bins whose mean rests on fewer events than this (summed over
        replicates) are drawn with hollow markers, said in the legend.
    **curve_kwargs
        Passed to :func:`retention_curve` when ``data`` holds per-event results.

    Returns
    -------
    matplotlib.axes.Axes
    """
    curve = retention_curve(data, **curve_kwargs) if isinstance(data, xr.Dataset) else data
    if not isinstance(curve, xr.DataArray) or "lag" not in curve.dims:
        raise ValueError("data must be a retention curve (DataArray with dim 'lag') "
                         "or a per-event Dataset")
    check_number("min_events", min_events, 0, None, integer=True)
    n_sparse = 0
    if "n_events" in curve.coords:
        sparse = (curve["n_events"] < min_events) & curve.notnull()
        n_sparse = int(sparse.any([d for d in sparse.dims if d == "replicate"]).sum())
        curve = curve.where(curve["n_events"] >= min_events)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    if not curve.notnull().any():
        ax.text(0.5, 0.5, "nothing to plot: no event has a recall probability\n"
                "(a model that recalls only at TEST events needs a stream with TEST events)",
                ha="center", va="center", transform=ax.transAxes, wrap=True)
        ax.set_axis_off()
        return ax
    line_dims = [d for d in curve.dims if d not in ("lag", "replicate")]
    banded, n_few = False, 0
    combos = itertools.product(*(range(curve.sizes[d]) for d in line_dims))
    for combo in combos:
        selection = dict(zip(line_dims, combo))
        line = curve.isel(selection)
        label = ", ".join(f"{d}={_short(curve[d].values[i])}" for d, i in selection.items())
        if "replicate" in line.dims:
            mean = line.mean("replicate")
            drawn = _draw(ax, line["lag"], mean, _counts(line), few_events, label)
            if band is not None and line.sizes["replicate"] > 1:
                with warnings.catch_warnings():  # bins empty in every replicate: no band
                    warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                    low, high = line.quantile(list(band), dim="replicate").values
                ax.fill_between(line["lag"], low, high, color=drawn[0].get_color(),
                                alpha=0.2, linewidth=0)
                banded = True
        else:
            drawn = _draw(ax, line["lag"], line, _counts(line), few_events, label)
        n_few += drawn[1]
    ax.set_xscale("log")
    ax.set_xlabel(axis_label(curve["lag"]))
    ax.set_ylabel(axis_label(curve))
    if curve.attrs.get("units", "1") == "1" and np.nanmax(curve.values, initial=0) <= 1:
        ax.set_ylim(0, 1.02)
    handles, labels = ax.get_legend_handles_labels()
    if banded:
        handles.append(Patch(color="0.6", alpha=0.4))
        labels.append(f"{band[0]:.0%}-{band[1]:.0%} of {curve.sizes['replicate']} "
                      f"replicates around their mean")
    if n_few:
        handles.append(Line2D([], [], linestyle="none", marker="o", ms=4, mfc="white",
                              color="0.4"))
        labels.append(f"hollow: mean of < {few_events} events")
    if n_sparse:
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(f"{n_sparse} bin{'s' if n_sparse > 1 else ''} with < {min_events} "
                      f"events not drawn")
    if handles:
        ax.legend(handles, labels, fontsize="small", frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return ax


MODEL_NAMES = {"ACTR": "ACT-R", "Hebbian": "Hebbian network", "SGDLearner": "SGD learner",
               "FSRS": "FSRS", "Ebisu": "Ebisu", "HLR": "half-life regression"}
"""Models' names in words, for titles."""


def title_in_words(attrs):
    """A figure title in words from a dataset's attrs: model, environment and what
    was swept, e.g. "ACT-R in a power-law environment, over decay x exponent".

    Parameters
    ----------
    attrs : dict
        A run's, sweep's or demo's attrs (``agent``, ``environment``, ``grid``).

    Returns
    -------
    str
        The title; ``""`` when the attrs name no model.
    """
    agent = attrs.get("agent")
    if not agent:
        return ""
    words = MODEL_NAMES.get(agent, agent)
    environment = attrs.get("environment")
    if environment:
        words += f" in {_ENVIRONMENT_NAMES.get(environment, environment.replace('_', ' '))}"
    names = [name for name, _ in _grid(attrs)]
    if names:
        words += ", over " + " x ".join(name.replace("_", " ") for name in names)
    return words


_ENVIRONMENT_NAMES = {"power_law": "a power-law environment", "zipf": "a Zipf environment",
                      "sequential_tasks": "sequential tasks",
                      "reoccurrence": "re-occurring classes",
                      "permuted_tasks": "permuted tasks"}


def _grid(attrs):
    import json
    spec = attrs.get("sweep")
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except ValueError:
            return []
    grid = spec.get("grid", []) if isinstance(spec, dict) else []
    regimes = [["regime", None]] if isinstance(spec, dict) and spec.get("regimes") else []
    return regimes + [list(item) for item in grid]


def _counts(line):
    """Events behind each point of a line (summed over replicates), or None."""
    if "n_events" not in line.coords:
        return None
    counts = line["n_events"].where(line.notnull(), 0)
    return counts.sum("replicate") if "replicate" in counts.dims else counts


def _draw(ax, lag, y, counts, few_events, label):
    """A line with filled markers, hollow ones where the points rest on few events;
    returns ``(the line, number of hollow points)``."""
    lag, y = np.asarray(lag, float), np.asarray(y, float)
    if counts is None:
        return ax.plot(lag, y, marker="o", ms=3, label=label or None)[0], 0
    few = (np.asarray(counts) < few_events) & np.isfinite(y)
    line = ax.plot(lag, y, marker="o", ms=3, markevery=list(np.flatnonzero(~few)),
                   label=label or None)[0]
    if few.any():
        ax.plot(lag[few], y[few], linestyle="none", marker="o", ms=4, mfc="white",
                color=line.get_color())
    return line, int(few.sum())


def _short(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


@house_style
def plot_retention_grid(data, col, variable="p_recall", band=(0.1, 0.9), min_events=10):
    """One retention panel per value of dim ``col``, sharing the y axis; returns the Figure.

    ``data`` is a retention DataArray or a Dataset holding one as ``variable``
    (as written by a sweep or ``cogmemsim demo``); ``band`` and ``min_events`` as
    in :func:`plot_retention`.

    Parameters
    ----------
    data : xarray.DataArray or xarray.Dataset
        Retention curves with dims ``lag``, ``col`` and optionally ``replicate``
        and one more dim drawn as lines.
    col : str
        The dim whose values get a panel each.
    variable : str
        The variable of a Dataset to draw.
    band : (float, float) or None
        Quantiles across replicates shaded around the mean; None for none.
    min_events : int
        Bins resting on fewer events are not drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    curve = data[variable] if isinstance(data, xr.Dataset) else data
    if col not in curve.dims:
        raise ValueError(f"col must be a dim of the data {tuple(curve.dims)}, got {col!r}")
    n = curve.sizes[col]
    figure, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.8), sharey=True,
                                layout="constrained", squeeze=False)
    for ax, value in zip(axes[0], curve[col].values):
        plot_retention(curve.sel({col: value}), ax=ax, band=band, min_events=min_events)
        ax.set_title(f"{axis_label(curve[col])} = {_short(value)}", fontsize="medium")
        if ax is not axes[0, 0]:
            ax.set_ylabel("")
    if "title" in curve.attrs or (isinstance(data, xr.Dataset) and "title" in data.attrs):
        figure.suptitle(data.attrs.get("title", curve.attrs.get("title")))
    return figure


@house_style
def plot_forgetting(data, models=None, figure=None):
    """Retention and the fitted forgetting functions on log-log axes, with residuals.

    Parameters
    ----------
    data : xarray.Dataset, xarray.DataArray or (delays, retention)
        One curve's fit from :func:`analysis.fit_forgetting`, or a retention curve
        to fit first (with ``models``).
    models : sequence of str, optional
        Which fitted forms to draw (default: every form whose fit succeeded).
    figure : matplotlib Figure, optional
        Drawn into (two stacked panels); a new one by default.

    Returns
    -------
    matplotlib.figure.Figure
        Top: the data (points) and each form (line, labelled with its formula
        and AIC difference from the best) on log-log axes. Bottom: residuals
        (data minus fit) against the retention interval.
    """
    fit = data if isinstance(data, xr.Dataset) else fit_forgetting(
        data, **({"models": models} if models is not None else {}))
    if "estimate" not in fit or "retention" not in fit:
        raise ValueError("data must be a fit from analysis.fit_forgetting or a retention curve")
    extra = [d for d in fit["retention"].dims if d != "lag"]
    if extra:
        raise ValueError(f"plot_forgetting draws one curve: select a cell of the dims {extra} "
                         f"first, e.g. fit.isel({extra[0]}=0)")
    if models is None:
        models = [str(m) for m in fit["model"].values if fit_succeeded(fit["fit_status"].sel(model=m).item())]
    if figure is None:
        figure = plt.figure(figsize=(6, 5.5), layout="constrained")
    top_ax, residual_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    lag, retention = fit["lag"].values, fit["retention"].values
    dense = np.geomspace(lag.min(), lag.max(), 200)
    top = SCALES[fit.attrs.get("scale", "proportion")]
    for model in models:
        params = fit["estimate"].sel(model=model, parameter=list(FORMS[model].parameters)).values
        delta = float(fit["delta_aic"].sel(model=model))
        curve = FORMS[model](dense, *params, top=top)
        colour = MODEL_COLOURS[model]
        top_ax.plot(dense, np.where(curve > 0, curve, np.nan), color=colour,
                    label=f"{model}: {FORMS[model].formula} (\u0394AIC {delta:.1f})")
        residual_ax.plot(lag, retention - fit["fitted"].sel(model=model).values, "o-",
                         color=colour, ms=3, lw=1)
    top_ax.plot(lag, retention, "ko", ms=5, label="data", zorder=3)
    top_ax.set_xscale("log")
    top_ax.set_yscale("log")
    # the data set the range: an extrapolated exponential can plunge decades below it
    observed = retention[np.isfinite(retention) & (retention > 0)]
    if observed.size:
        top_ax.set_ylim(observed.min() / 2, observed.max() * 1.5)
    # plain numbers (20, 30, 50) on the retention axis: it rarely spans two decades
    for setter in (top_ax.yaxis.set_major_formatter, top_ax.yaxis.set_minor_formatter):
        setter(plt.matplotlib.ticker.LogFormatter(labelOnlyBase=False,
                                                  minor_thresholds=(2, 0.4)))
    top_ax.set_ylabel(axis_label(fit["retention"]))
    top_ax.legend()
    if fit.sizes.get("model"):
        top_ax.set_title(f"best by AIC: {fit['best_model'].item() or 'none'}")
    residual_ax.axhline(0, color="0.3", lw=0.8)
    residual_ax.set_xlabel(axis_label(fit["lag"]))
    units = fit["retention"].attrs.get("units", "1")
    residual_ax.set_ylabel("residual" + (f" [{units}]" if units != "1" else ""))
    return figure


@house_style
def plot_sweep(data, x=None, y=None, col=None, ax=None, annotate=None, **pcolormesh_kwargs):
    """Heatmap of a summary over two swept parameters (one panel per ``col`` value).

    Parameters
    ----------
    data : xarray.DataArray
        A summary with two dims named after swept parameters (e.g. ``decay``,
        ``exponent``), and optionally a third given as ``col``. Numbers are
        coloured on one scale with a colourbar labelled from ``long_name`` and
        ``units``; text (e.g. ``best_model`` of a fit) gets one colour per value
        and a legend.
    x, y : str, optional
        The dims along the axes (default: the last dim along x, the other along y).
    col : str, optional
        A third dim: one panel per value, sharing the colour scale.
    ax : matplotlib Axes, optional
        For a single panel.
    annotate : bool, optional
        Write each cell's value in it (default: when there are at most 64 cells).
    **pcolormesh_kwargs
        Passed to matplotlib's ``pcolormesh`` for numbers.

    Returns
    -------
    matplotlib Axes (one panel) or Figure (with ``col``).
    """
    if not isinstance(data, xr.DataArray):
        raise ValueError(f"data must be a DataArray, got {type(data).__name__} "
                         "(pick a variable: ds['name'])")
    panel_dims = [d for d in data.dims if d != col]
    if col is not None and col not in data.dims:
        raise ValueError(f"col must be a dim of the data {tuple(data.dims)}, got {col!r}")
    if len(panel_dims) != 2:
        raise ValueError(f"data must have two dims besides col (the swept parameters), "
                         f"got {tuple(panel_dims)}; select or reduce the others first")
    if x is None and y is None:
        y, x = panel_dims
    elif x is None:
        x = next((d for d in panel_dims if d != y), None)
    elif y is None:
        y = next((d for d in panel_dims if d != x), None)
    if {x, y} != set(panel_dims):
        raise ValueError(f"x and y must be the two dims {tuple(panel_dims)}, got {x!r}, {y!r}")
    categorical = data.dtype.kind in "OUS"
    if categorical:
        categories = sorted({str(v) for v in data.values.ravel()})
        codes = xr.DataArray(np.vectorize(lambda v: categories.index(str(v)))(data.values),
                             dims=data.dims, coords=data.coords)
        colours = [MODEL_COLOURS.get(c, f"C{k % 10}") for k, c in enumerate(categories)]
        cmap = plt.matplotlib.colors.ListedColormap(colours)
        pcolormesh_kwargs = {"cmap": cmap, "vmin": -0.5, "vmax": len(categories) - 0.5,
                             **pcolormesh_kwargs}
        values = codes
    else:
        values = data.astype(float)
        finite = values.values[np.isfinite(values.values)]
        pcolormesh_kwargs.setdefault("vmin", finite.min() if finite.size else 0)
        pcolormesh_kwargs.setdefault("vmax", finite.max() if finite.size else 1)
    if annotate is None:
        annotate = data.sizes[x] * data.sizes[y] <= 64
    if col is None:
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
        mesh = _heatmap(ax, values.transpose(y, x), data.transpose(y, x), annotate,
                        pcolormesh_kwargs)
        _sweep_legend(ax.figure, [ax], mesh, data, categorical)
        return ax
    n = data.sizes[col]
    figure, axes = plt.subplots(1, n, figsize=(4.2 * n + 1.2, 3.8), sharey=True,
                                layout="constrained", squeeze=False)
    for k, panel in enumerate(axes[0]):
        selection = {col: k}
        mesh = _heatmap(panel, values.isel(selection).transpose(y, x),
                        data.isel(selection).transpose(y, x), annotate, pcolormesh_kwargs)
        panel.set_title(f"{axis_label(data[col])} = {_short(data[col].values[k])}")
        if k:
            panel.set_ylabel("")
    _sweep_legend(figure, list(axes[0]), mesh, data, categorical)
    return figure


def _heatmap(ax, values, labels, annotate, pcolormesh_kwargs):
    """One panel: cells at integer positions, ticks labelled with the coordinate values."""
    y, x = values.dims
    mesh = ax.pcolormesh(np.arange(values.sizes[x] + 1) - 0.5,
                         np.arange(values.sizes[y] + 1) - 0.5,
                         np.ma.masked_invalid(values.values.astype(float)), **pcolormesh_kwargs)
    for axis, dim in ((ax.xaxis, x), (ax.yaxis, y)):
        axis.set_ticks(np.arange(values.sizes[dim]))
        axis.set_ticklabels([_short(v) for v in values[dim].values])
    ax.set_xlabel(axis_label(values[x]))
    ax.set_ylabel(axis_label(values[y]))
    ax.grid(False)
    if annotate:
        for (i, j), text in np.ndenumerate(labels.values):
            shown = f"{text:.3g}" if isinstance(text, (float, np.floating)) else str(text)
            red, green, blue, _ = mesh.cmap(mesh.norm(values.values[i, j]))
            # dark text on light cells (relative luminance, ITU-R BT.709)
            light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5
            ax.text(j, i, shown, ha="center", va="center", fontsize="x-small",
                    color="black" if light else "white")
    return mesh


def _sweep_legend(figure, axes, mesh, data, categorical):
    if categorical:
        categories = sorted({str(v) for v in data.values.ravel()})
        handles = [plt.matplotlib.patches.Patch(color=mesh.cmap(k), label=c or "none")
                   for k, c in enumerate(categories)]
        axes[-1].legend(handles=handles, title=data.attrs.get("long_name"),
                        loc="upper left", bbox_to_anchor=(1.02, 1))
    else:
        figure.colorbar(mesh, ax=axes, label=axis_label(data))


@house_style
def plot_fit_comparison(fit, ax=None):
    """AIC differences of the forgetting functions: how much worse than the best.

    Parameters
    ----------
    fit : xarray.Dataset
        From :func:`analysis.fit_forgetting`. With one curve: a bar per model.
        With more (a sweep): the median over curves as a bar, each curve as a
        dot, and how often each model was best.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        Models on the y axis (best at the top); failed fits are marked "failed".
    """
    if not isinstance(fit, xr.Dataset) or "delta_aic" not in fit:
        raise ValueError("fit must be a Dataset from analysis.fit_forgetting")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 * fit.sizes["model"] + 1.2), layout="constrained")
    cells = fit["delta_aic"].transpose("model", ...).values.reshape(fit.sizes["model"], -1)
    models = [str(m) for m in fit["model"].values]
    with np.errstate(all="ignore"):
        median = np.array([np.nanmedian(row) if np.isfinite(row).any() else np.nan
                           for row in cells])
    order = np.argsort(np.where(np.isfinite(median), median, np.inf))[::-1]
    best = fit["best_model"].values.ravel()
    for position, m in enumerate(order):
        colour = MODEL_COLOURS[models[m]]
        if not np.isfinite(median[m]):
            ax.text(0, position, " failed", va="center", color="0.4", fontsize="small")
            continue
        ax.barh(position, median[m], color=colour, alpha=0.6 if cells.shape[1] > 1 else 0.9)
        if cells.shape[1] > 1:
            jitter = (np.random.default_rng(m).random(cells.shape[1]) - 0.5) * 0.4
            ax.plot(cells[m], position + jitter, "o", color=colour, ms=3, alpha=0.8)
            share = np.mean(best == models[m])
            ax.text(1.01, position, f"best {share:.0%}", transform=ax.get_yaxis_transform(),
                    va="center", fontsize="small")
        else:
            ax.text(median[m], position, f" {median[m]:.1f}", va="center", fontsize="small")
    ax.set_yticks(np.arange(len(order)), [models[m] for m in order])
    if np.nanmax(cells, initial=0) > 100:
        ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("\u0394AIC (AIC - best AIC)" + (" [median over curves]"
                                                   if cells.shape[1] > 1 else ""))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    return ax
