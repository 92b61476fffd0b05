"""Hopfield storage and recall: cogmemsim's jitted kernels vs hopfieldnetwork 1.0.1, same run.

N = 1000 units, 100 stored +-1 patterns (Hebb rule, zero diagonal); 50 cues,
each a stored pattern with 10 % of its units flipped, relaxed by up to 5
asynchronous sweeps (random order each sweep). Both networks get the same
patterns; the weight matrices are checked to agree and both recalls to reach the
stored patterns. cogmemsim stops a cue early when a sweep flips nothing (a fixed
point, which further sweeps cannot change); the peer always runs 5 sweeps.

Storage is compared with both of the peer's ways: all patterns in one
``train_pattern`` call (its fastest) and one call per pattern (as a stream of
STUDY events presents them). cogmemsim stores the +-1 patterns bit-packed
(``store_hebb``), as ``simulator.run`` does for the plain Hebb rule. Every BLAS
library (numpy's, and scipy's that numba calls) runs on one thread, as the
peer's loops do.

    python benchmarks/bench_hebbian.py [--units 1000] [--patterns 100] [--cues 50]
"""
import argparse

from _timing import best_of  # first: this checkout's packages, not an installed copy

import numpy as np  # noqa: E402
from hopfieldnetwork import HopfieldNetwork  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import simulator  # noqa: E402
from environments import TEST, EventStream  # noqa: E402
from simulator.models.hebbian._kernels import recall_items, store_hebb  # noqa: E402


def ours_store(patterns):
    weights = np.zeros((patterns.shape[1],) * 2, np.float32)
    store_hebb(weights, patterns, np.arange(len(patterns)), np.float64(1.0 / patterns.shape[1]))
    return weights


def ours_recall(weights, patterns, n_cues, n_flip, sweeps, seed):
    items = np.arange(n_cues)
    overlaps = np.empty((n_cues, 1))
    n_sweeps = np.empty((n_cues, 1), np.int64)
    coding = (False, np.float64(0.0), np.float64(patterns.shape[1]), np.float64(1.0),
              np.float64(0.0), np.float64(np.inf))
    dynamics = (np.float64(0.0), np.float64(-1.0), np.float64(1.0), True, sweeps, n_flip, 1)
    recall_items(weights, patterns, items, coding, dynamics, np.random.default_rng(seed),
                 overlaps, n_sweeps)
    return overlaps[:, 0], n_sweeps[:, 0]


def peer_store_batch(patterns):
    net = HopfieldNetwork(N=patterns.shape[1])
    net.train_pattern(patterns.T)
    return net


def peer_store_each(patterns):
    net = HopfieldNetwork(N=patterns.shape[1])
    for pattern in patterns:
        net.train_pattern(pattern)
    return net


def peer_recall(net, patterns, n_cues, n_flip, sweeps, seed):
    rng = np.random.default_rng(seed)
    np.random.seed(seed)  # the peer draws its update order from numpy's global state
    overlaps = np.empty(n_cues)
    for c in range(n_cues):
        cue = patterns[c].copy()
        cue[rng.choice(len(cue), n_flip, replace=False)] *= -1
        net.set_initial_neurons_state(cue)
        net.update_neurons(sweeps, "async")
        overlaps[c] = np.dot(patterns[c].astype(np.int64), net.S) / len(cue)
    return overlaps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--patterns", type=int, default=100)
    parser.add_argument("--cues", type=int, default=50)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--sweeps", type=int, default=5)
    args = parser.parse_args()
    n_flip = int(round(args.noise * args.units))

    agent = simulator.Hebbian(n_units=args.units, cue_noise=args.noise, max_sweeps=args.sweeps)
    patterns = agent.patterns(args.patterns, np.random.SeedSequence(2026))
    warm = patterns[:2, :64].copy()  # compile (or load the cache) on a tiny network
    ours_recall(ours_store(warm), warm, 2, 3, 2, 0)
    # now that the kernels have loaded scipy's BLAS beside numpy's, cap both
    with threadpool_limits(limits=1, user_api="blas"):
        n_blas = sum(info["num_threads"] == 1 for info in threadpool_info()
                     if info["user_api"] == "blas")
        time_both(args, agent, patterns, n_flip, n_blas)


def time_both(args, agent, patterns, n_flip, n_blas):
    """Time and check both packages' storage and recall; print the figures."""
    ours_store_s, weights = best_of(10, lambda: ours_store(patterns))
    batch_s, net = best_of(5, lambda: peer_store_batch(patterns))
    each_s, _ = best_of(1, lambda: peer_store_each(patterns))
    weight_error = np.max(np.abs(weights - net.w))
    assert weight_error < 1e-6, weight_error

    ours_recall_s, (ours_m, ours_sweeps) = best_of(
        10, lambda: ours_recall(weights, patterns, args.cues, n_flip, args.sweeps, 1))
    peer_recall_s, peer_m = best_of(
        2, lambda: peer_recall(net, patterns, args.cues, n_flip, args.sweeps, 1))

    # end to end: the same work as one simulator.run over STUDY and TEST events
    n = args.patterns + args.cues
    stream = EventStream(time=np.arange(n), item=np.r_[np.arange(args.patterns),
                                                       np.arange(args.cues)],
                         kind=np.r_[np.zeros(args.patterns, int), np.full(args.cues, TEST)])
    run_s, ds = best_of(3, lambda: simulator.run(agent, stream, seed=3))

    print(f"N={args.units}, {args.patterns} patterns, {args.cues} cues with {n_flip} flipped "
          f"units, <= {args.sweeps} async sweeps ({n_blas} BLAS libraries, one thread each)")
    print(f"store  cogmemsim store_hebb         : {1e3 * ours_store_s:8.2f} ms")
    print(f"store  hopfieldnetwork, one call     : {1e3 * batch_s:8.2f} ms   (einsum)")
    print(f"store  hopfieldnetwork, per pattern  : {1e3 * each_s:8.2f} ms   "
          f"max |W difference| {weight_error:.1e}")
    print(f"recall cogmemsim recall_items        : {1e3 * ours_recall_s:8.2f} ms   "
          f"mean overlap {ours_m.mean():.4f}, sweeps {ours_sweeps.min()}-{ours_sweeps.max()}")
    print(f"recall hopfieldnetwork update_neurons: {1e3 * peer_recall_s:8.2f} ms   "
          f"mean overlap {peer_m.mean():.4f}, sweeps {args.sweeps}")
    print(f"simulator.run, {n} events end to end : {1e3 * run_s:8.2f} ms   "
          f"mean test overlap {np.nanmean(ds['overlap'].values):.4f}")
    print(f"storage speed-up: {batch_s / ours_store_s:.1f}x vs one call, "
          f"{each_s / ours_store_s:.1f}x vs per pattern")
    print(f"recall speed-up: {peer_recall_s / ours_recall_s:.1f}x")


if __name__ == "__main__":
    main()
