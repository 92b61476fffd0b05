"""The environment analysis of Anderson & Schooler (1991): need probability vs time since last need.

Anderson & Schooler (1991, Psychological Science 2, "Reflections of the environment
in memory") counted, for words in New York Times headlines, speech to children and
e-mail, how often an item last needed ``lag`` days ago is needed again on a given
day: the probability falls as a power function of ``lag``, as memory's retention
does. :func:`need_probability` makes that measurement on any EventStream,
:func:`fit_power_law` fits the exponent and :func:`plot_need_probability` draws it on
log-log axes.
"""
import matplotlib.pyplot as plt
import numpy as np
import scipy.stats
import xarray as xr

from environments import EventStream
from environments.validation import check_number
from environments.stream import flat_attrs

from analysis._need_kernels import need_counts, next_need_gap

NEED_VARIABLES = {
    "need_probability": {
        "long_name": "need probability",
        "units": "1",
        "description": "fraction of items last needed `lag` ago that are needed within the window",
    },
    "need_ratio": {
        "long_name": "need probability / base rate",
        "units": "1",
        "description": "needs within the window over the needs expected if each at-risk item "
                       "were needed at its own average rate (1: no recency effect)",
    },
    "n_at_risk": {
        "long_name": "items at risk",
        "units": "1",
        "description": "occasions an item was last needed `lag` ago and its window was observed",
    },
    "n_needed": {
        "long_name": "items needed",
        "units": "1",
        "description": "of the items at risk, those needed within the window",
    },
    "n_expected": {
        "long_name": "needs expected at base rate",
        "units": "1",
        "description": "sum over the items at risk of their average rate times the window",
    },
}


def need_probability(stream, window=None, lags=None):
    """Probability that an item is needed within ``window`` after ``lag`` without need.

    For every event (a need) of item ``i`` at ``t0`` and each lag ``L``: if ``i``
    is not needed in ``(t0, t0 + L)`` and the window ``[t0 + L, t0 + L + window)``
    lies inside the stream, the occasion is *at risk*; it is *needed* if ``i``
    occurs in that window. ``need_probability = n_needed / n_at_risk``
    (Anderson & Schooler 1991, their Figure 1: window one day, lags in days).
    Every event counts as a need, whatever its kind.

    Pooling items of different frequency confounds recency with frequency: at long
    lags only rare items are still at risk, so even an environment without
    recency (:func:`environments.zipf`) shows a falling ``need_probability``.
    ``need_ratio`` divides the needs by those expected if each at-risk item were
    needed at its own average rate (its number of events over the stream's span,
    times the window; exact for one event per time step and a one-step window):
    1 at every lag when need odds do not depend on recency.

    Parameters
    ----------
    stream : environments.EventStream
    window : float, optional
        Width of the window in seconds, > 0; default the median time between
        successive events (one step of a stepped stream).
    lags : array_like of float, optional
        Increasing lags in seconds, > 0; default about 25 log-spaced multiples of
        ``window`` from ``window`` to a tenth of the stream's span.

    Returns
    -------
    xarray.Dataset
        Over dim ``lag``: ``need_probability``, ``need_ratio``, ``n_at_risk``,
        ``n_needed``, ``n_expected``; attrs ``window`` and the stream's meta.
    """
    if not isinstance(stream, EventStream):
        raise ValueError(f"stream must be an environments.EventStream, "
                         f"got {type(stream).__name__}")
    time = stream.time
    span = time[-1] - time[0] if len(stream) else 0.0
    if not span > 0:
        raise ValueError("stream must span a positive time (at least two distinct event times)")
    if window is None:
        steps = np.diff(time)
        window = float(np.median(steps[steps > 0]))
    window = float(check_number("window", window, 0.0, span, low_open=True))
    lags = _check_lags(lags, window, span)

    gap = next_need_gap(time, stream.item, stream.n_items)
    item_rate = np.bincount(stream.item, minlength=stream.n_items) / span
    n_at_risk, n_needed, expected = need_counts(time, stream.item, gap, item_rate, lags,
                                                window, float(time[-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        probability = np.where(n_at_risk > 0, n_needed / n_at_risk, np.nan)
        ratio = np.where(expected > 0, n_needed / expected, np.nan)
    values = {"need_probability": probability, "need_ratio": ratio, "n_at_risk": n_at_risk,
              "n_needed": n_needed, "n_expected": expected}
    data = {name: ("lag", values[name], dict(spec)) for name, spec in NEED_VARIABLES.items()}
    attrs = {"window": window, "window_units": "s"}
    attrs.update(flat_attrs(stream.meta, prefix="environment"))
    return xr.Dataset(
        data,
        coords={"lag": ("lag", lags, {"long_name": "time since last need", "units": "s"})},
        attrs=attrs,
    )


def _check_lags(lags, window, span):
    if lags is None:
        top = max(span / 10.0, window)
        steps = np.unique(np.round(np.geomspace(1.0, top / window, 25)))
        return steps * window
    try:
        lags = np.array(lags, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"lags must be an array of times in seconds, got {lags!r}") from None
    if (len(lags) == 0 or not np.all(np.isfinite(lags)) or np.any(lags <= 0)
            or np.any(np.diff(lags) <= 0)):
        raise ValueError("lags must be a non-empty, increasing array of times > 0 s")
    return lags


def fit_power_law(need, variable="need_probability", lag_min=None, lag_max=None,
                  min_needed=10, confidence=0.95):
    """Fit ``need = scale * lag ** -exponent`` on log-log axes; exponent with its interval.

    Ordinary least squares of ``ln need`` on ``ln lag``, as Anderson & Schooler (1991)
    fitted straight lines on log-log axes, over the lags (log-spaced by default)
    whose estimate rests on at least ``min_needed`` needs. Unweighted on purpose:
    the shortest lags hold most needs, and weighting by them would let the first
    point or two decide the slope. The interval is Student's t over the slope's
    standard error from the residual scatter.

    Parameters
    ----------
    need : xarray.Dataset
        From :func:`need_probability`.
    variable : {"need_probability", "need_ratio"}
    lag_min, lag_max : float, optional
        Fit only lags in ``[lag_min, lag_max]`` seconds.
    min_needed : int
        Leave out lags with fewer needs than this (noisy or zero), >= 1.
    confidence : float
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    xarray.Dataset
        Scalars ``exponent`` (positive when need falls with lag), ``exponent_lower``,
        ``exponent_upper`` and ``scale``; attrs ``confidence``, ``variable``,
        ``lag_min``, ``lag_max`` (the lags fitted), ``min_needed``, ``n_lags``.
    """
    if not isinstance(need, xr.Dataset) or "n_needed" not in need or "lag" not in need.dims:
        raise ValueError("need must be the Dataset returned by analysis.need_probability")
    if variable not in ("need_probability", "need_ratio"):
        raise ValueError(f"variable must be 'need_probability' or 'need_ratio', "
                         f"got {variable!r}")
    min_needed = check_number("min_needed", min_needed, 1, None, integer=True)
    confidence = check_number("confidence", confidence, 0.0, 1.0, low_open=True,
                              high_open=True)
    lag = need["lag"].values
    low = 0.0 if lag_min is None else check_number("lag_min", lag_min, 0.0, None)
    high = np.inf if lag_max is None else check_number("lag_max", lag_max, 0.0, None)
    used = (lag >= low) & (lag <= high) & (need["n_needed"].values >= min_needed)
    if used.sum() < 3:
        raise ValueError(f"need must have at least 3 lags in [{low}, {high}] with "
                         f">= {min_needed} needs to fit, got {int(used.sum())}")
    fit = scipy.stats.linregress(np.log(lag[used]), np.log(need[variable].values[used]))
    half = scipy.stats.t.ppf(0.5 + confidence / 2, used.sum() - 2) * fit.stderr
    exponent = -fit.slope

    def scalar(value, long_name, description):
        return ((), value, {"long_name": long_name, "units": "1", "description": description})

    return xr.Dataset(
        {
            "exponent": scalar(exponent, "power-law exponent",
                               f"{variable} ~ scale * lag ** -exponent"),
            "exponent_lower": scalar(exponent - half, "exponent lower bound",
                                     f"{confidence:g} confidence interval"),
            "exponent_upper": scalar(exponent + half, "exponent upper bound",
                                     f"{confidence:g} confidence interval"),
            "scale": scalar(np.exp(fit.intercept), "scale", f"{variable} at a lag of 1 s"),
        },
        attrs={"confidence": confidence, "variable": variable,
               "lag_min": float(lag[used].min()), "lag_max": float(lag[used].max()),
               "min_needed": min_needed, "n_lags": int(used.sum())},
    )


def plot_need_probability(need, variable="need_probability", fit=True, ax=None, label=None,
                          **fit_kwargs):
    """Need probability (or ratio) vs lag on log-log axes, with the fitted power law.

    Parameters
    ----------
    need : xarray.Dataset
        From :func:`need_probability`.
    variable : {"need_probability", "need_ratio"}
    fit : bool
        Draw the line of :func:`fit_power_law` (``fit_kwargs`` go to it), fill the
        points it used (the others stay hollow) and put its exponent and interval
        in the legend.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label of the points.
    **fit_kwargs
        Passed to :func:`fit_power_law`.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(need, xr.Dataset) or variable not in need:
        raise ValueError(f"need must be a need_probability Dataset holding {variable!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4), layout="constrained")
    values = need[variable]
    lag = need["lag"].values
    shown = values.values > 0
    points = ax.plot(lag[shown], values.values[shown], "o", ms=4, mfc="none",
                     label=None if fit else label)
    if fit:
        result = fit_power_law(need, variable=variable, **fit_kwargs)
        # the points the fit used are filled in
        used = shown & (lag >= result.attrs["lag_min"]) & (lag <= result.attrs["lag_max"])
        used &= need["n_needed"].values >= result.attrs["min_needed"]
        colour = points[0].get_color()
        ax.plot(lag[used], values.values[used], "o", ms=4, color=colour)
        line_lag = np.geomspace(result.attrs["lag_min"], result.attrs["lag_max"], 50)
        a = float(result["exponent"])
        ax.plot(line_lag, float(result["scale"]) * line_lag ** -a, "-", color=colour,
                label=(f"{label + ': ' if label else ''}exponent {a:.2f} "
                       f"[{float(result['exponent_lower']):.2f}, "
                       f"{float(result['exponent_upper']):.2f}]"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    units = need["lag"].attrs.get("units", "")
    ax.set_xlabel(f"{need['lag'].attrs.get('long_name', 'lag')} [{units}]")
    ax.set_ylabel(values.attrs.get("long_name", variable))
    if label or fit:
        ax.legend(fontsize="small", frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return ax
