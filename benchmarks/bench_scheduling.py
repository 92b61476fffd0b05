"""Closed-loop scheduling: 10,000 items x 365 days, ACT-R with the spacing model,
TargetRetention(0.9), daily limits; against simulator.run on the same events.

``simulator.simulate_schedule`` is timed (best of ``--repeats``, after a compile
call) with the learner's exact base level and with the multiscale one. The
baseline, timed in the same run, is :func:`simulator.run` over the open-loop
stream of the very events the closed loop produced (the same activations, no
scheduling): the ratio says what the daily scan of every item and the
scheduling cost on top of the memory updates. Target: under 10 s on one core.

    python benchmarks/bench_scheduling.py [--items 10000] [--days 365]
        [--reviews-per-day 1000] [--new-per-day 50] [--repeats 2]
"""
import argparse

import numpy as np

from _timing import best_of  # first: this checkout's packages, not an installed copy

import simulator  # noqa: E402
from environments import EventStream  # noqa: E402

PAVLIK = dict(spacing_scale=0.217, spacing_intercept=0.177, threshold=-0.704, noise=0.255,
              intersession_scale=0.025)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--reviews-per-day", type=int, default=1000)
    parser.add_argument("--new-per-day", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    scheduler = simulator.TargetRetention(0.9)
    limits = dict(reviews_per_day=args.reviews_per_day, new_per_day=args.new_per_day)
    print(f"{args.items} items x {args.days} days, TargetRetention(0.9), "
          f"reviews_per_day={args.reviews_per_day}, new_per_day={args.new_per_day}")
    for approximation in ("exact", "multiscale"):
        learner = simulator.ACTR(approximation=approximation, **PAVLIK)
        simulator.simulate_schedule(scheduler, learner, 20, 5, seed=0, **limits)  # compile
        seconds, ds = best_of(args.repeats, lambda: simulator.simulate_schedule(
            scheduler, learner, args.items, args.days, seed=1, **limits))
        logged = simulator.simulate_schedule(scheduler, learner, args.items, args.days,
                                             seed=1, events=True, **limits)
        stream = EventStream(time=logged["time"].values, item=logged["item"].values,
                             kind=logged["kind"].values, n_items=args.items)
        simulator.run(learner, EventStream(time=[0.0], item=[0]), seed=0)  # compile
        baseline, ran = best_of(args.repeats, lambda: simulator.run(learner, stream, seed=1))
        same = np.allclose(ran["p_recall"].values, logged["p_recall"].values, rtol=1e-9)
        print(f"  {approximation:>10}: simulate_schedule {seconds:6.2f} s "
              f"({'under' if seconds < 10 else 'OVER'} the 10 s target); "
              f"simulator.run on its {len(stream):,} events {baseline:6.2f} s; "
              f"ratio {seconds / baseline:5.1f}x; same p_recall: {same}; "
              f"reviews/item {float(ds['reviews_per_item']):.1f}, "
              f"retention after {ds['test_delay'].values[0]:g} d "
              f"{ds['retention'].values[0]:.3f}")


if __name__ == "__main__":
    main()
