"""The FSRS simulator's default workload: cogmemsim's FSRS schedule beside fsrs-optimizer's.

fsrs-optimizer 6's ``fsrs_simulator.simulate`` (loaded by path: the package's
``__init__`` imports torch) simulates a 10,000-card deck over 365 days with its
default limits (1800 s of study a day, no new-card or review limit), review costs,
rating probabilities and learning-step transitions, FSRS-6 default weights and a
desired retention of 0.9. cogmemsim runs the same workload in the same process:

    simulate_schedule(TargetRetention(0.9, model=FSRS(calendar_days=True)),
                      FSRS(calendar_days=True), 10000, 365, time_per_day=1800,
                      ratings=Ratings(relearning_updates_memory=False))

(the FSRS simulator charges the relearning steps after a lapse their time but keeps
the stability and difficulty the lapse set; cogmemsim's default, as in Anki and
py-fsrs, lets the steps update the memory: that run is printed too). Both are run for ``--seeds`` seeds and timed in CPU time (``time.process_time``, which
other jobs on a shared machine do not inflate); the ratio of their mean times per run
is printed beside the agreement of the seed-averaged daily reviews, daily new cards
and memorized count (sum of retrievability at the end of each day): the relative
difference of their means over the days and the mean relative difference of their
30-day means.

    python benchmarks/bench_srs.py [--seeds 3] [--cards 10000] [--days 365]
"""
import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

from _timing import best_of  # first: this checkout's packages, not an installed copy

import simulator  # noqa: E402


def peer_module():
    """fsrs-optimizer's ``fsrs_simulator`` module, loaded by its file path."""
    spec = importlib.util.find_spec("fsrs_optimizer")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("fsrs-optimizer is not installed (pip install fsrs-optimizer)")
    path = Path(list(spec.submodule_search_locations)[0]) / "fsrs_simulator.py"
    module_spec = importlib.util.spec_from_file_location("fsrs_simulator", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def cogmemsim_run(cards, days, seed, target=0.9, relearning_updates_memory=False):
    model = simulator.FSRS(calendar_days=True)
    ratings = simulator.Ratings(relearning_updates_memory=relearning_updates_memory)
    ds = simulator.simulate_schedule(simulator.TargetRetention(target, model=model), model,
                                     cards, days, time_per_day=1800.0, ratings=ratings,
                                     seed=seed, test_delays=(1.0,))
    return ds["reviews"].values, ds["new_items"].values, ds["memorized"].values


def peer_run(peer, weights, cards, days, seed, target=0.9):
    _, reviews, new, memorized, _, _ = peer.simulate(weights, request_retention=target,
                                                      deck_size=cards, learn_span=days,
                                                      seed=seed)
    return reviews, new, memorized


def agreement(mine, theirs, window=30):
    """Relative difference of the means over the days, and mean |relative difference|
    of the ``window``-day means."""
    total = mine.mean() / theirs.mean() - 1.0
    n = len(mine) // window * window
    a = mine[:n].reshape(-1, window).mean(1)
    b = theirs[:n].reshape(-1, window).mean(1)
    ok = b > 0
    windows = np.mean(np.abs(a[ok] / b[ok] - 1.0))
    return total, windows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cards", type=int, default=10000)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()

    peer = peer_module()
    weights = list(simulator.FSRS().weights)
    cogmemsim_run(20, 5, 0)  # compile (or load the cache)

    clock = time.process_time
    mine, theirs, t_mine, t_theirs, steps = [], [], [], [], []
    for k in range(args.seeds):
        steps.append(cogmemsim_run(args.cards, args.days, k, relearning_updates_memory=True))
        t, result = best_of(1, lambda: cogmemsim_run(args.cards, args.days, k), clock)
        mine.append(result)
        t_mine.append(t)
        t, result = best_of(1, lambda: peer_run(peer, weights, args.cards, args.days, 42 + k),
                            clock)
        theirs.append(result)
        t_theirs.append(t)
        print(f"seed {k}: cogmemsim {t_mine[-1]:7.3f} s   fsrs_simulator {t_theirs[-1]:7.1f} s",
              flush=True)
    mine = np.mean(mine, axis=0)
    theirs = np.mean(theirs, axis=0)
    steps = np.mean(steps, axis=0)
    ratio = np.mean(t_theirs) / np.mean(t_mine)
    print(f"\nFSRS simulator default workload: {args.cards} cards x {args.days} days, "
          f"1800 s/day, desired retention 0.9, {args.seeds} seeds each (CPU time)")
    print(f"cogmemsim simulate_schedule: {np.mean(t_mine):8.3f} s per run")
    print(f"fsrs_simulator.simulate:     {np.mean(t_theirs):8.3f} s per run")
    print(f"speed ratio: {ratio:,.0f}x faster (target >= 5x)")
    print(f"{'seed-averaged':<22}{'cogmemsim':>12}{'fsrs_sim':>12}{'diff of means':>15}"
          f"{'30-day windows':>16}")
    for name, k in (("reviews per day", 0), ("new cards per day", 1),
                    ("memorized (sum R)", 2)):
        total, windows = agreement(mine[k], theirs[k])
        print(f"{name:<22}{mine[k].mean():12.2f}{theirs[k].mean():12.2f}{total:+14.2%}"
              f"{windows:15.2%}")
    print(f"{'memorized, last day':<22}{mine[2][-1]:12.1f}{theirs[2][-1]:12.1f}"
          f"{mine[2][-1] / theirs[2][-1] - 1:+14.2%}")
    print("with the relearning steps updating memory (cogmemsim's default):")
    for name, k in (("reviews per day", 0), ("new cards per day", 1),
                    ("memorized (sum R)", 2)):
        total, windows = agreement(steps[k], theirs[k])
        print(f"{name:<22}{steps[k].mean():12.2f}{theirs[k].mean():12.2f}{total:+14.2%}"
              f"{windows:15.2%}")


if __name__ == "__main__":
    main()
