"""A review log larger than one wants in memory: written partitioned, predicted and
scored learner by learner, with time and peak memory.

``--learners`` learners x ``--cards`` cards x ``--reviews`` reviews (default 10^4 x 100
x 10 = 10^7 reviews) are generated in blocks of ``--block`` learners
(``environments.review_schedule``, answers drawn by ``simulator.simulate_answers``
from FSRS-6) and appended to a Parquet data set (``environments.write_revlog``, one
file per block, one row group per learner). Then, in a fresh process, the log is
opened lazily (``read_revlog(..., lazy=True)``), replayed by ``simulator.predict`` on
the processes (or dask) backend into a folder of predictions, and scored by
``analysis.evaluate``. Printed: wall time of each step, reviews per second, and peak
resident memory (``resource.getrusage`` ``ru_maxrss``) of the parent and of the
workers (each worker reports its own peak), beside the size the log and its
predictions would take in memory. ``--in-memory`` also runs the eager path
(``read_revlog`` + ``predict`` + ``evaluate`` on the whole log) in another fresh
process, for its peak memory.

    python benchmarks/bench_large_log.py [--learners 10000] [--cards 100] [--reviews 10]
        [--workers 2] [--backend processes] [--folder DIR] [--in-memory]
"""
import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time


from _timing import ROOT  # first: this checkout's packages, not an installed copy

import environments as env  # noqa: E402
import simulator  # noqa: E402
from environments.seeding import child, seed_sequence  # noqa: E402

GIB = 2.0 ** 30


def write_log(folder, n_learners, n_cards, n_reviews, block, seed):
    """Generate and append the log block by block (memory: one block)."""
    root = seed_sequence(seed)
    model = simulator.FSRS()
    for first in range(0, n_learners, block):
        size = min(block, n_learners - first)
        schedule = env.review_schedule(size, n_cards, n_reviews, seed=child(root, 0, first))
        answered = simulator.simulate_answers(model, schedule, seed=child(root, 1, first))
        log = env.EventStream(time=answered.time, item=answered.item, kind=answered.kind,
                              n_items=answered.n_items, outcome=answered.outcome,
                              rating=answered.rating, learner=answered.learner + first)
        env.write_revlog(log, folder, learners_per_file=block, append=True)


def peak(who):
    return resource.getrusage(who).ru_maxrss * 1024 / GIB


def streamed(folder, out, backend, workers):
    """Lazy read, streamed predict and evaluate; the figures as a dict."""
    import analysis
    figures = {}
    start = time.perf_counter()
    log = env.read_revlog(folder, lazy=True)
    figures["open_s"] = time.perf_counter() - start
    figures["learners"], figures["reviews"] = len(log), log.n_reviews
    figures["largest_learner"] = int(log.n_reviews_per_learner.max())
    start = time.perf_counter()
    predictions = simulator.predict(simulator.FSRS(), log, seed=0, out=out, backend=backend,
                                    workers=workers, overwrite=True)
    figures["predict_s"] = time.perf_counter() - start
    figures["worker_peak_gib"] = predictions.peak_rss["workers"] / GIB
    start = time.perf_counter()
    scores = analysis.evaluate(predictions)
    figures["evaluate_s"] = time.perf_counter() - start
    figures["log_loss"] = float(scores["log_loss"])
    figures["rmse_bins"] = float(scores["rmse_bins"])
    figures["auc"] = float(scores["auc"])
    figures["auc_max_error"] = float(scores["auc_max_error"])
    figures["parent_peak_gib"] = peak(resource.RUSAGE_SELF)
    figures["children_peak_gib"] = peak(resource.RUSAGE_CHILDREN)
    return figures


def in_memory(folder):
    """Eager read, predict and evaluate of the whole log; the figures as a dict."""
    import analysis
    figures = {}
    start = time.perf_counter()
    log = env.read_revlog(folder)
    figures["read_s"] = time.perf_counter() - start
    start = time.perf_counter()
    predictions = simulator.predict(simulator.FSRS(), log, seed=0)
    figures["predict_s"] = time.perf_counter() - start
    start = time.perf_counter()
    scores = analysis.evaluate(predictions)
    figures["evaluate_s"] = time.perf_counter() - start
    figures["log_loss"] = float(scores["log_loss"])
    figures["auc"] = float(scores["auc"])
    figures["parent_peak_gib"] = peak(resource.RUSAGE_SELF)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=100)
    parser.add_argument("--reviews", type=int, default=10)
    parser.add_argument("--block", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", default="processes", choices=("processes", "dask"))
    parser.add_argument("--folder", type=pathlib.Path, default=None)
    parser.add_argument("--in-memory", action="store_true")
    parser.add_argument("--step", choices=("streamed", "in-memory"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:  # a fresh process for one measured step
        out = args.folder.parent / "predictions"
        figures = (streamed(args.folder, out, args.backend, args.workers)
                   if args.step == "streamed" else in_memory(args.folder))
        print(json.dumps(figures))
        return
    base = pathlib.Path(tempfile.mkdtemp(prefix="bench_large_log_")) if args.folder is None \
        else args.folder
    folder = base / "log"
    if not folder.exists():
        start = time.perf_counter()
        write_log(folder, args.learners, args.cards, args.reviews, args.block, seed=1)
        print(f"wrote {args.learners * args.cards * args.reviews:,} reviews of "
              f"{args.learners:,} learners in {time.perf_counter() - start:.1f} s "
              f"({sum(p.stat().st_size for p in folder.glob('*.parquet')) / 2**20:.0f} MiB "
              f"of Parquet); generator peak RSS {peak(resource.RUSAGE_SELF):.2f} GiB")
    steps = ["streamed"] + (["in-memory"] if args.in_memory else [])
    for step in steps:
        done = subprocess.run([sys.executable, __file__, "--step", step, "--folder",
                               str(folder), "--backend", args.backend, "--workers",
                               str(args.workers)], capture_output=True, text=True,
                              cwd=ROOT, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        n = args.learners * args.cards * args.reviews
        if step == "streamed":
            print(f"streamed ({args.backend}, {args.workers} workers): open "
                  f"{figures['open_s']:.2f} s, predict {figures['predict_s']:.1f} s "
                  f"({n / figures['predict_s'] / 1e6:.2f} M reviews/s), evaluate "
                  f"{figures['evaluate_s']:.1f} s; peak RSS parent "
                  f"{figures['parent_peak_gib']:.2f} GiB, largest worker "
                  f"{figures['worker_peak_gib']:.2f} GiB (largest learner "
                  f"{figures['largest_learner']:,} reviews); log-loss "
                  f"{figures['log_loss']:.4f}, RMSE(bins) {figures['rmse_bins']:.4f}, AUC "
                  f"{figures['auc']:.4f} (+- {figures['auc_max_error']:.1e})")
        else:
            print(f"in memory: read {figures['read_s']:.1f} s, predict "
                  f"{figures['predict_s']:.1f} s, evaluate {figures['evaluate_s']:.1f} s; "
                  f"peak RSS {figures['parent_peak_gib']:.2f} GiB; log-loss "
                  f"{figures['log_loss']:.4f}, AUC {figures['auc']:.4f}")
    print(f"data in {base}")


if __name__ == "__main__":
    main()
