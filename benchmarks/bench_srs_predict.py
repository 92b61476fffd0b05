"""FSRS-6 predictions on a review log: reviews per second, beside py-fsrs's per-review loop.

A synthetic review log (``--cards`` cards, ``--reviews`` reviews each; gaps of a few
minutes to months, same-day reviews included; ratings 1-4) is replayed by
``simulator.predict(simulator.FSRS(), log)`` (the retrievability before each review,
then the stability and difficulty update with the observed rating), and the same
reviews of ``--peer-cards`` cards by py-fsrs (``fsrs.Scheduler.review_card`` and
``get_card_retrievability`` per review; learning and relearning steps off, no fuzz),
in the same process. Their predictions are checked to agree (1e-9). Both are timed in
CPU time (``time.process_time``, one thread), which other jobs on a shared machine do
not inflate; the replay loop alone (the jitted pass, without building the dataset) is
printed beside the whole call.

    python benchmarks/bench_srs_predict.py [--cards 20000] [--reviews 50] [--peer-cards 100]
"""
import argparse
import time
from datetime import datetime, timedelta, timezone

import numpy as np

from _timing import best_of  # first: this checkout's packages, not an installed copy

import environments as env  # noqa: E402
import simulator  # noqa: E402
from simulator.drivers import replay_stream  # noqa: E402
from environments.seeding import generator  # noqa: E402

DAY = 86400.0
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def review_log(n_cards, n_reviews, seed):
    """A review log of whole-second times: per card, gaps from minutes to months
    (a quarter on the same day), ratings 1-4 (Good most often)."""
    rng = np.random.default_rng(seed)
    same_day = rng.random((n_cards, n_reviews)) < 0.25
    gaps = np.where(same_day, rng.integers(60, 6 * 3600, (n_cards, n_reviews)),
                    rng.integers(1, 120, (n_cards, n_reviews)) * DAY
                    + rng.integers(0, 86400, (n_cards, n_reviews)))
    gaps[:, 0] = rng.integers(0, 30 * 86400, n_cards)
    times = np.cumsum(gaps, axis=1).astype(np.float64)
    ratings = rng.choice([1, 2, 3, 4], (n_cards, n_reviews), p=[0.15, 0.15, 0.55, 0.15])
    time_, item = times.ravel(), np.repeat(np.arange(n_cards), n_reviews)
    order = np.argsort(time_, kind="stable")
    rating = ratings.ravel()[order].astype(np.int8)
    stream = env.EventStream(time=time_[order], item=item[order],
                             kind=np.full(len(order), env.TEST, np.int8),
                             outcome=(rating > 1).astype(np.float64), rating=rating)
    return stream, times, ratings


def peer_predictions(times, ratings):
    """py-fsrs: the retrievability before each review of each card, card after card."""
    import fsrs
    scheduler = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    out = np.empty(times.shape)
    for c in range(times.shape[0]):
        card = fsrs.Card()
        for k in range(times.shape[1]):
            when = EPOCH + timedelta(seconds=float(times[c, k]))
            out[c, k] = scheduler.get_card_retrievability(card, when) if k else 0.0
            card, _ = scheduler.review_card(card, fsrs.Rating(int(ratings[c, k])),
                                            review_datetime=when)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=20000)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--peer-cards", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    model = simulator.FSRS()
    stream, times, ratings = review_log(args.cards, args.reviews, seed=1)
    n = len(stream)
    small, _, _ = review_log(10, 5, seed=2)
    simulator.predict(model, small)  # compile (or load the cache)

    clock = time.process_time
    t_call, pred = best_of(args.repeats, lambda: simulator.predict(model, stream), clock)
    t_loop, _ = best_of(args.repeats, lambda: replay_stream(model, stream, generator(0),
                                                          np.empty(0), observed=True), clock)

    peer_times, peer_ratings = times[:args.peer_cards], ratings[:args.peer_cards]
    n_peer = peer_times.size
    t_peer, peer = best_of(1, lambda: peer_predictions(peer_times, peer_ratings), clock)

    # the same reviews' predictions, card by card
    p = pred["p_recall"].values
    item = stream.item
    mine = np.stack([p[item == c] for c in range(args.peer_cards)])
    np.testing.assert_allclose(mine, peer, rtol=1e-9, atol=1e-12)

    rate_call, rate_loop, rate_peer = n / t_call, n / t_loop, n_peer / t_peer
    print(f"review log: {args.cards} cards x {args.reviews} reviews = {n:,} reviews "
          f"(CPU time, one thread)")
    print(f"simulator.predict(FSRS()):   {t_call:8.3f} s  {rate_call / 1e6:8.2f} M reviews/s")
    print(f"  replay loop (no dataset):  {t_loop:8.3f} s  {rate_loop / 1e6:8.2f} M reviews/s")
    print(f"py-fsrs 6 per-review loop:   {n_peer:,} reviews {t_peer:8.3f} s  "
          f"{rate_peer / 1e3:8.2f} k reviews/s  (predictions agree to 1e-9)")
    print(f"ratio simulator.predict / py-fsrs: {rate_call / rate_peer:,.0f}x "
          f"(replay loop: {rate_loop / rate_peer:,.0f}x)")


if __name__ == "__main__":
    main()
