"""ACT-R base-level activation: cogmemsim's jitted run loop vs a pyactr loop, same run.

Both compute the exact base-level activation before every event of the same
200,000-event power-law stream (decay 0.5). pyactr is timed on the first
``--pyactr-events`` events (its cost per event grows with history length, so the
prefix understates its full-stream time: the ratio printed is a lower bound),
and the two are checked to agree to 1e-12 on that prefix.

    python benchmarks/bench_actr.py [--events 200000] [--pyactr-events 200000]
"""
import argparse

import numpy as np
from _timing import best_of
from pyactr.utilities import baselevel_learning

import environments as env
import simulator


def pyactr_activations(stream, n_events, decay):
    """Exact base level before each event, one pyactr call per event."""
    history = {}
    out = np.full(n_events, -np.inf)
    for e in range(n_events):
        i = stream.item[e]
        times = history.setdefault(i, [])
        if times:
            out[e] = baselevel_learning(stream.time[e], np.array(times), True, decay)
        times.append(stream.time[e])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--pyactr-events", type=int, default=200_000)
    parser.add_argument("--decay", type=float, default=0.5,
                        help="0.5 takes a 1/sqrt fast path; try 0.45 for the general pow path")
    args = parser.parse_args()

    stream = env.power_law(args.events, exponent=1.0, seed=2026)
    agent = simulator.ACTR(decay=args.decay)
    simulator.run(agent, env.power_law(100, seed=1), seed=0)  # compile (or load the cache)

    ours_s, ds = best_of(3, lambda: simulator.run(agent, stream, seed=1))
    n_py = min(args.pyactr_events, args.events)
    py_s, reference = best_of(1, lambda: pyactr_activations(stream, n_py, args.decay))

    ours = ds["activation"].values[:n_py]
    finite = np.isfinite(reference)
    assert np.array_equal(finite, np.isfinite(ours))
    error = np.max(np.abs(ours[finite] - reference[finite]))
    assert error < 1e-12, error

    ours_rate = args.events / ours_s
    py_rate = n_py / py_s
    print(f"stream: {args.events} power-law events, {stream.n_items} items, decay {args.decay}")
    print(f"cogmemsim simulator.run (exact): {ours_s:8.3f} s  {ours_rate:12,.0f} events/s")
    print(f"pyactr baselevel_learning loop : {py_s:8.3f} s  {py_rate:12,.0f} events/s"
          f"  ({n_py} events)")
    print(f"max |difference| {error:.1e}")
    print(f"speed-up: {ours_rate / py_rate:.1f}x")


if __name__ == "__main__":
    main()
