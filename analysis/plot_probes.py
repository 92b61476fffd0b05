"""Probe accuracy over time, one panel per task: the standard continual-learning figure."""
import warnings

import numpy as np
import matplotlib.pyplot as plt
import xarray as xr
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.continual import _learned_at
from analysis.plots import _short, axis_label, house_style

BAND = (0.1, 0.9)


def not_yet_met(acc):
    """Boolean DataArray over ``(probe, task)``: True where the probe came before the
    task's training began (the probe after the previous task was learned), where an
    accuracy says nothing about the task.

    Parameters
    ----------
    acc : xarray.DataArray
        Accuracy over ``probe`` and ``task``.

    Returns
    -------
    xarray.DataArray
        Boolean over ``(probe, task)``.
    """
    learned_at = _learned_at(None, acc.sizes["probe"], acc.sizes["task"])
    started = np.concatenate([[0], learned_at[:-1] + 1])
    mask = np.arange(acc.sizes["probe"])[:, None] < started[None, :]
    return xr.DataArray(mask, dims=("probe", "task"))


@house_style
def plot_probe_accuracy(acc, hue=None, band=BAND, title=None):
    """Accuracy of every task at each probe, one panel per task.

    The line is the mean over replicates, the shaded band the ``band``
    quantiles across them (said in the legend). Probes before a task's training
    began are left blank: the task has not been met, so an accuracy there is
    not forgetting. Every dim other than ``probe``, ``task``, ``replicate`` and
    ``hue`` must be selected first: nothing is averaged silently.

    Parameters
    ----------
    acc : xarray.DataArray or xarray.Dataset
        ``probe_accuracy`` over ``probe`` and ``task`` (or a Dataset holding
        it), optionally ``replicate`` and ``hue``; a ``probe_time`` coord puts
        probe times on the x axis.
    hue : str, optional
        A dim drawn as one line per value (e.g. ``regime``).
    band : (float, float) or None
        Quantiles across replicates to shade; None for none.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(acc, xr.Dataset):
        if "probe_accuracy" not in acc:
            raise ValueError("acc must hold probe_accuracy (run with probe_times=...)")
        acc = acc["probe_accuracy"]
    if not isinstance(acc, xr.DataArray) or not {"probe", "task"} <= set(acc.dims):
        raise ValueError("acc must be a DataArray with dims 'probe' and 'task'")
    if hue is not None and hue not in acc.dims:
        raise ValueError(f"hue must be a dim of acc {tuple(acc.dims)}, got {hue!r}")
    other = [d for d in acc.dims if d not in ("probe", "task", "replicate", hue)]
    if other:
        raise ValueError(f"select a value of {other} first (one figure per value), e.g. "
                         f"acc.sel({other[0]}=...): plot_probe_accuracy does not average "
                         f"over them")
    acc = acc.where(~not_yet_met(acc))
    if "probe_time" in acc.coords and acc["probe_time"].ndim == 1:
        x, x_label = acc["probe_time"].values, axis_label(acc["probe_time"])
    else:
        x, x_label = np.arange(acc.sizes["probe"]), "probe"
    n_tasks = acc.sizes["task"]
    n_cols = min(4, n_tasks)
    n_rows = -(-n_tasks // n_cols)
    figure, axes = plt.subplots(n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows + 0.6),
                                sharex=True, sharey=True, layout="constrained", squeeze=False)
    hues = acc[hue].values if hue is not None else [None]
    replicates = acc.sizes.get("replicate", 1)
    for t, ax in enumerate(axes.flat):
        if t >= n_tasks:
            ax.set_visible(False)
            continue
        for k, value in enumerate(hues):
            one = acc.isel(task=t) if value is None else acc.isel(task=t).sel({hue: value})
            colour = f"C{k}"
            label = None if value is None else f"{_short(value)}"
            if "replicate" in one.dims:
                ax.plot(x, one.mean("replicate"), marker="o", ms=3, color=colour, label=label)
                if band is not None and replicates > 1:
                    with warnings.catch_warnings():  # blank (not yet met) probes
                        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                        low, high = one.quantile(list(band), dim="replicate").values
                    ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
            else:
                ax.plot(x, one, marker="o", ms=3, color=colour, label=label)
        ax.set_title(f"task {_short(acc['task'].values[t])}", fontsize="medium")
        ax.set_ylim(-0.02, 1.02)
    for ax in axes[-1]:
        ax.set_xlabel(x_label)
        if x_label == "probe":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if band is not None and replicates > 1:
        handles.append(Patch(color="0.6", alpha=0.4))
        labels.append(f"{band[0]:.0%}-{band[1]:.0%} of {replicates} replicates"
                      f" around their mean")
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4),
                      title=axis_label(acc[hue]) if hue is not None else None, frameon=False)
    if title:
        figure.suptitle(title)
    return figure
