"""Fitting an agent's parameters to observed retention, through the toolkit's simulator.

The agent is run (``simulator.run``) over the experiment's schedule: STUDY
events, then TEST events at the retention intervals. Its analytic recall
probability at the TEST events of each retention interval is the model's
prediction for that interval; the parameters are chosen by maximum likelihood
for recall counts (binomial) or by least squares for proportions.
"""
import dataclasses

import numpy as np
import xarray as xr
from scipy import optimize, stats

import simulator
from environments import TEST, EventStream
from environments.validation import check_number
from environments.stream import flat_attrs
from environments.params import parameter_specs, parameters

from analysis.fitting import central_jacobian
from simulator.protocol import check_model

LAG_RESOLUTION = 1e-6
"""Retention intervals equal to this many seconds count as the same interval."""

_P_FLOOR = 1e-12  # keeps log(p) finite when a trial parameter makes recall certain


def recall_counts(ds):
    """Recall counts of a run's TEST events, per condition: number of prior
    presentations and retention interval.

    Parameters
    ----------
    ds : xarray.Dataset
        Per-event results of :func:`simulator.run` (``recalled``, ``lag``,
        ``n_prior``, ``kind``).

    Returns
    -------
    xarray.DataArray
        ``recalled`` counts over dim ``lag`` (retention intervals of the TEST
        events, seconds, sorted within each ``n_prior``), with coords ``n_prior``
        (presentations before the test) and ``n_trials`` (tests in the condition).
    """
    if not isinstance(ds, xr.Dataset) or not {"recalled", "lag", "kind", "n_prior"} <= set(
            ds.variables):
        raise ValueError("ds must be a per-event Dataset from simulator.run "
                         "(with recalled, lag, n_prior and kind)")
    keys, group, tested = _test_conditions(ds, by_prior=True)
    recalled = ds["recalled"].values[tested].astype(float)
    n_trials = np.bincount(group, minlength=len(keys))
    lag = np.bincount(group, weights=ds["lag"].values[tested], minlength=len(keys)) / n_trials
    return xr.DataArray(
        np.bincount(group, weights=recalled, minlength=len(keys)), dims="lag", name="recalled",
        coords={"lag": ("lag", lag, {"long_name": "retention interval", "units": "s"}),
                "n_prior": ("lag", keys[:, 0], {"long_name": "prior presentations",
                                                "units": "1"}),
                "n_trials": ("lag", n_trials, {"long_name": "number of tests", "units": "1"})},
        attrs={"long_name": "number recalled", "units": "1"})


def _condition_keys(lag, n_prior, by_prior):
    """Integer keys ``(n_prior or 0, lag in LAG_RESOLUTION ticks)``, one row per event."""
    ticks = np.round(np.asarray(lag, dtype=float) / LAG_RESOLUTION).astype(np.int64)
    prior = np.asarray(n_prior, dtype=np.int64) if by_prior else np.zeros_like(ticks)
    return np.column_stack([prior, ticks])


def _test_conditions(ds, by_prior):
    """Distinct conditions of a run's TEST events that have a lag.

    Returns ``(keys, group, tested)``: the condition keys (see
    :func:`_condition_keys`), each tested event's condition, and the mask of
    tested events over ``event``.
    """
    tested = (ds["kind"].values == TEST) & np.isfinite(ds["lag"].values)
    if not tested.any():
        raise ValueError("schedule must hold TEST events of items studied before them")
    keys = _condition_keys(ds["lag"].values[tested], ds["n_prior"].values[tested], by_prior)
    keys, group = np.unique(keys, axis=0, return_inverse=True)
    return keys, group.reshape(-1), tested


def fit_agent(agent, data, free=("decay", "threshold", "noise"), schedule=None,
              n_trials=None, bounds=None, confidence=0.95, by="learner", split=None,
              seed=None, backend="serial", workers=None, client=None, progress=None):
    """Fit a memory model's parameters to observed recall; estimates and confidence intervals.

    Two kinds of data. *Aggregated retention* (counts or proportions per retention
    interval, with the experiment's ``schedule``): the model is run over the
    schedule and fitted by binomial likelihood or least squares. *A review log*
    (an :class:`environments.EventStream` with observed outcomes, e.g. from
    :func:`environments.read_revlog`): every review is a Bernoulli trial whose
    probability is the model's prediction from the learner's history before it
    (:func:`simulator.predict`), fitted per learner or for all learners at once
    (:func:`analysis.fit_reviews.fit_reviews`).

    Parameters
    ----------
    agent : simulator.MemoryModel
        Any memory model (ACTR, ...); fixes the parameters not fitted and gives the
        starting values of ``free``.
    data : xarray.DataArray, xarray.Dataset, environments.EventStream or RevlogDataset
        Observed retention over dim ``lag`` (retention intervals in seconds): recall
        counts when ``n_trials`` is given or ``data`` has an ``n_trials`` coord (as
        from :func:`recall_counts`), else proportions recalled. A per-event Dataset
        from :func:`simulator.run` is turned into counts by :func:`recall_counts`.
        Or a review log: a stream whose TEST events carry observed ``outcome``
        (and ``learner``), or a log larger than memory
        (``environments.read_revlog(path, lazy=True)``), fitted with
        ``by="learner"``: each worker reads one learner at a time.
    free : sequence of str
        The agent's parameters to fit.
    schedule : environments.EventStream
        The experiment: STUDY events, and TEST events at every retention interval
        of ``data`` (the lag of a TEST event is the time since its item's previous
        presentation).
    n_trials : None, int or array_like
        Trials per retention interval when ``data`` holds counts.
    bounds : dict, optional
        ``{name: (low, high)}`` search bounds; default: the parameter's declared
        range (open ends nudged inside by 1e-6).
    confidence : float
        Level of the confidence intervals, in (0, 1).
    by : "learner" or None
        Review logs: fit each learner on its own (dim ``learner``) or one set of
        parameters for all.
    split : float or None
        Review logs: the fraction (0 < split < 1) of each learner's scored reviews,
        the last ones in time, held out; they are replayed (their answers update the
        memory) but left out of the likelihood and scored (``*_test`` metrics).
    seed : int, SeedSequence, Generator or None
        Review logs: draws a log leaves open (e.g. ACT-R's permanent noise).
    backend : "serial", "processes" or "dask"
        Review logs with ``by="learner"``: where the learners are fitted (as
        :func:`simulator.sweep`); the results do not depend on it.
    workers : int, optional
        Processes (or dask workers of a local cluster) to use.
    client : dask.distributed.Client, optional
        An existing cluster, with ``backend="dask"``.
    progress : bool, optional
        Review logs fitted per learner: show a progress bar over the learners;
        default: when stderr is a terminal.

    Returns
    -------
    xarray.Dataset
        Review logs: ``estimate``, ``std_error`` (observed Fisher information),
        ``ci_lower``, ``ci_upper`` over ``learner`` x ``parameter``, per learner
        ``log_likelihood``, ``converged`` and the metrics ``log_loss``,
        ``rmse_bins``, ``auc``, ``n_reviews`` of the training (``*_train``) and
        held-out (``*_test``) reviews. Aggregated retention:
        ``estimate``, ``std_error``, ``ci_lower``, ``ci_upper`` over dim
        ``parameter``; ``observed`` and ``predicted`` recall proportions over
        ``lag``. Counts: binomial maximum likelihood, Wald intervals from the
        Fisher information; proportions: least squares, intervals from
        ``s^2 (J^T J)^-1`` with Student's t. ``attrs`` hold the method, the fit's
        log-likelihood or SSE and the fitted agent's parameters.
    """
    from environments.revlog_dataset import RevlogDataset
    if isinstance(data, (EventStream, RevlogDataset)):
        if schedule is not None or n_trials is not None:
            raise ValueError("schedule and n_trials are for aggregated retention data; a "
                             "review log (an EventStream) is its own schedule")
        from analysis.fit_reviews import fit_reviews
        return fit_reviews(agent, data, free, by=by, split=split, bounds=bounds,
                           confidence=confidence, seed=seed, backend=backend,
                           workers=workers, client=client, progress=progress)
    free = _check_free(agent, free)
    confidence = _check_confidence(confidence)
    if not isinstance(schedule, EventStream):
        raise ValueError("schedule must be an environments.EventStream of STUDY events "
                         f"plus TEST events at the retention intervals, got {schedule!r}")
    observed, trials = _observations(data, n_trials)
    if observed.size <= len(free):
        raise ValueError(f"data must have more retention intervals ({observed.size}) than "
                         f"free parameters ({len(free)})")
    search_bounds = _search_bounds(agent, free, bounds)
    start = np.array([getattr(agent, name) for name in free], dtype=float)
    start = np.clip(start, [lo if lo is not None else -np.inf for lo, _ in search_bounds],
                    [hi if hi is not None else np.inf for _, hi in search_bounds])
    predict = _predictor(agent, free, schedule, observed)
    y = observed.values

    if trials is not None:
        def objective(theta):
            p = np.clip(predict(theta), _P_FLOOR, 1 - _P_FLOOR)
            return -np.sum(y * np.log(p) + (trials - y) * np.log1p(-p))
    else:
        def objective(theta):
            return np.sum((y - predict(theta)) ** 2)

    result = optimize.minimize(objective, start, method="L-BFGS-B", bounds=search_bounds)
    estimate = result.x
    predicted = predict(estimate)
    try:
        jacobian = central_jacobian(predict, estimate)
    except ValueError:
        # an estimate on the edge of its range (e.g. noise 0): no two-sided derivative
        jacobian = np.full((len(y), len(free)), np.nan)
    std_error, half_width = _uncertainty(jacobian, y, predicted, trials, confidence)
    return _fit_dataset(agent, free, observed, trials, estimate, std_error, half_width,
                        predicted, result, confidence)


def _predictor(agent, free, schedule, observed):
    """``theta -> mean p_recall of the schedule's TEST events in each observed condition``.

    A condition is a retention interval, and also a number of prior presentations
    when ``observed`` has an ``n_prior`` coord (items studied once and three times
    and tested at the same interval are then told apart).
    """
    by_prior = "n_prior" in observed.coords
    ds = simulator.run(agent, schedule, seed=0)
    keys, group, tested = _test_conditions(ds, by_prior)
    index = {tuple(key): g for g, key in enumerate(keys.tolist())}
    wanted = _condition_keys(observed["lag"].values,
                             observed["n_prior"].values if by_prior else 0, by_prior)
    matched = []
    for key, lag in zip(wanted.tolist(), observed["lag"].values):
        if tuple(key) not in index:
            prior = f" after {key[0]} presentations" if by_prior else ""
            raise ValueError(f"schedule has no TEST event at retention interval {lag:g} s"
                             f"{prior}")
        matched.append(index[tuple(key)])
    sizes = np.bincount(group, minlength=len(keys))

    def predict(theta):
        fitted = dataclasses.replace(agent, **dict(zip(free, theta)))
        p = simulator.run(fitted, schedule, seed=0)["p_recall"].values[tested]
        return (np.bincount(group, weights=p, minlength=len(keys)) / sizes)[matched]

    return predict


def _uncertainty(jacobian, y, predicted, trials, confidence):
    """Standard errors and confidence half-widths of the estimates."""
    n, k = jacobian.shape
    if trials is not None:
        p = np.clip(predicted, _P_FLOOR, 1 - _P_FLOOR)
        information = (jacobian * (trials / (p * (1 - p)))[:, None]).T @ jacobian
        quantile = stats.norm.ppf(0.5 + confidence / 2)
    else:
        information = jacobian.T @ jacobian / (np.sum((y - predicted) ** 2) / (n - k))
        quantile = stats.t.ppf(0.5 + confidence / 2, n - k)
    try:
        with np.errstate(invalid="ignore"):
            std_error = np.sqrt(np.diag(np.linalg.inv(information)))
    except np.linalg.LinAlgError:
        std_error = np.full(k, np.nan)
    return std_error, quantile * std_error


def _fit_dataset(agent, free, observed, trials, estimate, std_error, half_width,
                 predicted, result, confidence):
    coords = {"parameter": ("parameter", list(free), {"long_name": "parameter", "units": "1"})}
    specs = parameter_specs(agent)
    units = [specs[name]["units"] for name in free]
    ds = xr.Dataset(
        {"estimate": ("parameter", estimate, {"long_name": "estimate", "units": "1"}),
         "std_error": ("parameter", std_error, {"long_name": "standard error", "units": "1"}),
         "ci_lower": ("parameter", estimate - half_width,
                      {"long_name": f"{confidence:.0%} confidence interval, lower", "units": "1"}),
         "ci_upper": ("parameter", estimate + half_width,
                      {"long_name": f"{confidence:.0%} confidence interval, upper", "units": "1"}),
         "parameter_units": ("parameter", units, {"long_name": "units of the parameter",
                                                  "units": "1"})},
        coords=coords)
    proportion = observed / trials if trials is not None else observed
    ds["observed"] = proportion.reset_coords(drop=True).assign_attrs(
        long_name="observed proportion recalled", units="1")
    ds["predicted"] = ("lag", predicted, {"long_name": "predicted recall probability",
                                          "units": "1"})
    ds = ds.assign_coords(lag=observed["lag"])
    if trials is not None:
        ds = ds.assign_coords(n_trials=("lag", trials, {"long_name": "number of tests",
                                                         "units": "1"}))
    fitted = dataclasses.replace(agent, **dict(zip(free, estimate)))
    ds.attrs = {"agent": type(agent).__name__, "free": list(free),
                "method": ("binomial maximum likelihood" if trials is not None
                           else "least squares"),
                "confidence": confidence, "converged": int(result.success),
                "optimizer_message": str(result.message)}
    if trials is not None:
        ds.attrs["log_likelihood"] = float(-result.fun + _binomial_constant(
            observed.values, trials))
    else:
        ds.attrs["sse"] = float(result.fun)
    ds.attrs.update(flat_attrs(parameters(fitted), prefix="agent"))
    return ds


def _binomial_constant(k, n):
    """``sum ln C(n, k)``: turns the kernel of the binomial log-likelihood into the full one."""
    return float(np.sum(stats.binom.logpmf(k, n, 0.5) - n * np.log(0.5)))


# ---------------------------------------------------------------- input checks

def _check_free(agent, free):
    check_model(agent, "agent")
    if isinstance(free, str):
        free = (free,)
    free = tuple(free)
    specs = parameter_specs(agent)
    numeric = [name for name, spec in specs.items() if spec["choices"] is None]
    if not free or len(set(free)) != len(free) or any(name not in numeric for name in free):
        raise ValueError(f"free must be distinct numeric parameters of {type(agent).__name__} "
                         f"({', '.join(numeric)}), got {free!r}")
    return free


def _check_confidence(confidence):
    return check_number("confidence", confidence, 0.0, 1.0, low_open=True, high_open=True)


def _observations(data, n_trials):
    """The observed DataArray over ``lag`` and the trials per interval (None: proportions)."""
    if isinstance(data, xr.Dataset):
        data = recall_counts(data)
    if not isinstance(data, xr.DataArray) or data.dims != ("lag",) or "lag" not in data.coords:
        raise ValueError("data must be a DataArray over dim 'lag' (retention intervals in "
                         "seconds, as a coordinate) or a per-event Dataset from simulator.run")
    data = data.astype(float)
    if n_trials is None and "n_trials" in data.coords:
        n_trials = data["n_trials"].values
    values = data.values
    if not np.all(np.isfinite(values)) or not np.all(np.isfinite(data["lag"].values)):
        raise ValueError("data and its lags must be finite")
    if np.any(data["lag"].values <= 0):
        raise ValueError("lag must be positive: retention intervals in seconds")
    if n_trials is None:
        if values.min() < 0 or values.max() > 1:
            raise ValueError("data must be proportions in [0, 1] (or pass n_trials for counts)")
        return data, None
    trials = np.broadcast_to(np.asarray(n_trials, dtype=float), values.shape).copy()
    if np.any(trials < 1) or np.any(trials != np.round(trials)):
        raise ValueError("n_trials must be whole numbers >= 1")
    if np.any(values < 0) or np.any(values > trials) or np.any(values != np.round(values)):
        raise ValueError("data must be recall counts between 0 and n_trials")
    return data, trials


def _search_bounds(agent, free, bounds):
    specs = parameter_specs(agent)
    bounds = {} if bounds is None else dict(bounds)
    unknown = set(bounds) - set(free)
    if unknown:
        raise ValueError(f"bounds must name free parameters ({', '.join(free)}), "
                         f"got {sorted(unknown)}")
    out = []
    for name in free:
        if name in bounds:
            low, high = bounds[name]
        else:
            spec = specs[name]
            low, high = spec["low"], spec["high"]
            low = low + 1e-6 if low is not None and spec["low_open"] else low
            high = high - 1e-6 if high is not None and spec["high_open"] else high
        out.append((low, high))
    return out
