"""Forgetting-curve fits: analysis.fit_forgetting vs a scipy.optimize.curve_fit loop, same run.

A sweep of noisy retention curves (power, exponential, hyperbolic and Wickelgren
generators with random parameters, 12 log-spaced delays) is fitted with the five
forms defined for delays <= 1 as well (power, exponential, hyperbolic,
logarithmic, Wickelgren), once by ``fit_forgetting`` over the whole sweep and once
by the peer: ``curve_fit`` per curve and form with its default start (all ones),
as a script would. Printed: time, the fits that failed (an exception or non-finite
result), how often each method reached the lower SSE, and the time ratio.

    python benchmarks/bench_fitting.py [--curves 200] [--seed 2026]
"""
import argparse
import time
import warnings

import numpy as np
import xarray as xr
from scipy.optimize import curve_fit

from analysis import fit_forgetting
from analysis.fitting import FORMS

MODELS = ("power", "exponential", "hyperbolic", "logarithmic", "wickelgren")


def synthetic_sweep(n_curves, seed):
    rng = np.random.default_rng(seed)
    delays = np.geomspace(0.5, 5000, 12)
    generators = [
        lambda: FORMS["power"](delays, rng.uniform(0.6, 1), rng.uniform(0.05, 0.6)),
        lambda: FORMS["exponential"](delays, rng.uniform(0.6, 1), 10 ** rng.uniform(-3.5, -1)),
        lambda: FORMS["hyperbolic"](delays, rng.uniform(0.6, 1), 10 ** rng.uniform(-3, 0)),
        lambda: FORMS["wickelgren"](delays, rng.uniform(0.6, 1), 10 ** rng.uniform(-2, 1),
                                    rng.uniform(0.1, 1.5)),
    ]
    curves = np.array([generators[k % 4]() for k in range(n_curves)])
    curves = np.clip(curves + rng.normal(0, 0.02, curves.shape), 0, 1)
    return xr.DataArray(curves, dims=("replicate", "lag"), coords={"lag": delays})


def curve_fit_loop(sweep):
    """SSE per (curve, form) from curve_fit with default starting values; NaN on failure."""
    delays = sweep["lag"].values
    sse = np.full((sweep.sizes["replicate"], len(MODELS)), np.nan)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for r, y in enumerate(sweep.values):
            for m, name in enumerate(MODELS):
                try:
                    params, _ = curve_fit(FORMS[name].function, delays, y, maxfev=5000)
                except (RuntimeError, ValueError):
                    continue
                residual = y - FORMS[name].function(delays, *params)
                if np.all(np.isfinite(residual)):
                    sse[r, m] = residual @ residual
    return sse


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sweep = synthetic_sweep(args.curves, args.seed)
    fit_forgetting(sweep.isel(replicate=slice(0, 2)), models=MODELS)  # warm-up

    start = time.perf_counter()
    ours = fit_forgetting(sweep, models=MODELS)["sse"].transpose("replicate", "model").values
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    peer = curve_fit_loop(sweep)
    peer_s = time.perf_counter() - start

    n = ours.size
    both = np.isfinite(ours) & np.isfinite(peer)
    tolerance = 1e-9 * np.maximum(ours, peer)
    print(f"{args.curves} curves x {len(MODELS)} forms = {n} fits")
    print(f"fit_forgetting        : {ours_s:7.2f} s  failed {np.sum(~np.isfinite(ours)):4d}")
    print(f"curve_fit loop (p0=1) : {peer_s:7.2f} s  failed {np.sum(~np.isfinite(peer)):4d}")
    print(f"lower SSE (both fitted, {both.sum()} fits): fit_forgetting "
          f"{np.sum(both & (ours < peer - tolerance))}, curve_fit "
          f"{np.sum(both & (peer < ours - tolerance))}, tied {np.sum(both & (abs(ours - peer) <= tolerance))}")
    print(f"time ratio curve_fit / fit_forgetting: {peer_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
