"""Fitting ACT-R to review logs: 3 parameters per learner, 200 learners x 1,000 reviews.

cogmemsim (``analysis.fit_agent(model, log, by="learner")``, the processes
backend) against what a researcher writes today: ``scipy.optimize.minimize``
(L-BFGS-B, the same bounds and start) over a numpy Bernoulli likelihood of
the ACT-R base-level equation, learner after learner, in two forms:

- *loop*: a Python loop over the reviews, numpy over each review's history;
- *vectorised*: every review's history in one padded matrix, built once.

Both baselines are checked to reach the same likelihood as cogmemsim. The log
is drawn by ``simulator.simulate_answers`` from ACT-R (decay 0.5) over
``environments.review_schedule`` (50 items x 20 reviews per learner, gaps
log-uniform from a minute to 30 days). The loop baseline is timed on
``--baseline-learners`` learners and scaled.

    python benchmarks/bench_fit.py [--learners 200] [--baseline-learners 10] [--workers 2]
"""
import argparse
import time

import numpy as np
from scipy import optimize

from _timing import ROOT  # noqa: F401  (this checkout first on sys.path)

import analysis  # noqa: E402
import environments as env  # noqa: E402
import simulator  # noqa: E402
from analysis.evaluate import review_history  # noqa: E402

TRUTH = simulator.ACTR(decay=0.5, threshold=-4.5, noise=0.5)
START = simulator.ACTR(decay=0.4, threshold=-3.0, noise=0.4)
FREE = ("decay", "threshold", "noise")
BOUNDS = [(1e-6, 1 - 1e-6), (None, None), (1e-6, None)]
FLOOR = 1e-12


def histories(events):
    """Per scored review: outcome and the ages (s) of its item's earlier reviews."""
    number, _ = review_history(events.item, events.outcome)
    scored = np.flatnonzero(number > 1)
    ages = [events.time[e] - events.time[:e][events.item[:e] == events.item[e]]
            for e in scored]
    return events.outcome[scored], ages


def nll_loop(theta, y, ages):
    decay, threshold, noise = theta
    total = 0.0
    for outcome, age in zip(y, ages):
        activation = np.log(np.sum(age ** -decay))
        p = 1.0 / (1.0 + np.exp(-(activation - threshold) / noise))
        p = min(max(p, FLOOR), 1 - FLOOR)
        total -= outcome * np.log(p) + (1 - outcome) * np.log1p(-p)
    return total


def padded(ages):
    width = max(len(a) for a in ages)
    matrix = np.ones((len(ages), width))
    mask = np.zeros((len(ages), width), bool)
    for k, a in enumerate(ages):
        matrix[k, :len(a)] = a
        mask[k, :len(a)] = True
    return matrix, mask


def nll_vectorised(theta, y, matrix, mask):
    decay, threshold, noise = theta
    np.seterr(over="ignore")  # exp overflow gives p = 0, clipped below
    activation = np.log(np.sum(np.where(mask, matrix ** -decay, 0.0), axis=1))
    p = np.clip(1.0 / (1.0 + np.exp(-(activation - threshold) / noise)), FLOOR, 1 - FLOOR)
    return -np.sum(y * np.log(p) + (1 - y) * np.log1p(-p))


def scipy_fit(nll, args):
    start = [START.decay, START.threshold, START.noise]
    return optimize.minimize(nll, start, args=args, method="L-BFGS-B", bounds=BOUNDS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--baseline-learners", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    log = simulator.simulate_answers(TRUTH, env.review_schedule(args.learners, 50, 20, seed=1),
                                     seed=2)
    print(f"{args.learners} learners x 1,000 reviews, ACT-R decay/threshold/noise")
    learners = env.split_learners(log)
    analysis.fit_agent(START, learners[0][1], free=FREE)  # compile
    start = time.perf_counter()
    serial_fit = analysis.fit_agent(START, log, free=FREE, seed=0)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    fit = analysis.fit_agent(START, log, free=FREE, seed=0, backend="processes",
                             workers=args.workers)
    ours = time.perf_counter() - start
    same = bool(serial_fit.identical(fit))
    decay = fit["estimate"].sel(parameter="decay").values
    print(f"  cogmemsim (1 core): {serial:6.2f} s; ({args.workers} processes, workers started "
          f"by the call): {ours:6.2f} s, identical results: {same}; decay "
          f"{np.median(decay):.3f} (median), |error| < 0.05 for "
          f"{np.mean(abs(decay - 0.5) < 0.05):.0%} of learners")
    ours = min(ours, serial)

    prepared = [histories(events) for _, events, _ in learners]
    start = time.perf_counter()
    vector = [scipy_fit(nll_vectorised, (y,) + padded(ages)) for y, ages in prepared]
    vectorised = time.perf_counter() - start
    gap = np.max(np.abs(-np.array([r.fun for r in vector]) - fit["log_likelihood"].values))
    start = time.perf_counter()
    loops = [scipy_fit(nll_loop, prepared[k]) for k in range(args.baseline_learners)]
    loop = (time.perf_counter() - start) * args.learners / args.baseline_learners
    gap_loop = np.max(np.abs(-np.array([r.fun for r in loops])
                             - fit["log_likelihood"].values[:args.baseline_learners]))
    print(f"  scipy + numpy loop over reviews (1 core): {loop:7.2f} s (from "
          f"{args.baseline_learners} learners); ratio {loop / ours:5.1f}x; "
          f"max |log-likelihood difference| {gap_loop:.2g}")
    print(f"  scipy + vectorised numpy (1 core):        {vectorised:7.2f} s; "
          f"ratio {vectorised / ours:5.1f}x; max |log-likelihood difference| {gap:.2g}")
    print(f"  target: >= 20x the scipy loop and under 60 s on 2 cores: "
          f"{'met' if loop / ours >= 20 and ours < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
