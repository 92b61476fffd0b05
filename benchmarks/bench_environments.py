"""Power-law environment and need-probability analysis at 10^7 events, against baselines.

Generator: ``environments.power_law`` (exact dyadic-bucket rejection sampler) against
the foundation's sampler (rejection from a continuous power-law proposal over all
past steps, kept here as the baseline), same events, same exponents, same process.
Analysis: ``analysis.need_probability`` (one jitted pass) against a vectorised numpy
implementation of the same counts (stable argsort for the next need, one mask per
lag); the two must agree exactly. Targets: 10^7 events < 5 s per exponent, the
analysis < 10 s, one core: times are CPU seconds of this process (wall time on a
shared machine counts the other jobs).

    python benchmarks/bench_environments.py [--events 10000000] [--exponents 0 0.5 1 1.5]
"""
import argparse
import math
import time

import numpy as np

import analysis
import environments as env
from environments.jit import njit
from environments.seeding import generator, seed_sequence


@njit
def _lag_mass(lag, exponent):
    if exponent == 1.0:
        return math.log1p(1.0 / lag)
    return ((lag + 1.0) ** (1.0 - exponent) - lag ** (1.0 - exponent)) / (1.0 - exponent)


@njit
def foundation_power_law_items(rng, n_events, exponent, new_item_prob, n_items):
    """Baseline: the foundation's sampler (propose x ~ x^-a on [1, t + 1), lag = floor(x),
    reject lags whose step is no longer a last need, correct to exact L^-a)."""
    items = np.empty(n_events, np.int64)
    owner = np.full(n_events, -1, np.int64)
    n_known = 0
    one_minus = 1.0 - exponent
    top_ratio = 1.0 / _lag_mass(1.0, exponent)
    for t in range(n_events):
        new = n_known == 0 or (n_known < n_items and rng.random() < new_item_prob)
        if new:
            item = n_known
            n_known += 1
        else:
            if exponent == 1.0:
                log_span = math.log(t + 1.0)
            else:
                span = (t + 1.0) ** one_minus - 1.0
            while True:
                u = rng.random()
                if exponent == 1.0:
                    x = math.exp(u * log_span)
                else:
                    x = (1.0 + u * span) ** (1.0 / one_minus)
                lag = min(max(int(x), 1), t)
                if owner[t - lag] < 0:
                    continue
                ratio = lag ** -exponent / _lag_mass(float(lag), exponent) / top_ratio
                if ratio >= 1.0 or rng.random() < ratio:
                    break
            item = owner[t - lag]
            owner[t - lag] = -1
        items[t] = item
        owner[t] = item
    return items


def numpy_need_counts(stream, lags, window):
    """Peer implementation of need_probability's counts with numpy array operations."""
    time_, item = stream.time, stream.item
    order = np.argsort(item, kind="stable")
    same = item[order[1:]] == item[order[:-1]]
    gap = np.full(len(item), np.inf)
    gap[order[:-1][same]] = time_[order[1:][same]] - time_[order[:-1][same]]
    n_at_risk, n_needed = [], []
    for lag in lags:
        at_risk = (gap >= lag) & (time_ + lag + window <= time_[-1])
        n_at_risk.append(np.count_nonzero(at_risk))
        n_needed.append(np.count_nonzero(at_risk & (gap < lag + window)))
    return np.array(n_at_risk), np.array(n_needed)


def timed(func):
    """CPU seconds of this (single-threaded) process, so other jobs on the machine do not count."""
    start = time.process_time()
    result = func()
    return time.process_time() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--exponents", type=float, nargs="+", default=[0.0, 0.5, 1.0, 1.5])
    args = parser.parse_args()

    # compile (or load the cache) outside the timings
    env.power_law(1000, seed=0)
    analysis.need_probability(env.power_law(1000, seed=0))
    foundation_power_law_items(generator(seed_sequence(0)), 1000, 0.5, 0.05, 1000)

    print(f"{args.events:,} events, new_item_prob 0.05, seed 2026; CPU seconds (one core)")
    print(f"{'exponent':>8} {'power_law s':>12} {'foundation s':>13} {'speed-up':>9} "
          f"{'need_prob s':>12} {'numpy s':>8} {'speed-up':>9} {'fitted':>7}")
    for exponent in args.exponents:
        ours_s, stream = timed(lambda: env.power_law(args.events, exponent=exponent,
                                                     seed=2026))
        base_s, _ = timed(lambda: foundation_power_law_items(
            generator(seed_sequence(2026)), args.events, exponent, 0.05, args.events))
        need_s, need = timed(lambda: analysis.need_probability(stream))
        peer_s, (n_at_risk, n_needed) = timed(lambda: numpy_need_counts(
            stream, need["lag"].values, need.attrs["window"]))
        assert np.array_equal(n_at_risk, need["n_at_risk"].values)
        assert np.array_equal(n_needed, need["n_needed"].values)
        fitted = float(analysis.fit_power_law(need)["exponent"])
        print(f"{exponent:8.2f} {ours_s:12.2f} {base_s:13.2f} {base_s / ours_s:8.1f}x "
              f"{need_s:12.2f} {peer_s:8.2f} {peer_s / need_s:8.1f}x {fitted:7.3f}")


if __name__ == "__main__":
    main()
