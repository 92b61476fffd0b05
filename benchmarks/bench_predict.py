"""Replaying review logs: simulator.predict throughput, exact ACT-R and FSRS-6.

A log of ``--learners`` x 1,000 cards x 10 reviews (``environments.review_schedule``,
gaps from a minute to a month; answers drawn by ``simulator.simulate_answers``) is
replayed by ``simulator.predict`` (best of ``--repeats``, after a compile call);
reviews per second on one core. The peer, in the same run: py-fsrs's own per-review
loop (``Scheduler.review_card`` and ``get_card_retrievability``) over the first
``--peer-reviews`` reviews, with the two agreeing on every retrievability.

    python benchmarks/bench_predict.py [--learners 100] [--repeats 3] [--peer-reviews 20000]
"""
import argparse
import time
from datetime import datetime, timedelta, timezone

import numpy as np

from _timing import best_of

import environments as env  # noqa: E402
import simulator  # noqa: E402


def py_fsrs_loop(stream, n):
    """py-fsrs over the first ``n`` reviews: R before each review, then the review."""
    import fsrs
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    epoch = datetime(2024, 1, 1, tzinfo=timezone.utc)
    cards = {}
    out = np.empty(n)
    for e in range(n):
        card = cards.get(stream.item[e]) or fsrs.Card()
        when = epoch + timedelta(seconds=float(stream.time[e]))
        out[e] = scheduler.get_card_retrievability(card, when) if card.last_review else 0.0
        cards[stream.item[e]], _ = scheduler.review_card(card, fsrs.Rating(int(stream.rating[e])),
                                                          review_datetime=when)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-reviews", type=int, default=20_000)
    args = parser.parse_args()
    times = env.review_schedule(args.learners, 1000, 10, seed=1)
    print(f"{len(times):,} reviews, {args.learners} learners x 1,000 cards x 10 reviews")
    for name, model in (("ACT-R exact, decay 0.5", simulator.ACTR(threshold=-4.5, noise=0.5)),
                        ("ACT-R exact, decay 0.4", simulator.ACTR(decay=0.4, threshold=-4.5,
                                                                  noise=0.5)),
                        ("FSRS-6", simulator.FSRS())):
        log = simulator.simulate_answers(model, times, seed=2)
        simulator.predict(model, log)  # compile
        seconds, pred = best_of(args.repeats, lambda: simulator.predict(model, log))
        print(f"  {name:<24} {len(log) / seconds / 1e6:6.2f} M reviews/s ({seconds:.2f} s)")
        if name == "FSRS-6":
            n = min(args.peer_reviews, len(log))
            start = time.perf_counter()
            peer = py_fsrs_loop(log, n)
            peer_rate = n / (time.perf_counter() - start)
            agree = np.max(np.abs(peer - pred["retrievability"].values[:n]))
            print(f"  py-fsrs per-review loop  {peer_rate / 1e6:6.3f} M reviews/s; ratio "
                  f"{len(log) / seconds / peer_rate:6.0f}x; max |R difference| {agree:.1e}")


if __name__ == "__main__":
    main()
