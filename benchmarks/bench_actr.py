"""ACT-R base-level activation: cogmemsim's jitted run loop vs a pyactr loop, same run.

Part 1: every approximation computes the activation before every event of the
same 200,000-event power-law stream (decay 0.5); a pyactr loop (one
``baselevel_learning`` call per event, the exact sum) is timed in the same run
and every ratio printed is against it. pyactr is timed on the first
``--pyactr-events`` events (its cost per event grows with history length, so a
prefix understates its full-stream time: the ratio is then a lower bound).
The exact run is checked to agree with pyactr to 1e-12, the multiscale run with
the exact one to 1e-3. ``simulator.run`` is timed end to end (the base level,
every event's retrieval draw and latency, the xarray dataset); beside it, the
base level alone (``agent._base_level``: the activation before every event,
what the pyactr loop computes).

Part 3 (``--limits``): where a multiscale run's time goes, per event: the run
loop cut after each step of its work (bookkeeping; Taylor decay factors; one
exp and squares; the pass that reads and updates the traces), the retrieval,
and the budget per event that 500x the pyactr loop leaves.

Part 2 (``--big``): a 10^7-event stream over 10^5 items with ``"multiscale"``
in a fresh subprocess: the time of ``simulator.run`` and the subprocess's
peak resident memory (``resource.getrusage``), stream included.

    python benchmarks/bench_actr.py [--events 200000] [--pyactr-events 200000] [--big] [--limits]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from pyactr.utilities import baselevel_learning

from _timing import ROOT, best_of  # first: this checkout's packages, not an installed copy

import environments as env  # noqa: E402
import simulator  # noqa: E402
from environments.jit import njit  # noqa: E402
from environments.seeding import generator, seed_sequence  # noqa: E402
from simulator.models.actr._multiscale_kernels import (MS_SCRATCH, MS_TRACES,  # noqa: E402
                                           decay_factors, decay_traces,
                                           multiscale_coefficients, taylor_end,
                                           taylor_factors)
from simulator.models.actr.model import retrieve  # noqa: E402

APPROXIMATIONS = ("exact", "multiscale", "optimized", "hybrid")

BIG_SCRIPT = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import environments as env, simulator
agent = simulator.ACTR(approximation="multiscale")
simulator.run(agent, env.power_law(100, seed=1), seed=0)  # compile (or load the cache)
start = time.perf_counter()
stream = env.power_law({events}, exponent=1.0, n_items={items}, seed=2026)
made = time.perf_counter() - start
peak_stream = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
start = time.perf_counter()
ds = simulator.run(agent, stream, seed=1)
ran = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
json.dump({{"stream_s": made, "run_s": ran, "peak_bytes": peak, "peak_stream_bytes": peak_stream,
           "events": len(stream),
           "items": int(stream.n_items)}}, sys.stdout)
"""


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


def base_level_only(agent, stream):
    """The activation before every event: the jitted loop and the log of its strengths."""
    return agent._base_level(stream, generator(seed_sequence(1)), np.empty(0))


def part_one(args):
    stream = env.power_law(args.events, exponent=1.0, seed=2026)
    n_py = min(args.pyactr_events, args.events)
    py_s, reference = best_of(1, lambda: pyactr_activations(stream, n_py, args.decay))
    py_rate = n_py / py_s
    print(f"stream: {args.events} power-law events, {stream.n_items} items, decay {args.decay}")
    print(f"pyactr baselevel_learning loop : {py_s:8.3f} s {py_rate:12,.0f} events/s"
          f"  ({n_py} events)")
    exact = None
    for name in APPROXIMATIONS:
        agent = simulator.ACTR(decay=args.decay, approximation=name, hybrid_k=3)
        simulator.run(agent, env.power_law(100, seed=1), seed=0)  # compile (or load the cache)
        run_s, ds = best_of(5, lambda: simulator.run(agent, stream, seed=1))
        base_s, _ = best_of(5, lambda: base_level_only(agent, stream))
        activation = ds["activation"].values
        finite = np.isfinite(activation)
        if name == "exact":
            exact = activation
            prefix = activation[:n_py]
            error = np.max(np.abs(prefix[finite[:n_py]] - reference[np.isfinite(reference)]))
            assert error < 1e-12, error
            note = f"max |A - pyactr| {error:.1e}"
        else:
            error = np.max(np.abs(activation[finite] - exact[finite]))
            if name == "multiscale":
                assert error < 1e-3, error
            note = f"max |A - exact| {error:.1e}"
        rate = args.events / run_s
        print(f"{name:>10}: run {run_s:7.4f} s {rate:12,.0f} events/s"
              f"  speed-up {rate / py_rate:6.1f}x"
              f" | base level {base_s:7.4f} s ({args.events / base_s / py_rate:6.1f}x) | {note}")
    return py_s / n_py


def part_two(args):
    script = BIG_SCRIPT.format(root=str(ROOT), events=args.big_events, items=args.big_items)
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                         text=True, env=dict(os.environ))
    result = json.loads(out.stdout)
    print(f"multiscale, {result['events']:.0e} events over {result['items']} items: "
          f"run {result['run_s']:.2f} s ({result['events'] / result['run_s']:,.0f} events/s), "
          f"peak RSS {result['peak_bytes'] / 2**30:.2f} GiB "
          f"(of which {result['peak_stream_bytes'] / 2**30:.2f} GiB was reached while generating "
          f"the stream, in {result['stream_s']:.2f} s, not counted in run)")


@njit
def multiscale_steps(time, item, n_items, coefficients, out, steps):
    """The multiscale run loop (fixed decay) cut after ``steps`` of its per-event work.

    0: bookkeeping (the item's count, last time, lag); 1: + the Taylor decay
    factors; 2: + one exp and successive squares (all the decay factors); 3: + the
    one pass that reads and updates the traces (the whole base level).
    """
    count = np.zeros(n_items, np.int64)
    last = np.full(n_items, np.nan)
    traces = np.zeros((n_items, MS_TRACES))
    factors = np.empty(MS_SCRATCH)
    for e in range(len(time)):
        i = item[e]
        age = time[e] - last[i]
        strength = age
        if count[i] == 0:
            traces[i, :] = coefficients[:MS_TRACES]
        elif steps == 1:
            lo = taylor_end(age)
            taylor_factors(coefficients, age, factors,
                           coefficients[MS_TRACES + lo] * age if lo < MS_TRACES else np.inf)
            strength = factors[0]
        elif steps >= 2:
            decay_factors(coefficients, age, factors)
            strength = factors[0]
            if steps == 3:
                strength = decay_traces(traces[i], factors, coefficients, True)
        out[e] = strength
        last[i] = time[e]
        count[i] += 1


def part_three(args, py_per_event):
    stream = env.power_law(args.events, exponent=1.0, seed=2026)
    coefficients = multiscale_coefficients(args.decay)
    out = np.empty(len(stream))
    names = ("bookkeeping", "+ Taylor factors", "+ exp and squares", "+ read and update")
    print(f"multiscale per event, CPU time (budget at 500x the pyactr loop: "
          f"{py_per_event / 500 * 1e9:.1f} ns):")
    for steps, name in enumerate(names):
        run = lambda: multiscale_steps(stream.time, stream.item, stream.n_items, coefficients,
                                       out, steps)
        run()  # compile (or load the cache)
        seconds, _ = best_of(15, run, clock=time.process_time)
        print(f"  {name:<20} {seconds / len(stream) * 1e9:6.1f} ns")
    activation = np.log(np.abs(np.random.default_rng(0).normal(size=len(stream))))
    seconds, _ = best_of(15, lambda: retrieve(activation, 0.0, 0.25, 1.0, 1.0,
                                              np.random.default_rng(1)),
                         clock=time.process_time)
    print(f"  retrieval (p_recall, draw, latency) {seconds / len(stream) * 1e9:6.1f} ns")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--pyactr-events", type=int, default=200_000)
    parser.add_argument("--decay", type=float, default=0.5,
                        help="0.5 takes a 1/sqrt fast path; try 0.45 for the general pow path")
    parser.add_argument("--limits", action="store_true",
                        help="also print where a multiscale run's time goes, per event")
    parser.add_argument("--big", action="store_true",
                        help="also run the 10^7-event multiscale stream in a subprocess")
    parser.add_argument("--big-events", type=int, default=10_000_000)
    parser.add_argument("--big-items", type=int, default=100_000)
    args = parser.parse_args()
    py_per_event = part_one(args)
    if args.big:
        part_two(args)
    if args.limits:
        part_three(args, py_per_event)


if __name__ == "__main__":
    main()
