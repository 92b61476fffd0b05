"""Reductions a run or a sweep keeps: binning per-event results by retention interval.

``analysis.retention_curve`` calls these same functions, so a sweep's stored
curves and a curve computed later from per-event data are one computation.
"""
import numpy as np
import xarray as xr

from simulator.variables import COORDINATES, lag_bin_coords, variable_attrs


def log_lag_bins(lag, n_bins=20):
    """``n_bins + 1`` log-spaced edges spanning the finite positive values of ``lag``."""
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"bins must be an integer >= 1 or an array of edges, got {n_bins!r}")
    lag = np.asarray(lag, dtype=float)
    positive = lag[np.isfinite(lag) & (lag > 0)]
    if positive.size == 0:
        raise ValueError("lag has no finite positive values: no item was presented twice")
    low, high = positive.min(), positive.max()
    if high <= low:
        high = low * 10.0
    # widen the top edge a hair so the largest lag falls inside the last bin
    return np.geomspace(low, high * (1 + 1e-9), n_bins + 1)


def check_bin_edges(edges):
    """Edges as a float array: 1-D, at least two, positive, strictly increasing."""
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError(f"bins must be a 1-D array of at least 2 edges, got shape {edges.shape}")
    if not np.all(np.isfinite(edges)) or edges[0] <= 0 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins must be finite, positive and strictly increasing")
    return edges


def lag_bin_means(lag, values, edges):
    """Mean of ``values`` per lag bin ``[edges[k], edges[k+1])`` over the last axis.

    ``lag`` and ``values`` broadcast to one shape ``(..., n_events)`` (several value
    arrays over one ``lag`` share its bin search); events whose lag or value is NaN,
    or whose lag falls outside the edges, are left out. Returns ``(means, counts)``
    of shape ``(..., n_bins)``; an empty bin's mean is NaN.
    """
    lag = np.asarray(lag, dtype=float)
    values = np.asarray(values, dtype=float)
    n_bins = len(edges) - 1
    bin_index = np.searchsorted(edges, lag, side="right") - 1  # before broadcasting
    bin_index[np.isnan(lag)] = -1
    bin_index, values = np.broadcast_arrays(bin_index, values)
    lead = values.shape[:-1]
    flat_index = bin_index.reshape(-1, values.shape[-1])
    flat_values = values.reshape(-1, values.shape[-1])
    keep = (flat_index >= 0) & (flat_index < n_bins) & ~np.isnan(flat_values)
    row = np.broadcast_to(np.arange(flat_values.shape[0])[:, None], flat_values.shape)
    cell = row[keep] * n_bins + flat_index[keep]
    size = flat_values.shape[0] * n_bins
    counts = np.bincount(cell, minlength=size)
    sums = np.bincount(cell, weights=flat_values[keep], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means.reshape(lead + (n_bins,)), counts.reshape(lead + (n_bins,))


def bin_centres(edges):
    """Geometric centre of each bin (the natural midpoint on a log axis)."""
    return np.sqrt(edges[:-1] * edges[1:])


# What a sweep keeps of each run. Each takes the run's per-event Dataset and returns
# a Dataset whose data variables vary from run to run and whose coordinates (the lag
# bins, probe times, tasks) are shared by every run, so a sweep can stack them.

DEFAULT_LAG_EDGES = np.geomspace(1.0, 1e6, 25)
"""Default lag bin edges of a sweep: 4 log-spaced bins per decade from 1 s to 10^6 s."""


def keep_retention(ds, edges=DEFAULT_LAG_EDGES):
    """Retention curve of one run on fixed lag bins: mean ``p_recall`` and ``recalled``
    per bin and the number of events in it (``n_events``, a data variable because it
    differs between runs)."""
    means, counts = lag_bin_means(ds["lag"].values,
                                  np.stack([ds["p_recall"].values, ds["recalled"].values]), edges)
    (p_recall, recalled), counts = means, counts[0]
    return xr.Dataset(
        {
            "p_recall": ("lag", p_recall, variable_attrs("p_recall")),
            "recalled": ("lag", recalled, variable_attrs("recalled")),
            "n_events": ("lag", counts, COORDINATES["n_events"]),
        },
        coords=lag_bin_coords(edges),
    )


def keep_probes(ds, n_probes=None, tasks=None):
    """The run's ``probe_accuracy`` (probe x task) and the items per task.

    With ``n_probes`` and ``tasks`` (probe times given by a rule, so runs may
    differ in probes and tasks) the result is padded by :func:`pad_probes`.
    """
    if "probe_accuracy" not in ds:
        raise ValueError("reduce='probes' needs probe_times")
    kept = ds[["probe_accuracy", "task_items"]].reset_coords("task_items")
    return kept if n_probes is None else pad_probes(kept, n_probes, tasks)


def pad_probes(kept, n_probes, tasks):
    """Probe results on a common extent, so runs with different numbers of probes
    or tasks (e.g. a sweep over ``n_tasks`` probed at task ends) stack in a sweep.

    The ``probe`` dim becomes ``0 .. n_probes - 1`` and ``task`` becomes
    ``tasks``, NaN where the run had no such probe or task; ``probe_time``
    (differing between runs) becomes a data variable, NaN on padded probes,
    and ``task_items`` a float (NaN on padded tasks).
    """
    if kept.sizes["probe"] > n_probes or not np.isin(kept["task"].values, tasks).all():
        raise ValueError(f"the run has {kept.sizes['probe']} probes and tasks "
                         f"{kept['task'].values.tolist()}, beyond the sweep's extent "
                         f"({n_probes} probes, tasks {list(tasks)})")
    kept = kept.reset_coords("probe_time")
    kept["task_items"] = kept["task_items"].astype(np.float64)
    return kept.reindex(probe=np.arange(n_probes), task=np.asarray(tasks))


def keep_events(ds):
    """Every per-event variable; the stream's ``time``, ``item``, ``kind`` (and
    ``event_task``) become data variables because each run may meet another stream."""
    kept = ds.reset_coords()
    kept.attrs = {}
    return kept


def keep_need(ds):
    """A :func:`simulator.predict_need` run reduced to ``hit_rate`` and
    ``mean_reciprocal_rank`` per ranking (dim ``model``); a sweep with
    ``reduce="need"`` runs :func:`simulator.predict_need` in place of
    :func:`simulator.run`."""
    kept = ds[["hit_rate", "mean_reciprocal_rank"]]
    kept.attrs = {}
    return kept
