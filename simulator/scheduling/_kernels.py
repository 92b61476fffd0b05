"""Spaced-repetition kernels: scheduler policies and the closed study loop.

A policy is data: an id (:data:`VIEW_BATCH` .. :data:`TARGET_RETENTION`) and a
float64 parameter array, so one compiled loop serves every scheduler (no
jitclass, no closures). Per-item scheduler state lives in plain arrays:

- ``due[i]``: the day item i is next due (``inf`` before it is introduced);
- ``level[i]``: Leitner box, or SM-2 repetition count;
- ``ease[i]``: SM-2 easiness factor;
- ``interval[i]``: the last interval in days (SM-2).

The learner is an ACT-R declarative memory: its activations come from the
same helpers as :func:`simulator.models.actr._kernels._run_actr` (``base_level``,
``learn``, ``retrieve``), over a presentation history that grows per item.
"""
import math

import numpy as np

from environments.jit import njit

from simulator.models.actr._kernels import MULTISCALE, base_level, learn, recall_probability
from simulator.models.actr._multiscale_kernels import MS_ROW, MS_SCRATCH

VIEW_BATCH, LEITNER, SM2, TARGET_RETENTION = 0, 1, 2, 3
"""Policy ids, passed into the kernels with the policy's parameter array."""

STUDY, TEST = 0, 1
DAY = 86400.0


@njit
def introduce(policy, params, i, day, due, level, ease, interval):
    """Schedule item ``i`` after its first study on ``day``.

    view-batch: the first review comes ``recall_interval`` days later; Leitner:
    box 0, due after ``intervals[0]``; SM-2: ``EF = initial_ease``, first
    interval ``I(1)`` (1 day); target retention: due when its predicted recall
    falls to the target (checked daily, ``due`` unused).
    """
    level[i] = 0
    if policy == VIEW_BATCH:
        due[i] = day + params[1]
    elif policy == LEITNER:
        due[i] = day + params[0]
    elif policy == SM2:
        ease[i] = params[0]
        interval[i] = params[4]
        due[i] = day + params[4]
    else:
        due[i] = day


@njit
def review(policy, params, i, day, correct, due, level, ease, interval):
    """Reschedule item ``i`` after a review on ``day`` answered ``correct``.

    Leitner: a correct answer moves the card up one box (at most the last), an
    error back to box 0; due after the box's interval. SM-2 (Wozniak 1990): the
    answer is graded ``q`` (``correct_grade`` or ``fail_grade``); ``q >= 3``:
    ``I(1) = 1``, ``I(2) = 6``, ``I(n) = ceil(I(n-1) * EF)``; ``q < 3`` restarts
    the repetitions at ``I(1)``; then
    ``EF' = max(EF + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02), min_ease)``.
    View-batch ignores the answer (every ``recall_interval`` days).
    """
    if policy == VIEW_BATCH:
        due[i] = day + params[1]
    elif policy == LEITNER:
        if correct:
            level[i] = min(level[i] + 1, len(params) - 1)
        else:
            level[i] = 0
        due[i] = day + params[level[i]]
    elif policy == SM2:
        q = params[2] if correct else params[3]
        if q >= 3.0:
            level[i] += 1
            if level[i] == 1:
                interval[i] = params[5]
            else:
                interval[i] = math.ceil(interval[i] * ease[i])
        else:
            level[i] = 0
            interval[i] = params[4]
        ease[i] = max(ease[i] + 0.1 - (5.0 - q) * (0.08 + (5.0 - q) * 0.02), params[1])
        due[i] = day + interval[i]
    else:
        due[i] = day


@njit
def replay_answers(policy, params, answers):
    """Intervals (days) a scheduler sets for one item after its first study and
    after each answer of ``answers`` (reviews on the day they fall due)."""
    due = np.full(1, np.inf)
    level = np.zeros(1, np.int64)
    ease = np.zeros(1)
    interval = np.zeros(1)
    out = np.empty(len(answers) + 1)
    introduce(policy, params, 0, 0.0, due, level, ease, interval)
    out[0] = due[0]
    for k in range(len(answers)):
        day = due[0]
        review(policy, params, 0, day, answers[k], due, level, ease, interval)
        out[k + 1] = due[0] - day
    return out


@njit
def _grow(values, size):
    """``values`` copied into an array at least ``size`` long (doubling)."""
    bigger = np.empty(max(size, 2 * len(values)), values.dtype)
    bigger[:len(values)] = values
    return bigger


@njit
def _make_room(i, start, fill, cap, pool_end, hist_t, hist_d):
    """Ensure item i's history slice has a free slot; move it to the pool's end if full.

    Returns the (possibly reallocated) history arrays and the new pool end.
    """
    if fill[i] - start[i] < cap[i]:
        return hist_t, hist_d, pool_end
    n = fill[i] - start[i]
    new_cap = max(4, 2 * cap[i])
    if pool_end + new_cap > len(hist_t):
        hist_t = _grow(hist_t, pool_end + new_cap)
        hist_d = _grow(hist_d, pool_end + new_cap)
    hist_t[pool_end:pool_end + n] = hist_t[start[i]:fill[i]]
    hist_d[pool_end:pool_end + n] = hist_d[start[i]:fill[i]]
    start[i] = pool_end
    fill[i] = pool_end + n
    cap[i] = new_cap
    return hist_t, hist_d, pool_end + new_cap


@njit
def _psychological_clock(clock, last_time, t, session_gap, intersession_scale):
    """Clock at ``t`` following the last event (at ``last_time``, clock ``clock``).

    Pavlik & Anderson (2005): a gap longer than ``session_gap`` counts
    ``intersession_scale`` times its length (``ACTR.psychological_time``'s rule).
    """
    if math.isnan(last_time):
        return t
    gap = t - last_time
    if gap > session_gap:
        gap *= intersession_scale
    return clock + gap


@njit
def simulate_schedule_kernel(
        policy, params, views, mode, decay, hybrid_k, age_floor, spacing_scale,
        spacing_intercept, threshold, noise, test_is_presentation, session_gap,
        intersession_scale, permanent, weights, n_items, days, reviews_per_day,
        new_per_day, presentation_time, test_delays, rng, log_events,
        reviews, new_items, learned, presentations, mean_recall, retention):
    """Run the closed study loop day by day, writing the per-day outputs.

    Day ``d`` starts at ``d * DAY``: every introduced item's true recall
    probability (with its permanent noise) is averaged into ``mean_recall[d]``,
    and the scheduler's prediction (the same activation without permanent
    noise) decides which items the target-retention policy reviews. Due items
    are reviewed in order (most overdue / lowest predicted recall first), at
    most ``reviews_per_day`` (< 0: no limit); each review is a TEST (the answer
    drawn from the recall probability; a presentation when
    ``test_is_presentation``) followed by ``views`` STUDY presentations, one
    event every ``presentation_time`` seconds. Then up to ``new_per_day`` new
    items are studied ``views`` times each. After the last day, ``retention[k]``
    is the mean true recall of the introduced items ``test_delays[k]`` seconds
    after the start of the last day. With ``log_events`` the events are returned
    as arrays (time, item, kind, p_recall, recalled); otherwise they are empty.
    """
    cap = np.zeros(n_items, np.int64)
    start = np.zeros(n_items + 1, np.int64)
    fill = np.zeros(n_items, np.int64)
    hist_t = np.empty(0 if mode == MULTISCALE else 16 * n_items)
    hist_d = np.empty(len(hist_t))
    pool_end = 0
    last = np.full(n_items, np.nan)
    traces = np.zeros((n_items if mode == MULTISCALE else 0, MS_ROW))
    factors = np.empty(MS_SCRATCH)
    weights = weights.copy()  # the spacing model rewrites them per presentation
    spacing = spacing_scale > 0.0

    due = np.full(n_items, np.inf)
    level = np.zeros(n_items, np.int64)
    ease = np.zeros(n_items)
    interval = np.zeros(n_items)
    predicted = np.empty(n_items)
    due_items = np.empty(n_items, np.int64)
    due_keys = np.empty(n_items)

    n_log = 0
    log_time = np.empty(1024 if log_events else 0)
    log_item = np.empty(len(log_time), np.int64)
    log_kind = np.empty(len(log_time), np.int8)
    log_p = np.empty(len(log_time))
    log_recalled = np.empty(len(log_time), np.bool_)

    clock = np.nan
    last_time = np.nan
    n_introduced = 0
    for day in range(days):
        t = day * DAY
        now = _psychological_clock(clock, last_time, t, session_gap, intersession_scale)
        total = 0.0
        n_due = 0
        for i in range(n_introduced):
            b = base_level(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill,
                           hist_t, hist_d, last, traces, weights, factors)
            total += recall_probability(b + permanent[i], threshold, noise)
            if policy == TARGET_RETENTION:
                predicted[i] = recall_probability(b, threshold, noise)
                if predicted[i] <= params[0]:
                    due_items[n_due] = i
                    due_keys[n_due] = predicted[i]
                    n_due += 1
            elif due[i] <= day:
                due_items[n_due] = i
                due_keys[n_due] = due[i]
                n_due += 1
        mean_recall[day] = total / n_introduced if n_introduced else np.nan
        order = np.argsort(due_keys[:n_due], kind="mergesort")
        n_review = n_due if reviews_per_day < 0 else min(n_due, reviews_per_day)
        n_new = n_items - n_introduced
        if new_per_day >= 0:
            n_new = min(n_new, new_per_day)
        n_events = n_review * (1 + views) + n_new * views
        if log_events and n_log + n_events > len(log_time):
            size = n_log + n_events
            log_time, log_item = _grow(log_time, size), _grow(log_item, size)
            log_kind, log_p = _grow(log_kind, size), _grow(log_p, size)
            log_recalled = _grow(log_recalled, size)
        e = 0
        for r in range(n_review + n_new):
            i = due_items[order[r]] if r < n_review else n_introduced + r - n_review
            for v in range(views + 1):
                if r >= n_review and v == views:
                    break  # a new item: ``views`` studies, no test
                kind = TEST if r < n_review and v == 0 else STUDY
                t = day * DAY + e * presentation_time
                e += 1
                clock = _psychological_clock(clock, last_time, t, session_gap,
                                             intersession_scale)
                last_time = t
                b = base_level(i, clock, mode, decay, hybrid_k, spacing, age_floor, start,
                               fill, hist_t, hist_d, last, traces, weights, factors)
                p = recall_probability(b + permanent[i], threshold, noise)
                correct = False
                if kind == TEST:
                    correct = rng.random() < p
                if log_events:
                    log_time[n_log] = t
                    log_item[n_log] = i
                    log_kind[n_log] = kind
                    log_p[n_log] = p
                    log_recalled[n_log] = correct
                    n_log += 1
                if kind == STUDY or test_is_presentation:
                    if mode != MULTISCALE:
                        hist_t, hist_d, pool_end = _make_room(i, start, fill, cap, pool_end,
                                                              hist_t, hist_d)
                    fresh = mode == MULTISCALE and clock - last[i] >= age_floor
                    learn(i, clock, b, mode, decay, spacing_scale, spacing_intercept, start,
                          fill, hist_t, hist_d, last, traces, weights, factors, fresh)
                if kind == TEST:
                    review(policy, params, i, day, correct, due, level, ease, interval)
            if r >= n_review:
                introduce(policy, params, i, day, due, level, ease, interval)
        reviews[day] = n_review
        new_items[day] = n_new
        presentations[day] = e
        n_introduced += n_new
        learned[day] = n_introduced
    for k in range(len(test_delays)):
        t = (days - 1) * DAY + test_delays[k]
        now = _psychological_clock(clock, last_time, t, session_gap, intersession_scale)
        total = 0.0
        for i in range(n_introduced):
            b = base_level(i, now, mode, decay, hybrid_k, spacing, age_floor, start, fill,
                           hist_t, hist_d, last, traces, weights, factors)
            total += recall_probability(b + permanent[i], threshold, noise)
        retention[k] = total / n_introduced if n_introduced else np.nan
    return (log_time[:n_log], log_item[:n_log], log_kind[:n_log], log_p[:n_log],
            log_recalled[:n_log])


@njit
def spaced_recall(gaps, retention_intervals, sessions, per_session, presentation_time, mode,
                  decay, hybrid_k, age_floor, spacing_scale, spacing_intercept, threshold,
                  noise, session_gap, intersession_scale, weights, out):
    """Recall probability of one item after spaced study, for each (gap, retention) pair.

    ``sessions`` study sessions start ``gaps[k]`` seconds apart (onset to onset);
    each is ``per_session`` presentations ``presentation_time`` apart. The test
    comes ``retention_intervals[k]`` seconds after the last presentation. Ages are
    psychological time (a gap longer than ``session_gap`` counts
    ``intersession_scale`` times its length), as in ``ACTR.psychological_time``.
    """
    n = sessions * per_session

    factors = np.empty(MS_SCRATCH)
    spacing = spacing_scale > 0.0
    for k in range(len(gaps)):
        start = np.zeros(2, np.int64)
        fill = np.zeros(1, np.int64)
        hist_t = np.empty(n)
        hist_d = np.empty(n)
        last = np.full(1, np.nan)
        traces = np.zeros((1 if mode == MULTISCALE else 0, MS_ROW))
        w = weights.copy()
        clock = np.nan
        last_time = np.nan
        for s in range(sessions):
            for v in range(per_session):
                t = s * gaps[k] + v * presentation_time
                clock = _psychological_clock(clock, last_time, t, session_gap,
                                             intersession_scale)
                last_time = t
                b = base_level(0, clock, mode, decay, hybrid_k, spacing, age_floor, start,
                               fill, hist_t, hist_d, last, traces, w, factors)
                fresh = mode == MULTISCALE and clock - last[0] >= age_floor
                learn(0, clock, b, mode, decay, spacing_scale, spacing_intercept, start,
                      fill, hist_t, hist_d, last, traces, w, factors, fresh)
        now = _psychological_clock(clock, last_time, last_time + retention_intervals[k],
                                   session_gap, intersession_scale)
        b = base_level(0, now, mode, decay, hybrid_k, spacing, age_floor, start, fill, hist_t,
                       hist_d, last, traces, w, factors)
        out[k] = recall_probability(b, threshold, noise)

