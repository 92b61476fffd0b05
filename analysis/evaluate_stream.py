"""Scoring predictions larger than memory, learner by learner.

:func:`analysis.evaluate` on a :class:`simulator.predict_stream.PredictionLog`
comes here. One learner's predictions are read at a time; per-learner metrics
are those :func:`analysis.evaluate` computes on the learner in memory, and the
pooled metrics are kept as sums that merge across learners: log-loss (sum of
cross-entropies), RMSE (bins) (count, answers and predictions per bin of
srs-benchmark's interval x review number x lapses key), calibration (per recall
bin) and the review count, equal to the in-memory values up to the order of
floating-point summation. Pooled AUC needs every prediction ranked against
every other; here it is computed from a histogram of the predictions, binned
by the leading bits of ``p`` (``p <= 1/2``) or of ``1 - p`` (above): 512 bins per
binary order of magnitude, so a bin spans 0.2 % of ``p`` (or of ``1 - p``) however
close to 0 or 1 the predictions crowd. Pairs within one bin count half; the
largest difference that makes from the exact AUC is reported (``auc_max_error``).
Memory: one learner plus the fixed-size histograms.
"""
import numpy as np
import xarray as xr

from analysis.evaluate import CALIBRATION_BINS, DAY, METRICS, _log_bin, auc, log_loss, rmse_bins

_MANTISSA_SHIFT = 52 - 9  # keep 9 mantissa bits: 512 bins per binade
_HALF_KEY = int(np.array(0.5).view(np.uint64) >> _MANTISSA_SHIFT)
AUC_BINS = 2 * _HALF_KEY + 2
"""Bins of the prediction histogram behind the pooled AUC of a streamed evaluation."""


def auc_bin(p):
    """Histogram bin of each prediction, increasing with ``p``: the leading bits of
    ``p`` up to 1/2, mirrored bits of ``1 - p`` above.

    Parameters
    ----------
    p : numpy.ndarray of float64 in [0, 1]

    Returns
    -------
    numpy.ndarray of int64 in ``0 .. AUC_BINS - 1``
    """
    low = p <= 0.5
    q = np.ascontiguousarray(np.where(low, p, 1.0 - p), np.float64)
    key = (q.view(np.uint64) >> _MANTISSA_SHIFT).astype(np.int64)
    return np.where(low, key, 2 * _HALF_KEY + 1 - key)


def evaluate_log(log, by=None, first_reviews=False):
    """:func:`analysis.evaluate` of a :class:`~simulator.predict_stream.PredictionLog`;
    see there for the parameters.

    Returns
    -------
    xarray.Dataset
        As :func:`analysis.evaluate`, plus ``auc_max_error`` (pooled).
    """
    if by not in (None, "learner"):
        raise ValueError(f"by must be None or 'learner', got {by!r}")
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    calibration = np.zeros((3, CALIBRATION_BINS))  # count, sum p, sum y
    histogram = np.zeros(2 * AUC_BINS, np.int64)
    bins = {}
    cross_entropy, n_scored = 0.0, 0
    per_learner = []
    for ids, block, bounds in log.blocks():
        parts = []
        for j in range(len(ids)):
            columns = {name: values[bounds[j]:bounds[j + 1]] for name, values in block.items()}
            outcome = columns["outcome"].astype(np.float64)
            review_number, lapses = review_history_by_item(columns["item"], outcome)
            p_all = columns["p_recall"]
            scored = ~np.isnan(outcome) & np.isfinite(p_all)
            if not first_reviews:
                scored &= review_number > 1
            part = (outcome[scored], p_all[scored], columns["lag"][scored] / DAY,
                    review_number[scored], lapses[scored])
            if by == "learner":
                y, p = part[:2]
                per_learner.append((log_loss(y, p) if len(y) else np.nan,
                                    rmse_bins(*part), auc(y, p), len(y)))
            parts.append(part)
        # the pooled sums, once per row group
        y, p, days, number, lapse = (np.concatenate(column) for column in zip(*parts))
        if not len(y):
            continue
        eps = np.finfo(np.float64).eps
        q = np.clip(p, eps, 1.0 - eps)
        cross_entropy += float(-np.sum(y * np.log(q) + (1.0 - y) * np.log1p(-q)))
        n_scored += len(y)
        _merge_bins(bins, y, p, days, number, lapse)
        which = np.clip(np.digitize(p, edges[1:-1]), 0, CALIBRATION_BINS - 1)
        calibration += [np.bincount(which, minlength=CALIBRATION_BINS),
                        np.bincount(which, p, CALIBRATION_BINS),
                        np.bincount(which, y, CALIBRATION_BINS)]
        # recalled reviews counted in the upper half of the histogram
        histogram += np.bincount(auc_bin(p) + np.where(y > 0.5, AUC_BINS, 0),
                                 minlength=2 * AUC_BINS)
    negatives, positives = histogram[:AUC_BINS], histogram[AUC_BINS:]
    counts = np.array([v[0] for v in bins.values()])
    if len(counts):
        mean_y = np.array([v[1] for v in bins.values()]) / counts
        mean_p = np.array([v[2] for v in bins.values()]) / counts
        rmse = float(np.sqrt(np.sum(counts * (mean_y - mean_p) ** 2) / np.sum(counts)))
    else:
        rmse = float("nan")
    pooled = (cross_entropy / n_scored if n_scored else np.nan, rmse,
              *_histogram_auc(positives, negatives), n_scored)
    data, coords = {}, {}
    names = ("log_loss", "rmse_bins", "auc", "n_reviews")
    pooled_values = dict(zip(names, (pooled[0], pooled[1], pooled[2], pooled[4])))
    error_attrs = {"long_name": "largest error of the pooled AUC", "units": "1",
                   "description": "half the share of recalled-forgotten pairs within one "
                                  "prediction bin (0.2 % of p or of 1 - p)"}
    if by == "learner":
        per = np.array(per_learner, dtype=object).reshape(-1, 4)
        for k, name in enumerate(names):
            data[name] = (("learner",), per[:, k].astype(np.int64 if name == "n_reviews"
                                                          else np.float64), METRICS[name])
            data[f"{name}_pooled"] = ((), pooled_values[name], METRICS[name])
        data["auc_max_error_pooled"] = ((), pooled[3], error_attrs)
        coords["learner"] = ("learner", log.learner_ids, {"long_name": "learner",
                                                          "units": "1"})
    else:
        for name in names:
            data[name] = ((), pooled_values[name], METRICS[name])
        data["auc_max_error"] = ((), pooled[3], error_attrs)
    count, sum_p, sum_y = calibration
    with np.errstate(invalid="ignore", divide="ignore"):
        data["calibration_predicted"] = ("recall_bin", sum_p / count,
                                         {"long_name": "mean predicted recall", "units": "1"})
        data["calibration_observed"] = ("recall_bin", sum_y / count,
                                        {"long_name": "observed recall", "units": "1"})
    data["calibration_count"] = ("recall_bin", count.astype(np.int64),
                                 {"long_name": "reviews in bin", "units": "count"})
    coords["recall_bin"] = ("recall_bin", 0.5 * (edges[1:] + edges[:-1]),
                            {"long_name": "predicted recall (bin centre)", "units": "1"})
    attrs = {k: v for k, v in log.attrs.items() if k.startswith("agent")}
    attrs["first_reviews_scored"] = int(first_reviews)
    attrs["streamed"] = 1
    return xr.Dataset(data, coords=coords, attrs=attrs)


def review_history_by_item(item, outcome):
    """:func:`analysis.evaluate.review_history` in array operations: per event the
    1-based number of its item's review and the item's failed reviews before it (0
    for events without an answer).

    Parameters
    ----------
    item, outcome : numpy.ndarray
        Events in time order; ``outcome`` NaN where nothing was answered.

    Returns
    -------
    review_number, lapses : numpy.ndarray of int64
    """
    review_number = np.zeros(len(item), np.int64)
    lapses = np.zeros(len(item), np.int64)
    answered = np.flatnonzero(~np.isnan(outcome))
    order = answered[np.argsort(item[answered], kind="stable")]
    grouped = item[order]
    position = np.arange(len(order))
    starts = np.r_[True, grouped[1:] != grouped[:-1]][:len(order)]
    first = np.maximum.accumulate(np.where(starts, position, 0))
    failed = (outcome[order] < 0.5).astype(np.int64)
    before = np.cumsum(failed) - failed
    review_number[order] = position - first + 1
    lapses[order] = before - before[first]
    return review_number, lapses


def _merge_bins(bins, y, p, days, number, lapses):
    """Add one learner's reviews to the pooled RMSE (bins) sums, keyed as
    :func:`analysis.evaluate.rmse_bins` keys them."""
    interval = _log_bin(np.maximum(days, 1e-6), 3.62, 2.48, 2)
    number = _log_bin(number.astype(np.float64), 1.89, 1.99, 0)
    lapses = lapses.astype(np.float64)
    lapse = np.where(lapses > 0, _log_bin(np.maximum(lapses, 1.0), 1.73, 1.65, 0), 0.0)
    key = np.stack([interval, number, lapse], axis=1)
    order = np.lexsort((lapse, number, interval))
    ordered = key[order]
    new = np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1)]
    keys = ordered[new]
    group = np.empty(len(order), np.int64)
    group[order] = np.cumsum(new) - 1
    count = np.bincount(group)
    sum_y = np.bincount(group, y)
    sum_p = np.bincount(group, p)
    for key, c, sy, sp in zip(map(tuple, keys.tolist()), count.tolist(), sum_y.tolist(),
                              sum_p.tolist()):
        old = bins.get(key)
        bins[key] = (c, sy, sp) if old is None else (old[0] + c, old[1] + sy, old[2] + sp)


def _histogram_auc(positives, negatives):
    """AUC from histograms of the predictions of recalled and forgotten reviews
    (pairs in one bin count half) and the largest error that makes."""
    n1, n0 = int(positives.sum()), int(negatives.sum())
    if n1 == 0 or n0 == 0:
        return float("nan"), float("nan")
    below = np.cumsum(negatives) - negatives  # forgotten reviews in lower bins
    pos, neg = positives.astype(np.float64), negatives.astype(np.float64)
    wins = float(np.sum(pos * below)) + 0.5 * float(np.sum(pos * neg))
    return wins / (n1 * n0), 0.5 * float(np.sum(pos * neg)) / (n1 * n0)
