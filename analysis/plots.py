"""Plots of what agents remember. Each returns its Axes; nothing calls ``plt.show()``."""
import itertools

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from .retention import retention_curve


def axis_label(da):
    """``long_name [units]`` from a DataArray's attrs (units ``1`` is left out)."""
    name = da.attrs.get("long_name", da.name or "")
    units = da.attrs.get("units", "")
    return f"{name} [{units}]" if units and units != "1" else str(name)


def plot_retention(data, ax=None, band=(0.1, 0.9), **curve_kwargs):
    """Retention curve(s) on a log retention-interval axis.

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

    One line per combination of the dims other than ``lag`` and ``replicate``,
    labelled ``name=value``.
    """
    curve = retention_curve(data, **curve_kwargs) if isinstance(data, xr.Dataset) else data
    if not isinstance(curve, xr.DataArray) or "lag" not in curve.dims:
        raise ValueError("data must be a retention curve (DataArray with dim 'lag') "
                         "or a per-event Dataset")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    line_dims = [d for d in curve.dims if d not in ("lag", "replicate")]
    combos = itertools.product(*(range(curve.sizes[d]) for d in line_dims))
    for combo in combos:
        selection = dict(zip(line_dims, combo))
        line = curve.isel(selection)
        label = ", ".join(f"{d}={_short(curve[d].values[i])}" for d, i in selection.items())
        if "replicate" in line.dims:
            mean = line.mean("replicate")
            drawn = ax.plot(line["lag"], mean, marker="o", ms=3, label=label or None)
            if band is not None and line.sizes["replicate"] > 1:
                low, high = line.quantile(list(band), dim="replicate").values
                ax.fill_between(line["lag"], low, high, color=drawn[0].get_color(),
                                alpha=0.2, linewidth=0)
        else:
            ax.plot(line["lag"], line, marker="o", ms=3, label=label or None)
    ax.set_xscale("log")
    ax.set_xlabel(axis_label(curve["lag"]))
    ax.set_ylabel(axis_label(curve))
    if curve.attrs.get("units", "1") == "1" and np.nanmax(curve.values, initial=0) <= 1:
        ax.set_ylim(0, 1.02)
    if line_dims:
        ax.legend(fontsize="small", frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def _short(value):
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def plot_retention_grid(data, col, variable="p_recall", band=(0.1, 0.9)):
    """One retention panel per value of dim ``col``, sharing the y axis; returns the Figure.

    ``data`` is a retention DataArray or a Dataset holding one as ``variable``
    (as written by a sweep or ``cogmemsim demo``).
    """
    curve = data[variable] if isinstance(data, xr.Dataset) else data
    if col not in curve.dims:
        raise ValueError(f"col must be a dim of the data {tuple(curve.dims)}, got {col!r}")
    n = curve.sizes[col]
    figure, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.8), sharey=True,
                                layout="constrained", squeeze=False)
    for ax, value in zip(axes[0], curve[col].values):
        plot_retention(curve.sel({col: value}), ax=ax, band=band)
        ax.set_title(f"{axis_label(curve[col])} = {_short(value)}", fontsize="medium")
        if ax is not axes[0, 0]:
            ax.set_ylabel("")
    if "title" in curve.attrs or (isinstance(data, xr.Dataset) and "title" in data.attrs):
        figure.suptitle(data.attrs.get("title", curve.attrs.get("title")))
    return figure
