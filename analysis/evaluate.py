"""Scoring a memory model's predictions of observed answers, as the spaced-repetition
field does (the srs-benchmark and FSRS optimizer practice): log-loss, RMSE over bins,
AUC, and calibration."""
import numpy as np
import xarray as xr

from analysis.plots import house_style
from simulator.variables import REGISTRY

DAY = 86400.0
CALIBRATION_BINS = 10
"""Bins of predicted recall (equal width over [0, 1]) for :func:`evaluate`'s calibration."""

METRICS = {
    "log_loss": {"long_name": "log-loss", "units": "1",
                 "description": "mean binary cross-entropy of the predicted recall"},
    "rmse_bins": {"long_name": "RMSE (bins)", "units": "1",
                  "description": "root mean squared error between mean predicted and mean "
                                 "observed recall over bins of interval, review number and "
                                 "lapses, weighted by the reviews in each bin"},
    "auc": {"long_name": "AUC", "units": "1",
            "description": "area under the ROC curve of predicted recall vs the answer"},
    "n_reviews": {"long_name": "reviews scored", "units": "count",
                  "description": "reviews with an observed answer and an earlier review"},
}


def log_loss(y, p):
    """Mean binary cross-entropy; ``p`` clipped to ``[eps, 1 - eps]`` (float64 eps), as
    scikit-learn's ``log_loss`` does.

    Parameters
    ----------
    y : array_like of 0/1
    p : array_like of float

    Returns
    -------
    float
    """
    y = np.asarray(y, np.float64)
    eps = np.finfo(np.float64).eps
    p = np.clip(np.asarray(p, np.float64), eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def auc(y, p):
    """Area under the ROC curve: the probability that a recalled review gets a higher
    prediction than a forgotten one (ties count half; Mann-Whitney U / (n1 n0)).

    Parameters
    ----------
    y : array_like of 0/1
    p : array_like of float

    Returns
    -------
    float
        NaN when only one class is present.
    """
    y = np.asarray(y, np.float64) > 0.5
    p = np.asarray(p, np.float64)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    sorted_p = p[order]
    # average ranks of ties
    starts = np.flatnonzero(np.r_[True, sorted_p[1:] != sorted_p[:-1]])
    ends = np.r_[starts[1:], len(p)]
    average = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(average, ends - starts)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _log_bin(x, base, scale, digits):
    """srs-benchmark's geometric bin label ``round(scale * base ** floor(log_base x))``."""
    return np.round(scale * np.power(base, np.floor(np.log(x) / np.log(base))), digits)


def rmse_bins(y, p, elapsed_days, review_number, lapses):
    """RMSE (bins) as srs-benchmark defines it.

    Reviews are grouped by their interval (``2.48 * 3.62**floor(log_3.62 days)``),
    their number (``1.99 * 1.89**floor(log_1.89 i)``) and their lapses so far
    (``1.65 * 1.73**floor(log_1.73 lapses)``, 0 for none); the error is the
    review-weighted RMS of (mean answer - mean prediction) over the bins.
    Sources: the srs-benchmark README (Evaluation, Metrics) and the fsrs4anki wiki
    page "The Metric" (RMSE (bins)).

    Parameters
    ----------
    y, p : array_like
        Answers (0/1) and predicted recall.
    elapsed_days : array_like
        Days since the item's previous review (> 0).
    review_number : array_like
        1-based index of the review among the item's reviews.
    lapses : array_like
        The item's failed reviews before this one.

    Returns
    -------
    float
    """
    y, p = np.asarray(y, np.float64), np.asarray(p, np.float64)
    if len(y) == 0:
        return float("nan")
    interval = _log_bin(np.maximum(np.asarray(elapsed_days, np.float64), 1e-6), 3.62, 2.48, 2)
    number = _log_bin(np.asarray(review_number, np.float64), 1.89, 1.99, 0)
    lapses = np.asarray(lapses, np.float64)
    lapse = np.where(lapses > 0, _log_bin(np.maximum(lapses, 1.0), 1.73, 1.65, 0), 0.0)
    keys = np.stack([interval, number, lapse], axis=1)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.reshape(-1)
    count = np.bincount(group).astype(np.float64)
    mean_y = np.bincount(group, y) / count
    mean_p = np.bincount(group, p) / count
    return float(np.sqrt(np.sum(count * (mean_y - mean_p) ** 2) / np.sum(count)))


def review_history(item, outcome):
    """Per event: 1-based review number of its item and its earlier failed reviews.

    Parameters
    ----------
    item, outcome : array_like
        Events in time order; ``outcome`` NaN for events that are not reviews.

    Returns
    -------
    review_number, lapses : numpy.ndarray
    """
    item = np.asarray(item)
    outcome = np.asarray(outcome, np.float64)
    review_number = np.zeros(len(item), np.int64)
    lapses = np.zeros(len(item), np.int64)
    seen = {}
    failed = {}
    for e, (i, y) in enumerate(zip(item.tolist(), outcome.tolist())):
        if y != y:  # NaN: a study, not a review
            continue
        review_number[e] = seen.get(i, 0) + 1
        lapses[e] = failed.get(i, 0)
        seen[i] = review_number[e]
        failed[i] = lapses[e] + (y < 0.5)
    return review_number, lapses


def evaluate(pred, by=None, first_reviews=False):
    """Score predictions of observed answers: log-loss, RMSE (bins), AUC, calibration.

    Predictions of a lazy review log (a
    :class:`~simulator.predict_stream.PredictionLog`) are scored learner by
    learner (:mod:`analysis.evaluate_stream`): the same per-learner metrics, pooled
    ones up to summation order, and a pooled AUC from a fine histogram with its
    error bound ``auc_max_error``.

    Parameters
    ----------
    pred : xarray.Dataset or simulator.predict_stream.PredictionLog
        From :func:`simulator.predict` (``p_recall``, ``outcome``, ``lag`` and coords
        ``item``/``learner`` over ``event``).
    by : None or "learner"
        Pooled metrics, or one set per learner (dim ``learner``) beside the pooled
        ones (``*_pooled``).
    first_reviews : bool
        Also score each item's first review, which no model can predict from its
        own history (srs-benchmark leaves them out).

    Returns
    -------
    xarray.Dataset
        ``log_loss``, ``rmse_bins``, ``auc``, ``n_reviews`` (per learner with
        ``by="learner"``); ``calibration_predicted``, ``calibration_observed``,
        ``calibration_count`` over ``recall_bin`` (pooled).
    """
    from simulator.predict_stream import PredictionLog
    if isinstance(pred, PredictionLog):
        from analysis.evaluate_stream import evaluate_log
        return evaluate_log(pred, by=by, first_reviews=first_reviews)
    REGISTRY.validate(pred, required=("p_recall", "outcome", "lag", "item"), where="evaluate")
    if by not in (None, "learner"):
        raise ValueError(f"by must be None or 'learner', got {by!r}")
    if by == "learner" and "learner" not in pred.variables:
        raise ValueError("by='learner' needs a 'learner' coordinate (a stream with learners)")
    outcome = pred["outcome"].values.astype(np.float64)
    item = pred["item"].values
    learner = (pred["learner"].values if "learner" in pred.variables
               else np.zeros(len(item), np.int64))
    key = learner.astype(np.int64) * (int(item.max()) + 1 if len(item) else 1) + item
    review_number, lapses = review_history(key, outcome)
    scored = ~np.isnan(outcome) & np.isfinite(pred["p_recall"].values)
    if not first_reviews:
        scored &= review_number > 1
    y = outcome[scored]
    p = pred["p_recall"].values[scored]
    days = pred["lag"].values[scored] / DAY
    number, lapse = review_number[scored], lapses[scored]

    def metrics(mask):
        return (log_loss(y[mask], p[mask]) if mask.any() else np.nan,
                rmse_bins(y[mask], p[mask], days[mask], number[mask], lapse[mask]),
                auc(y[mask], p[mask]), int(mask.sum()))

    pooled = metrics(np.ones(len(y), np.bool_))
    data = {}
    coords = {}
    if by == "learner":
        ids = np.unique(learner)
        per = np.array([metrics(learner[scored] == i) for i in ids], dtype=object)
        for k, name in enumerate(("log_loss", "rmse_bins", "auc", "n_reviews")):
            data[name] = (("learner",), per[:, k].astype(np.int64 if name == "n_reviews"
                                                          else np.float64), METRICS[name])
            data[f"{name}_pooled"] = ((), pooled[k], METRICS[name])
        coords["learner"] = ("learner", ids, {"long_name": "learner", "units": "1"})
    else:
        for k, name in enumerate(("log_loss", "rmse_bins", "auc", "n_reviews")):
            data[name] = ((), pooled[k], METRICS[name])
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    count = np.bincount(which, minlength=CALIBRATION_BINS)
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted = np.bincount(which, p, CALIBRATION_BINS) / count
        observed = np.bincount(which, y, CALIBRATION_BINS) / count
    data["calibration_predicted"] = ("recall_bin", predicted,
                                     {"long_name": "mean predicted recall", "units": "1"})
    data["calibration_observed"] = ("recall_bin", observed,
                                    {"long_name": "observed recall", "units": "1"})
    data["calibration_count"] = ("recall_bin", count,
                                 {"long_name": "reviews in bin", "units": "count"})
    coords["recall_bin"] = ("recall_bin", 0.5 * (edges[1:] + edges[:-1]),
                            {"long_name": "predicted recall (bin centre)", "units": "1"})
    attrs = {k: v for k, v in pred.attrs.items() if k.startswith("agent")}
    attrs["first_reviews_scored"] = int(first_reviews)
    return xr.Dataset(data, coords=coords, attrs=attrs)


@house_style
def plot_calibration(evaluation, ax=None, label=None):
    """Observed vs predicted recall per bin of prediction, with the reviews per bin.

    Parameters
    ----------
    evaluation : xarray.Dataset
        From :func:`evaluate`.
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label of the model.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.2))
    count = evaluation["calibration_count"].values
    shown = count > 0
    predicted = evaluation["calibration_predicted"].values[shown]
    observed = evaluation["calibration_observed"].values[shown]
    if not any(line.get_label() == "perfect calibration" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect calibration")
    sizes = 20 + 200 * count[shown] / max(count.max(), 1)
    points = ax.scatter(predicted, observed, s=sizes, alpha=0.8,
                        label=(label or "model") + " (area: reviews per bin)")
    for x, y_, n in zip(predicted, observed, count[shown]):
        ax.annotate(f"{n}", (x, y_), textcoords="offset points", xytext=(4, -10), fontsize=7,
                    color=points.get_facecolor()[0])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted recall")
    ax.set_ylabel("observed recall")
    ax.set_title(f"Calibration (log-loss {float(evaluation['log_loss'].mean()):.3f}, "
                 f"RMSE(bins) {float(evaluation['rmse_bins'].mean()):.3f})")
    ax.legend(loc="upper left", fontsize=8)
    return ax
