"""Fitting the classic forgetting functions to retention curves.

The forms (Rubin & Wenzel 1996, "One hundred years of forgetting", Psychological
Review 103; Wixted & Ebbesen 1991, Psychological Science 2; Ebbinghaus 1885):

==============  ==============================  ==========
power           ``a * t**-b``                   a, b
exponential     ``a * exp(-b * t)``             a, b
hyperbolic      ``a / (1 + b * t)``             a, b
logarithmic     ``a - b * ln(t)``               a, b
wickelgren      ``a * (1 + b * t)**-c``         a, b, c
ebbinghaus      ``M * k / (log10(t)**c + k)``   k, c
==============  ==============================  ==========

``t`` is the retention interval in the data's own unit (Ebbinghaus's constants
k = 1.84, c = 1.25 are for minutes) and ``M`` the top of the retention scale:
100 for percentages, as Ebbinghaus wrote it, 1 for proportions.

Fits are least squares (weighted by ``1 / sigma**2`` when the standard errors of
the data are known) by :func:`scipy.optimize.least_squares`, started from a
linearisation of each form or a grid search over its nonlinear parameters.
"""
import dataclasses
import warnings

import numpy as np
import xarray as xr
from scipy import optimize

PARAMETERS = ("a", "b", "c", "k")
"""Every parameter name used by a form; the ``parameter`` dim of a fit."""

SCALES = {"proportion": 1.0, "percent": 100.0}

FIT_FLAGS = ("perfect-fit", "degenerate", "non-identifiable")
"""``fit_status`` values of fits that converged but need care (see :func:`fit_forgetting`);
their numbers are kept. Any other status but ``"ok"`` is a failure (NaN numbers)."""
DEGENERATE_SCALE = 1e6
"""A rate ``b`` in ``(1 + b t)`` with ``b t`` above this at every delay, or below its inverse
at every delay, has run to a limit of the form; Ebbinghaus's ``k`` beyond ``1e12`` or below
``1e-12``."""
NON_IDENTIFIABLE_RSE = 1e4
"""A relative standard error above this (or none: singular ``J^T J``): not identifiable."""


def fit_succeeded(status):
    """Whether a ``fit_status`` is a converged fit (``"ok"`` or one of :data:`FIT_FLAGS`).

    Parameters
    ----------
    status : str

    Returns
    -------
    bool
    """
    return status == "ok" or status in FIT_FLAGS


def power(t, a, b):
    """Power forgetting ``a * t**-b`` (Wixted & Ebbesen 1991)."""
    return a * t ** -b


def exponential(t, a, b):
    """Exponential forgetting ``a * exp(-b * t)`` (Rubin & Wenzel 1996)."""
    return a * np.exp(-b * t)


def hyperbolic(t, a, b):
    """Hyperbolic forgetting ``a / (1 + b * t)`` (Rubin & Wenzel 1996)."""
    return a / (1.0 + b * t)


def logarithmic(t, a, b):
    """Logarithmic forgetting ``a - b * ln(t)`` (Rubin & Wenzel 1996)."""
    return a - b * np.log(t)


def wickelgren(t, a, b, c):
    """Wickelgren's (1974) power form with a shifted origin, ``a * (1 + b * t)**-c``."""
    return a * (1.0 + b * t) ** -c


def ebbinghaus(t, k, c, top=100.0):
    """Ebbinghaus's (1885, ch. 7) savings function ``top * k / (log10(t)**c + k)``.

    ``top`` is 100 for savings in percent (his form) and 1 for proportions; defined
    for ``t > 1`` (his unit: minutes).
    """
    return top * k / (np.log10(t) ** c + k)


@dataclasses.dataclass(frozen=True)
class ForgettingForm:
    """A forgetting function with its parameter names and fitting aids."""

    name: str
    function: object
    parameters: tuple
    formula: str
    amplitude: bool = False
    """Whether ``a`` multiplies the whole curve (and is solved in closed form)."""
    log_scale: tuple = ()
    """Parameters that must be positive, searched as their logarithms: a rate
    inside ``(1 + b t)`` (which keeps the denominator positive and lets a fit
    cross decades quickly) and Ebbinghaus's ``k``."""

    def __call__(self, t, *params, top=1.0):
        if self.name == "ebbinghaus":
            return self.function(t, *params, top=top)
        return self.function(t, *params)


FORMS = {form.name: form for form in (
    ForgettingForm("power", power, ("a", "b"), "a t^-b", amplitude=True),
    ForgettingForm("exponential", exponential, ("a", "b"), "a exp(-b t)", amplitude=True),
    ForgettingForm("hyperbolic", hyperbolic, ("a", "b"), "a / (1 + b t)", amplitude=True,
                   log_scale=("b",)),
    ForgettingForm("logarithmic", logarithmic, ("a", "b"), "a - b ln t"),
    ForgettingForm("wickelgren", wickelgren, ("a", "b", "c"), "a (1 + b t)^-c",
                   amplitude=True, log_scale=("b",)),
    ForgettingForm("ebbinghaus", ebbinghaus, ("k", "c"), "M k / ((log10 t)^c + k)",
                   log_scale=("k",)),
)}
"""The forgetting functions by name, in the order fits report them."""

MODELS = tuple(FORMS)

_TINY = 1e-300  # floor for a positive starting value before its logarithm is taken


# ---------------------------------------------------------------- starting values

def _linear_fit(x, y, w):
    """Weighted least-squares intercept and slope of ``y = p0 + p1 * x``."""
    design = np.column_stack([np.ones_like(x), x]) * w[:, None]
    coef, *_ = np.linalg.lstsq(design, y * w, rcond=None)
    return coef


def _best_amplitude(basis, y, w):
    """Least-squares ``a`` in ``y = a * basis`` per row of ``basis``; returns (a, SSE)."""
    wb, wy = basis * w, y * w
    with np.errstate(all="ignore"):
        a = (wb * wy).sum(axis=-1) / (wb * wb).sum(axis=-1)
        sse = ((wy - a[..., None] * wb) ** 2).sum(axis=-1)
    return a, np.where(np.isfinite(sse), sse, np.inf)


def _start(name, t, y, w, top):
    """A robust starting point: linearise the form, or grid-search its shape."""
    positive = y > 0
    if name == "power" and positive.sum() >= 2:
        intercept, slope = _linear_fit(np.log(t[positive]), np.log(y[positive]), w[positive])
        return np.array([np.exp(intercept), -slope])
    if name == "exponential" and positive.sum() >= 2:
        intercept, slope = _linear_fit(t[positive], np.log(y[positive]), w[positive])
        return np.array([np.exp(intercept), -slope])
    if name == "logarithmic":
        intercept, slope = _linear_fit(np.log(t), y, w)
        return np.array([intercept, -slope])
    if name == "ebbinghaus":
        # top / y - 1 = (log10 t)^c / k is a straight line on log axes
        inside = (y > 0) & (y < top)
        if inside.sum() >= 2:
            intercept, slope = _linear_fit(np.log(np.log10(t[inside])),
                                           np.log(top / y[inside] - 1.0), w[inside])
            return np.array([np.exp(-intercept), slope])
        return np.array([1.0, 1.0])
    # hyperbolic, Wickelgren, and power/exponential without positive data:
    # a enters linearly, so scan the shape parameters and solve for a
    rates = np.geomspace(1e-4, 1e4, 81) / np.median(t)
    if name == "hyperbolic":
        a, sse = _best_amplitude(1.0 / (1.0 + rates[:, None] * t), y, w)
        best = np.argmin(sse)
        return np.array([a[best], rates[best]])
    if name == "wickelgren":
        b, c = np.meshgrid(rates, np.geomspace(0.01, 10, 41), indexing="ij")
        basis = (1.0 + b[..., None] * t) ** -c[..., None]
        a, sse = _best_amplitude(basis, y, w)
        best = np.unravel_index(np.argmin(sse), sse.shape)
        return np.array([a[best], b[best], c[best]])
    return np.array([max(np.max(y), 1e-3), 0.5 if name == "power" else 1.0 / np.median(t)])


# ---------------------------------------------------------------- one curve

def _fit_one_form(form, t, y, sigma, top):
    """Fit one form to one curve; returns (params, std_errors, reason or '').

    Forms whose ``a`` scales the whole curve are fitted by variable projection
    (Golub & Pereyra 1973): ``a`` is solved in closed form for every shape, so the
    search runs over the shape parameters only and cannot stall while ``a`` and
    ``b`` trade off (a power-like curve sends Wickelgren's ``b`` and ``a`` to
    infinity together). Positive parameters (``ForgettingForm.log_scale``) are
    searched as logarithms, so Levenberg-Marquardt runs unbounded. Standard
    errors come from a central-difference Jacobian in the natural parameters.
    """
    n_params = len(form.parameters)
    nan = np.full(n_params, np.nan)
    if len(t) <= n_params:
        return nan, nan, f"too few delays: {len(t)} for {n_params} parameters (need more)"
    if form.name == "ebbinghaus" and np.any(t <= 1):
        return nan, nan, "the ebbinghaus form needs every delay > 1 (log10 t > 0)"
    w = 1.0 / sigma
    first = 1 if form.amplitude else 0
    logged = np.array([p in form.log_scale for p in form.parameters[first:]])

    def full_params(x):
        shape = np.where(logged, np.exp(x), x)
        if not form.amplitude:
            return shape
        amplitude, _ = _best_amplitude(form(t, 1.0, *shape), y, w)
        return np.concatenate([[amplitude], shape])

    def residuals(params):
        return (form(t, *params, top=top) - y) * w

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x0 = _start(form.name, t, y, w, top)[first:]
        x0 = np.where(logged, np.log(np.maximum(x0, _TINY)), x0)
        if not np.all(np.isfinite(x0)):
            return nan, nan, "no finite starting values"
        try:
            # Levenberg-Marquardt (MINPACK): every parameter is unbounded after the
            # projection and the log transforms
            result = optimize.least_squares(
                lambda x: residuals(full_params(x)), x0, method="lm", x_scale="jac",
                ftol=1e-12, xtol=1e-12, gtol=1e-12, max_nfev=400 * n_params)
            params = full_params(result.x)
            jacobian = central_jacobian(residuals, params)
        except (ValueError, np.linalg.LinAlgError, FloatingPointError) as err:
            return nan, nan, f"optimizer failed: {err}"
    if result.status <= 0 or not np.all(np.isfinite(params)) or not np.all(
            np.isfinite(residuals(params))):
        return nan, nan, f"optimizer failed: {result.message}"
    return params, _standard_errors(jacobian), ""


def central_jacobian(fun, x):
    """Central-difference Jacobian of ``fun`` at ``x`` (relative steps)."""
    steps = 1e-6 * np.maximum(np.abs(x), 1e-8)
    columns = []
    for j, h in enumerate(steps):
        up, down = x.copy(), x.copy()
        up[j] += h
        down[j] -= h
        columns.append((fun(up) - fun(down)) / (2 * h))
    return np.column_stack(columns)


def _standard_errors(jacobian):
    """Square roots of the diagonal of ``(J^T J)^-1``, ``J`` the Jacobian of the
    weighted residuals: the standard errors when the data's are known."""
    try:
        covariance = np.linalg.inv(jacobian.T @ jacobian)
    except np.linalg.LinAlgError:
        return np.full(jacobian.shape[1], np.nan)
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.diag(covariance))


def _information_criteria(residuals, sigma, n_params, sigma_known, top=1.0):
    """AIC and BIC from the maximised Gaussian log-likelihood.

    Unknown error variance (estimated as SSE/n, one more parameter):
    ``-2 ln L = n ln(2 pi SSE / n) + n``; known standard errors ``sigma``:
    ``-2 ln L = sum (r / sigma)^2 + sum ln(2 pi sigma^2)`` (Burnham & Anderson 2002).
    With unknown variance the SSE is floored at :func:`sse_floor` (the data's float
    resolution): an exact fit would make ``ln L`` infinite.
    """
    n = len(residuals)
    if sigma_known:
        minus_two_log_l = np.sum((residuals / sigma) ** 2) + np.sum(np.log(2 * np.pi * sigma**2))
        k = n_params
    else:
        sse = max(np.sum(residuals**2), sse_floor(n, top))
        minus_two_log_l = n * np.log(2 * np.pi * sse / n) + n
        k = n_params + 1
    return minus_two_log_l + 2 * k, minus_two_log_l + k * np.log(n)


def sse_floor(n, top):
    """The smallest SSE the information criteria use: ``n (eps * top)**2``.

    ``eps`` is float64's machine epsilon and ``top`` the retention scale's top: residuals
    below it are rounding. Two exact fits then differ in AIC by twice their difference
    in parameters, so the simpler form wins.

    Parameters
    ----------
    n : int
        Number of points.
    top : float
        1 for proportions, 100 for percentages.

    Returns
    -------
    float
    """
    return n * (np.finfo(float).eps * top) ** 2


def _fit_flag(form, params, errors, sse, t, top):
    """``"perfect-fit"``, ``"degenerate"``, ``"non-identifiable"`` or ``""`` for a converged fit.

    Perfect: SSE at most 16 :func:`sse_floor` (the residuals are rounding).
    Degenerate: the fit reached a limit of the form (:data:`DEGENERATE_SCALE`): with
    ``b t > 1e6`` at every delay Wickelgren's ``a (1 + b t)**-c`` is the power law
    ``a b**-c t**-c``, ``a`` and ``b`` trading off; with ``b t < 1e-6`` everywhere the
    curve is flat. Non-identifiable: a standard error is not finite or exceeds
    :data:`NON_IDENTIFIABLE_RSE` times its estimate.
    """
    if sse <= 16.0 * sse_floor(len(t), top):
        return "perfect-fit"
    for name, value in zip(form.parameters, params):
        if name not in form.log_scale:
            continue
        if name == "b":  # a rate inside (1 + b t)
            low, high = value * np.min(t), value * np.max(t)
            if low > DEGENERATE_SCALE or high < 1.0 / DEGENERATE_SCALE:
                return "degenerate"
        elif not DEGENERATE_SCALE ** -2 < value < DEGENERATE_SCALE ** 2:
            return "degenerate"
    with np.errstate(all="ignore"):
        relative = np.abs(errors) / np.maximum(np.abs(params), np.finfo(float).tiny)
    if not np.all(np.isfinite(errors)) or np.any(relative > NON_IDENTIFIABLE_RSE):
        return "non-identifiable"
    return ""


def _fit_curve(retention, sigma, delays, models, top, sigma_known):
    """Fit every form in ``models`` to one curve (the core of :func:`fit_forgetting`)."""
    n_models = len(models)
    estimate = np.full((n_models, len(PARAMETERS)), np.nan)
    std_error = np.full((n_models, len(PARAMETERS)), np.nan)
    scores = np.full((n_models, 4), np.nan)  # sse, r_squared, aic, bic
    fitted = np.full((n_models, len(delays)), np.nan)
    status = np.empty(n_models, dtype=object)
    keep = np.isfinite(retention) & np.isfinite(sigma)
    t, y, s = delays[keep], retention[keep], sigma[keep]
    for m, name in enumerate(models):
        form = FORMS[name]
        params, errors, reason = _fit_one_form(form, t, y, s, top)
        status[m] = reason or "ok"
        if reason:
            continue
        with np.errstate(all="ignore"):
            residuals = y - form(t, *params, top=top)
            fitted[m] = form(delays, *params, top=top)
        if not sigma_known:
            # unknown error variance: scale by the residual variance, as curve_fit does
            errors = errors * np.sqrt(np.sum(residuals**2) / (len(t) - len(params)))
        columns = [PARAMETERS.index(p) for p in form.parameters]
        estimate[m, columns] = params
        std_error[m, columns] = errors
        sse = np.sum(residuals**2)
        total = np.sum((y - y.mean()) ** 2)
        scores[m] = (sse, 1.0 - sse / total if total > 0 else np.nan,
                     *_information_criteria(residuals, s, len(params), sigma_known, top))
        status[m] = _fit_flag(form, params, errors, sse, t, top) or "ok"
    return estimate, std_error, scores, fitted, status


# ---------------------------------------------------------------- the public fit

def fit_forgetting(data, models=MODELS, sigma=None, scale=None, delay_units="s"):
    """Fit forgetting functions to retention curves; the best form by AIC.

    Parameters
    ----------
    data : xarray.DataArray or (delays, retention)
        A retention curve with dim ``lag`` (e.g. from :func:`analysis.retention_curve`
        or a sweep); every other dim (swept parameters, replicates) is fitted
        curve by curve. Or a pair of 1-D arrays for real data. NaN points are left
        out of a curve's fit.
    models : sequence of str
        Forms to fit, from ``"power"``, ``"exponential"``, ``"hyperbolic"``,
        ``"logarithmic"``, ``"wickelgren"``, ``"ebbinghaus"`` (see module docstring).
    sigma : None, float, array_like or DataArray
        Standard errors of the retention values (broadcast against ``data``),
        taken as known: residuals are weighted by ``1 / sigma`` and the standard
        errors of the parameters are not rescaled. None: equal weights, error
        variance estimated from the residuals.
    scale : None, "proportion" or "percent"
        Retention in [0, 1] or in [0, 100]. None: "percent" when the DataArray's
        units are ``%``, else "proportion".
    delay_units : str
        Units of the delays of a ``(delays, retention)`` pair (a DataArray's
        ``lag`` coordinate carries its own).

    Returns
    -------
    xarray.Dataset
        Dims ``model``, ``parameter`` (a, b, c, k; NaN where a form has no such
        parameter), ``lag`` and the data's other dims. ``estimate`` and
        ``std_error`` (model, parameter); ``sse``, ``r_squared``, ``aic``,
        ``bic``, ``delta_aic`` and ``fit_status`` per model; ``best_model`` (lowest
        AIC; ``""`` if every fit failed); ``retention`` (the data) and ``fitted``
        (model, lag). A failed fit never raises. ``fit_status`` is ``"ok"``; or a
        converged fit that needs care (:data:`FIT_FLAGS`, numbers kept):
        ``"perfect-fit"`` (residuals at rounding level; the SSE in the likelihood is
        floored at :func:`sse_floor`, so AIC stays finite and among exact fits the
        fewer parameters win), ``"degenerate"`` (the fit ran to a limit
        of the form: a rate ``b`` of ``(1 + b t)`` with ``b t`` above ``1e6`` or below
        ``1e-6`` at every delay, Ebbinghaus's ``k`` beyond ``1e12`` or below ``1e-12``),
        ``"non-identifiable"`` (a standard error not finite or above ``1e4`` times
        its estimate); or why the fit failed, in which case its numbers are NaN.
    """
    curve = _as_curve(data, delay_units)
    models = _check_models(models)
    scale = _check_scale(scale, curve)
    _check_retention(curve, scale)
    delays = curve["lag"].values.astype(float)
    _check_delays(delays)
    sigma_known = sigma is not None
    weights = _check_sigma(sigma, curve)

    outputs = xr.apply_ufunc(
        _fit_curve, curve, weights,
        kwargs={"delays": delays, "models": models, "top": SCALES[scale],
                "sigma_known": sigma_known},
        input_core_dims=[["lag"], ["lag"]],
        output_core_dims=[["model", "parameter"], ["model", "parameter"],
                          ["model", "score"], ["model", "lag"], ["model"]],
        vectorize=True, dask="parallelized",
        output_dtypes=[float, float, float, float, object],
        dask_gufunc_kwargs={"output_sizes": {"model": len(models),
                                             "parameter": len(PARAMETERS), "score": 4}},
    )
    return _fit_dataset(curve, weights if sigma_known else None, models, scale, outputs)


def _fit_dataset(curve, sigma, models, scale, outputs):
    estimate, std_error, scores, fitted, status = outputs
    ds = xr.Dataset(coords={
        "model": ("model", list(models), {"long_name": "forgetting function", "units": "1"}),
        "parameter": ("parameter", list(PARAMETERS), {"long_name": "parameter", "units": "1"}),
        "formula": ("model", [FORMS[m].formula for m in models],
                    {"long_name": "formula", "units": "1"}),
        "n_params": ("model", [len(FORMS[m].parameters) for m in models],
                     {"long_name": "number of parameters", "units": "1"}),
    })
    units = curve.attrs.get("units", "1")
    ds["retention"] = curve.reset_coords(drop=True).assign_attrs(
        long_name=curve.attrs.get("long_name", "retention"), units=units)
    ds["estimate"] = estimate.assign_attrs(long_name="parameter estimate", units="1")
    ds["std_error"] = std_error.assign_attrs(long_name="standard error of the estimate",
                                             units="1")
    names = {"sse": ("sum of squared errors", f"({units})^2" if units != "1" else "1"),
             "r_squared": ("coefficient of determination R^2", "1"),
             "aic": ("Akaike information criterion", "1"),
             "bic": ("Bayesian information criterion", "1")}
    for k, (name, (long_name, score_units)) in enumerate(names.items()):
        ds[name] = scores.isel(score=k).assign_attrs(long_name=long_name, units=score_units)
    aic = ds["aic"]
    ds["delta_aic"] = (aic - aic.min("model")).assign_attrs(
        long_name="AIC difference from the best model", units="1")
    ds["fit_status"] = status.assign_attrs(long_name="fit status", units="1")
    ds["fitted"] = fitted.assign_attrs(long_name=f"fitted {ds['retention'].attrs['long_name']}",
                                       units=units)
    ds["best_model"] = xr.apply_ufunc(_best_model, aic, kwargs={"names": models},
                                      input_core_dims=[["model"]], dask="parallelized",
                                      output_dtypes=[object])
    ds["best_model"].attrs = {"long_name": "best forgetting function by AIC", "units": "1"}
    if sigma is not None:
        ds["sigma"] = sigma.assign_attrs(long_name="standard error of the retention",
                                         units=units)
    ds = ds.assign_coords(lag=curve["lag"])
    ds.attrs = {k: v for k, v in curve.attrs.items() if k not in ("long_name", "units")}
    ds.attrs.update({"scale": scale, "fit": "least squares (scipy.optimize.least_squares)",
                     "sigma_known": int(sigma is not None)})
    return ds


def _best_model(aic, names):
    """Name of the lowest-AIC model along the last axis; ``""`` where every fit failed."""
    names = np.array(list(names) + [""], dtype=object)
    fitted = ~np.isnan(aic)
    index = np.argmin(np.where(fitted, aic, np.inf), axis=-1)
    return names[np.where(fitted.any(axis=-1), index, len(names) - 1)]


# ---------------------------------------------------------------- input checks

def _as_curve(data, delay_units):
    if isinstance(data, xr.DataArray):
        if "lag" not in data.dims:
            raise ValueError(f"data must have a 'lag' dim (the retention interval), "
                             f"got dims {tuple(data.dims)}")
        if "lag" not in data.coords:
            raise ValueError("data must have a 'lag' coordinate: the delays")
        return data.astype(float)
    if isinstance(data, (tuple, list)) and len(data) == 2:
        delays, retention = (np.asarray(v, dtype=float) for v in data)
        if delays.ndim != 1 or retention.ndim != 1:
            raise ValueError("delays and retention must be 1-D arrays")
        if len(delays) != len(retention):
            raise ValueError(f"delays and retention must have the same length, "
                             f"got {len(delays)} and {len(retention)}")
        lag = xr.DataArray(delays, dims="lag",
                           attrs={"long_name": "retention interval", "units": delay_units})
        return xr.DataArray(retention, dims="lag", coords={"lag": lag}, name="retention",
                            attrs={"long_name": "retention", "units": "1"})
    raise ValueError("data must be a retention DataArray with dim 'lag' or a "
                     f"(delays, retention) pair, got {type(data).__name__}")


def _check_models(models):
    if isinstance(models, str):
        models = (models,)
    models = tuple(models)
    unknown = [m for m in models if m not in FORMS]
    if unknown or not models or len(set(models)) != len(models):
        raise ValueError(f"models must be distinct names from {', '.join(MODELS)}, "
                         f"got {models!r}")
    return models


def _check_scale(scale, curve):
    if scale is None:
        return "percent" if curve.attrs.get("units") in ("%", "percent") else "proportion"
    if scale not in SCALES:
        raise ValueError(f"scale must be None, 'proportion' or 'percent', got {scale!r}")
    return scale


def _check_retention(curve, scale):
    values = curve.values
    top = SCALES[scale]
    finite = values[np.isfinite(values)]
    if np.any(np.isinf(values)):
        raise ValueError("retention must be finite or NaN, got inf")
    if finite.size and (finite.min() < 0 or finite.max() > top):
        hint = " (percentages? pass scale='percent')" if scale == "proportion" else ""
        raise ValueError(f"retention must be in [0, {top:g}] for scale={scale!r}, got values "
                         f"from {finite.min():g} to {finite.max():g}{hint}")


def _check_delays(delays):
    bad = np.flatnonzero(~np.isfinite(delays) | (delays <= 0))
    if bad.size:
        raise ValueError(f"delays must be positive and finite, got {delays[bad[0]]:g} "
                         f"at position {bad[0]}")


def _check_sigma(sigma, curve):
    if sigma is None:
        return xr.ones_like(curve)
    if not isinstance(sigma, xr.DataArray):
        sigma = np.asarray(sigma, dtype=float)
        if sigma.ndim > 1:
            raise ValueError("sigma must be a number, a 1-D array over lag or a DataArray")
        sigma = xr.DataArray(sigma, dims=("lag",) if sigma.ndim else ())
    try:
        sigma = sigma.astype(float).broadcast_like(curve).transpose(*curve.dims)
    except ValueError as err:
        raise ValueError(f"sigma must broadcast against the data: {err}") from None
    if sigma.shape != curve.shape:
        raise ValueError(f"sigma must broadcast to the data's shape {curve.shape}, "
                         f"got {sigma.shape}")
    values = sigma.values[np.isfinite(curve.values)]
    if np.any(~(values > 0)) or np.any(np.isinf(values)):
        raise ValueError("sigma must be positive and finite where retention is given")
    return sigma.drop_vars([c for c in sigma.coords if c not in curve.coords])
