"""Ebisu: cogmemsim's replay of a review log against the ebisu package's per-review loop.

Both do the same work per review: the expected recall before it
(``ebisu.predictRecall(..., exact=True)``) and the rebalanced update
(``ebisu.updateRecall(model, result, 1, elapsed)``). The log: ``--learners`` x 200
cards x 10 reviews (``environments.review_schedule``), answers drawn from the model;
the ebisu loop runs over its first ``--peer-reviews`` reviews and the figures are per
review, with the largest difference of the two predictions printed beside.

    python benchmarks/bench_ebisu.py [--learners 20] [--peer-reviews 3000]
"""
import argparse
import time

import numpy as np

from _timing import best_of

import environments as env  # noqa: E402
import simulator  # noqa: E402

DAY = 86400.0


def ebisu_loop(model, stream, n):
    import ebisu
    prior = (model.alpha, model.beta, model.half_life)
    cards, last = {}, {}
    out = np.empty(n)
    for e in range(n):
        i = stream.item[e]
        if i not in cards:
            cards[i], last[i], out[e] = prior, stream.time[e], 0.0
            continue
        elapsed = (stream.time[e] - last[i]) / DAY
        out[e] = ebisu.predictRecall(cards[i], elapsed, exact=True)
        cards[i] = ebisu.updateRecall(cards[i], int(stream.outcome[e]), 1, elapsed)
        last[i] = stream.time[e]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--peer-reviews", type=int, default=3000)
    args = parser.parse_args()
    model = simulator.Ebisu(half_life=1.0, alpha=3.0, beta=3.0)
    log = simulator.simulate_answers(model, env.review_schedule(args.learners, 200, 10, seed=1),
                                     seed=2)
    simulator.predict(model, log)  # compile
    seconds, pred = best_of(3, lambda: simulator.predict(model, log))
    ours = len(log) / seconds
    n = min(args.peer_reviews, len(log))
    start = time.perf_counter()
    peer = ebisu_loop(model, log, n)
    theirs = n / (time.perf_counter() - start)
    gap = np.max(np.abs(peer - pred["p_recall"].values[:n]) / np.maximum(peer, 1e-300))
    print(f"{len(log):,} reviews: cogmemsim {ours / 1e3:8.1f} k reviews/s; ebisu loop "
          f"{theirs / 1e3:6.2f} k reviews/s; ratio {ours / theirs:6.0f}x (target >= 50x); "
          f"max relative difference {gap:.1e}")


if __name__ == "__main__":
    main()
