"""Retention curves: recall as a function of retention interval."""
import warnings

import numpy as np
import xarray as xr

from environments import STUDY, TEST
from simulator.variables import COORDINATES, REGISTRY, lag_bin_coords
from simulator.reductions import check_bin_edges, lag_bin_means, log_lag_bins

_KINDS = {"study": STUDY, "test": TEST}


def retention_curve(ds, bins=None, variable="p_recall", kind=None):
    """Mean recall per retention-interval bin: the retention (forgetting) curve.

    Parameters
    ----------
    ds : xarray.Dataset
        Per-event results (``simulator.run`` or a sweep with ``reduce="events"``):
        needs ``lag`` and ``variable`` over dim ``event``.
    bins : None, int or array_like
        Lag bin edges in seconds, or the number of log-spaced bins spanning the
        observed lags (default 20).
    variable : str
        What to average: ``"p_recall"`` (the analytic probability, smoother) or
        ``"recalled"`` (the simulated outcomes), or any per-event variable.
    kind : None, "study" or "test"
        Which events count as retention tests: all events with an earlier
        presentation (None: in a recency environment every need is a retrieval),
        or only events of that kind.

    Returns
    -------
    xarray.DataArray
        Dim ``lag`` (geometric bin centres, with ``lag_lower``/``lag_upper`` and the
        per-bin ``n_events`` as coords); every other dim of ``ds`` is kept.

    Warns
    -----
    RuntimeWarning
        When events with a lag have a NaN ``variable``: they are left out of
        ``n_events`` and the means.
    """
    if not isinstance(ds, xr.Dataset):
        raise ValueError(f"ds must be an xarray.Dataset, got {type(ds).__name__}")
    REGISTRY.validate(ds, required=("lag", variable), where="retention_curve")
    for name in ("lag", variable):
        if "event" not in ds[name].dims:
            raise ValueError(f"ds must have a per-event variable {name!r} (dim 'event')")
    lag = ds["lag"]
    if kind is not None:
        if kind not in _KINDS:
            raise ValueError(f"kind must be None, 'study' or 'test', got {kind!r}")
        lag = lag.where(ds["kind"] == _KINDS[kind])
    if bins is None or isinstance(bins, (int, np.integer)):
        edges = log_lag_bins(lag.values, 20 if bins is None else bins)
    else:
        edges = check_bin_edges(bins)

    values = ds[variable].astype(float)
    # an event with an earlier presentation but no number would vanish from its bin
    missing = int((lag.notnull() & values.isnull()).sum())
    if missing:
        warnings.warn(f"retention_curve: {missing} events with a lag have no {variable} "
                      f"(NaN) and are left out of the curve", RuntimeWarning, stacklevel=2)
    means, counts = xr.apply_ufunc(
        lag_bin_means, lag, values, kwargs={"edges": edges},
        input_core_dims=[["event"], ["event"]], output_core_dims=[["lag"], ["lag"]],
        dask="forbidden",
    )
    curve = means.assign_coords(
        **lag_bin_coords(edges, bounds=False),
        n_events=(counts.dims, counts.values, COORDINATES["n_events"]),
    )
    curve.name = variable
    curve.attrs = dict(ds.attrs)
    curve.attrs.update({
        "long_name": ds[variable].attrs.get("long_name", variable),
        "units": ds[variable].attrs.get("units", "1"),
        "description": f"mean {variable} per retention-interval bin",
    })
    return curve
