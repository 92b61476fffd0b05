"""Fitting a memory model to review logs: per-review Bernoulli likelihood, per learner.

Every review (a TEST event with an observed outcome) is a Bernoulli trial whose
success probability is the model's prediction from everything the learner did
before it (:func:`simulator.predict`'s replay). The parameters maximise

    ln L(theta) = sum_reviews y ln p(theta) + (1 - y) ln(1 - p(theta))

over the training reviews, each learner on its own (``by="learner"``) or all
learners sharing one set (``by=None``). With ``split`` the last fraction of each
learner's reviews (in time order) is held out, as srs-benchmark evaluates
(Ye et al., *srs-benchmark*, 2023-2025): the model still replays them (the
answers a learner gave update its memory), but only the training reviews enter
the likelihood, and the held-out ones are scored by :func:`analysis.evaluate`'s
metrics. Each item's first review is left out of both, as in
:func:`analysis.evaluate` (no model predicts it from the item's own history).
"""
import concurrent.futures
import copy
import dataclasses

import numpy as np
import xarray as xr
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from environments import EventStream, split_learners
from environments.revlog_dataset import LearnerRef, RevlogDataset
from environments.seeding import child, generator, seed_attrs, seed_sequence
from environments.stream import flat_attrs
from environments.validation import check_number
from environments.params import parameter_specs, parameters
from environments.progress import progress_bar

from analysis.evaluate import METRICS, auc, log_loss, review_history, rmse_bins
from analysis.fitting import central_jacobian
from simulator._driver_kernels import replay_kernel
from simulator.drivers import stream_lags
from simulator.predict_stream import check_backend

DAY = 86400.0
_P_FLOOR = 1e-12  # keeps ln p finite when a trial parameter makes recall certain


class ReviewLikelihood:
    """One learner's replay, ready to be run again and again with new parameters.

    The stream's events, the arrays the replay writes and the uniforms it would
    draw (for answers the log leaves open) are made once; each call runs the
    model's compiled replay (:func:`simulator._driver_kernels.replay_kernel`) once.

    Parameters
    ----------
    model : simulator.MemoryModel
    stream : environments.EventStream
        One learner's events with observed outcomes.
    split : float or None
        Fraction of the scored reviews held out at the end (time order).
    seed : numpy.random.SeedSequence
        Draws the log leaves open (the same draws for every parameter value).
    """

    def __init__(self, model, stream, split, seed):
        self.kernels = model.kernels
        self.stream = stream
        self.seed = seed
        n = len(stream)
        outcome = stream.outcome
        rating = (np.zeros(n, np.int8) if stream.rating is None
                  else np.asarray(stream.rating, np.int8))
        self.events = (stream.time, stream.item, stream.kind, outcome, rating)
        rng = generator(seed)
        self.draws = (rng.random(n), rng.random(n))
        self.probes = (np.empty(0), np.zeros((0, stream.n_items)))
        self.p_recall = np.empty(n)
        self.out = (self.p_recall, np.empty(n), np.empty(n, np.int8),
                    np.empty((n, len(model.state_variables))))
        review_number, lapses = review_history(stream.item, outcome)
        scored = np.flatnonzero(~np.isnan(outcome) & (review_number > 1))
        n_test = 0 if split is None else int(round(split * len(scored)))
        self.train = scored[:len(scored) - n_test]
        self.test = scored[len(scored) - n_test:]
        self.y = outcome
        lag, _ = stream_lags(stream)
        self.days = lag / DAY
        self.review_number, self.lapses = review_number, lapses

    def predict(self, model):
        """The recall probability before every event (model with its own parameters)."""
        if not model.answers_change_memory:  # the model's own pass (ACT-R: its tuned loop)
            return model.recall_probabilities(self.stream, generator(self.seed))
        state = model.prepare(self.stream, generator(child(self.seed, 1)))
        replay_kernel(self.kernels)(model.kernel_params(), state, self.events, self.draws,
                                    self.probes, self.out)
        return self.p_recall

    def negative_log_likelihood(self, model, which=None):
        """``-ln L`` of the training reviews (or of the events ``which``)."""
        which = self.train if which is None else which
        p = np.clip(self.predict(model)[which], _P_FLOOR, 1.0 - _P_FLOOR)
        y = self.y[which]
        return -float(np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p)))

    def scores(self, p, which):
        """log-loss, RMSE (bins), AUC and count of the reviews ``which``."""
        if len(which) == 0:
            return np.nan, np.nan, np.nan, 0
        y, q = self.y[which], p[which]
        return (log_loss(y, q), rmse_bins(y, q, self.days[which], self.review_number[which],
                                          self.lapses[which]),
                auc(y, q), len(which))


def _with_values(model, free, theta):
    """``model`` with the parameters ``free`` set to ``theta``, without re-validating:
    the optimizer keeps ``theta`` inside the search bounds, which lie inside the
    declared ranges (validating every trial point cost a quarter of a likelihood)."""
    fitted = copy.copy(model)
    for name, value in zip(free, theta):
        object.__setattr__(fitted, name, float(value))
    return fitted


def _fit(model, free, problems, bounds, confidence):
    """Maximum likelihood over ``problems`` (one per learner) sharing the parameters."""
    def with_theta(theta):
        return _with_values(model, free, theta)

    def objective(theta):
        fitted = with_theta(theta)
        return sum(problem.negative_log_likelihood(fitted) for problem in problems)

    low = np.array([-np.inf if lo is None else lo for lo, _ in bounds])
    high = np.array([np.inf if hi is None else hi for _, hi in bounds])
    start = np.clip(np.array([getattr(model, name) for name in free], float), low, high)
    n_train = sum(len(problem.train) for problem in problems)
    if n_train <= len(free):
        raise ValueError(f"a learner has {n_train} training reviews: fitting {len(free)} "
                         f"parameters needs more")
    # one BLAS thread: L-BFGS-B's vector work is tiny, and waking BLAS threads for it
    # made each iteration ~10x slower (scipy 1.17, OpenBLAS, 2 cores)
    with threadpool_limits(limits=1, user_api="blas"):
        result = optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds)
    estimate = result.x
    fitted = dataclasses.replace(model, **dict(zip(free, estimate)))  # validated

    def train_p(theta):
        return np.concatenate([problem.predict(with_theta(theta))[problem.train]
                               for problem in problems])

    std_error = np.full(len(free), np.nan)
    inside = np.all((estimate - 1e-5 * np.maximum(abs(estimate), 1e-8) > low)
                    & (estimate + 1e-5 * np.maximum(abs(estimate), 1e-8) < high))
    if inside:
        jacobian = central_jacobian(train_p, estimate)
        p = np.clip(train_p(estimate), _P_FLOOR, 1.0 - _P_FLOOR)
        information = (jacobian / (p * (1.0 - p))[:, None]).T @ jacobian
        try:
            with np.errstate(invalid="ignore"):
                std_error = np.sqrt(np.diag(np.linalg.inv(information)))
        except np.linalg.LinAlgError:
            pass
    half_width = stats.norm.ppf(0.5 + confidence / 2) * std_error
    return fitted, estimate, std_error, half_width, result


def _fit_learners(task):
    """Fit each learner of ``task`` on its own (a worker's unit of work); a learner of
    a lazy log is read here, one at a time."""
    model, free, bounds, split, confidence, seed, learners = task
    rows = []
    for learner_id, stream in learners:
        if isinstance(stream, LearnerRef):  # renumbered as split_learners numbers it
            stream = split_learners(stream.load())[0][1]
        problem = ReviewLikelihood(model, stream, split, child(seed, learner_id))
        rows.append((learner_id,) + _fit_and_score(model, free, [problem], bounds,
                                                   confidence))
    return rows


def _fit_and_score(model, free, problems, bounds, confidence):
    fitted, estimate, std_error, half_width, result = _fit(model, free, problems, bounds,
                                                           confidence)
    train, test = [], []
    for problem in problems:
        p = problem.predict(fitted).copy()
        train.append((p, problem.train, problem))
        test.append((p, problem.test, problem))
    return (estimate, std_error, half_width, -float(result.fun), bool(result.success),
            _pooled_scores(train), _pooled_scores(test))


def _pooled_scores(parts):
    """Metrics over the reviews of several learners' replays."""
    y = np.concatenate([problem.y[which] for p, which, problem in parts])
    if len(y) == 0:
        return np.nan, np.nan, np.nan, 0
    p = np.concatenate([p[which] for p, which, problem in parts])
    days = np.concatenate([problem.days[which] for p, which, problem in parts])
    number = np.concatenate([problem.review_number[which] for p, which, problem in parts])
    lapses = np.concatenate([problem.lapses[which] for p, which, problem in parts])
    return log_loss(y, p), rmse_bins(y, p, days, number, lapses), auc(y, p), len(y)


def fit_reviews(model, stream, free, by="learner", split=None, bounds=None, confidence=0.95,
                seed=None, backend="serial", workers=None, client=None, progress=None):
    """Fit ``model`` to a review log by per-review Bernoulli likelihood.

    Called by :func:`analysis.fit_agent` when its data is a stream of observed
    reviews; see there for the parameters.
    """
    from analysis.fit_agent import _check_confidence, _check_free, _search_bounds
    free = _check_free(model, free)
    confidence = _check_confidence(confidence)
    lazy = isinstance(stream, RevlogDataset)
    if lazy and by != "learner":
        raise ValueError("a lazy review log is fitted learner by learner: by must be "
                         "'learner' (read it with read_revlog(path) for one pooled fit)")
    if not lazy and (not isinstance(stream, EventStream) or stream.outcome is None):
        raise ValueError("stream must be an environments.EventStream with observed outcomes "
                         "(e.g. from environments.read_revlog)")
    if by not in (None, "learner"):
        raise ValueError(f"by must be None (one fit for all learners) or 'learner', got {by!r}")
    if split is not None:
        split = check_number("split", split, 0.0, 1.0, low_open=True, high_open=True)
    backend, workers = check_backend(backend, workers, client)
    search_bounds = _search_bounds(model, free, bounds)
    seed_seq = seed_sequence(seed)
    learners = (list(enumerate(stream.learners())) if lazy
                else [(i, s) for i, s, _ in split_learners(stream)])
    if by is None:
        problems = [ReviewLikelihood(model, s, split, child(seed_seq, i)) for i, s in learners]
        rows = [(-1,) + _fit_and_score(model, free, problems, search_bounds, confidence)]
    else:
        task = (model, free, search_bounds, split, confidence, seed_seq)
        rows = _map_learners(task, learners, backend, workers, client, progress)
    return _dataset(model, free, rows, by, split, confidence, seed_seq)


def _map_learners(task, learners, backend, workers, client, progress=None):
    """Fit every learner on ``backend``; rows in learner order whatever the backend.

    A progress bar counts learners fitted (shown by default on a terminal).
    """
    with progress_bar(len(learners), "fitting learners", progress, unit="learner") as bar:
        if backend == "serial":
            rows = []
            for learner in learners:
                rows += _fit_learners(task + ([learner],))
                bar.update(1)
            return rows
        if backend == "processes":
            import os
            workers = workers or os.cpu_count() or 1
        else:
            workers = workers or (len(client.scheduler_info()["workers"]) if client else 1)
        n_chunks = min(len(learners), 4 * workers)
        chunks = [learners[k::n_chunks] for k in range(n_chunks)]
        tasks = [task + (chunk,) for chunk in chunks]
        rows = []
        if backend == "processes":
            from simulator.sweeps.api import _worker_context
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers,
                                                        mp_context=_worker_context()) as pool:
                for result in concurrent.futures.as_completed(
                        [pool.submit(_fit_learners, t) for t in tasks]):
                    rows += result.result()
                    bar.update(len(result.result()))
        else:
            from distributed import Client, LocalCluster, as_completed
            own = client is None
            if own:
                client = Client(LocalCluster(n_workers=workers, threads_per_worker=1,
                                             processes=True))
            try:
                for future in as_completed(client.map(_fit_learners, tasks, pure=False)):
                    result = future.result()
                    rows += result
                    bar.update(len(result))
            finally:
                if own:
                    client.close()
    return sorted(rows, key=lambda row: row[0])


_SCORE_NAMES = ("log_loss", "rmse_bins", "auc", "n_reviews")


def _dataset(model, free, rows, by, split, confidence, seed_seq):
    specs = parameter_specs(model)
    ids = np.array([row[0] for row in rows])
    estimate = np.array([row[1] for row in rows])
    std_error = np.array([row[2] for row in rows])
    half = np.array([row[3] for row in rows])
    dims = ("learner", "parameter")
    units = [specs[name]["units"] for name in free]
    data = {
        "estimate": (dims, estimate, {"long_name": "maximum-likelihood estimate",
                                      "units": "1"}),
        "std_error": (dims, std_error, {"long_name": "standard error (observed information)",
                                        "units": "1"}),
        "ci_lower": (dims, estimate - half, {"long_name": f"{confidence:.0%} confidence "
                                                          "interval, lower", "units": "1"}),
        "ci_upper": (dims, estimate + half, {"long_name": f"{confidence:.0%} confidence "
                                                          "interval, upper", "units": "1"}),
        "parameter_units": ("parameter", units, {"long_name": "units of the parameter",
                                                 "units": "1"}),
        "log_likelihood": ("learner", np.array([row[4] for row in rows]),
                           {"long_name": "log-likelihood of the training reviews",
                            "units": "1"}),
        "converged": ("learner", np.array([row[5] for row in rows]),
                      {"long_name": "optimizer converged", "units": "1"}),
    }
    for part, column in (("train", 6), ("test", 7)):
        values = np.array([row[column] for row in rows], dtype=float)
        for k, name in enumerate(_SCORE_NAMES):
            attrs = dict(METRICS[name])
            attrs["long_name"] = f"{attrs['long_name']} ({'held-out' if part == 'test' else 'training'} reviews)"
            data[f"{name}_{part}"] = ("learner", values[:, k].astype(
                np.int64 if name == "n_reviews" else np.float64), attrs)
    coords = {"parameter": ("parameter", list(free), {"long_name": "parameter", "units": "1"}),
              "learner": ("learner", ids, {"long_name": "learner (-1: all learners pooled)",
                                           "units": "1"})}
    ds = xr.Dataset(data, coords=coords)
    if by is None:
        ds = ds.isel(learner=0, drop=True)
    ds.attrs = {"agent": type(model).__name__, "free": list(free),
                "method": "Bernoulli maximum likelihood per review",
                "by": "all learners" if by is None else "learner",
                "split": "none" if split is None else float(split),
                "confidence": confidence}
    ds.attrs.update(flat_attrs(parameters(model), prefix="agent"))
    ds.attrs.update(seed_attrs(seed_seq))
    return ds
