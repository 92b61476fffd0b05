"""Scheduler policies' jitted entry points (the scheduler protocol of
:mod:`simulator.scheduling.schedulers`).

Each policy answers three calls over its own per-item state ``sstate`` and
parameter record ``sparams``:

- ``introduce(sparams, sstate, item, day, rating)``: after an item's first study on
  ``day`` (``rating`` that view's rating, 1-4, or 0 when the study was not rated);
- ``priority(sparams, sstate, item, day, p_model) -> float``: at the start of
  ``day``, NaN when the item is not due, else its place in the day's queue (lower
  first); ``p_model`` is the scheduler model's predicted recall of the item (NaN
  for a policy that uses no model);
- ``review(sparams, sstate, item, day, recalled, rating)``: after a review's answer.

The built-in policies share the state ``(due, level, ease, interval)``: the day an
item is next due, its Leitner box or SM-2 repetition count, its SM-2 easiness in
hundredths (an integer, so SM-2's arithmetic is exact), and its last interval in days.
"""
import math

from environments.jit import njit


@njit
def due_priority(sparams, sstate, item, day, p_model):
    """Due when the day has come; the most overdue (earliest due) first."""
    due = sstate[0][item]
    return due if due <= day else math.nan


@njit
def view_batch_introduce(sparams, sstate, item, day, rating):
    """First review ``recall_interval`` days after the first views (``sparams[1]``)."""
    sstate[0][item] = day + sparams[1]


@njit
def view_batch_review(sparams, sstate, item, day, recalled, rating):
    """View-batch ignores the answer: every ``recall_interval`` days."""
    sstate[0][item] = day + sparams[1]


@njit
def leitner_introduce(sparams, sstate, item, day, rating):
    """A new card enters box 0, due after ``intervals[0]``."""
    sstate[1][item] = 0
    sstate[0][item] = day + sparams[0]


@njit
def leitner_review(sparams, sstate, item, day, recalled, rating):
    """Leitner: a correct answer moves the card up one box (at most the last), an error
    back to box 0; due after the box's interval (``sparams`` are the intervals)."""
    due, level = sstate[0], sstate[1]
    if recalled:
        level[item] = min(level[item] + 1, len(sparams) - 1)
    else:
        level[item] = 0
    due[item] = day + sparams[level[item]]


@njit
def sm2_ease_change(q):
    """SM-2's change of the easiness factor for grade ``q``, in hundredths (exact):
    ``0.1 - (5 - q)(0.08 + (5 - q) 0.02)``."""
    lapse = 5 - q
    return 10 - lapse * (8 + 2 * lapse)


@njit
def sm2_introduce(sparams, sstate, item, day, rating):
    """EF = ``initial_ease``; first interval ``I(1)`` = 1 day.

    ``sparams = (initial ease in hundredths, floor in hundredths, q correct, q fail,
    I(1), I(2))``.
    """
    due, level, ease, interval = sstate
    level[item] = 0
    ease[item] = sparams[0]
    interval[item] = sparams[4]
    due[item] = day + sparams[4]


@njit
def sm2_review(sparams, sstate, item, day, recalled, rating):
    """SuperMemo-2 (Wozniak 1990), in integer arithmetic.

    The answer is graded ``q`` (``correct_grade`` or ``fail_grade``); ``q >= 3``:
    ``I(1) = 1``, ``I(2) = 6``, ``I(n) = ceil(I(n-1) * EF)``; ``q < 3`` restarts at
    ``I(1)``; then ``EF' = max(EF + 0.1 - (5 - q)(0.08 + (5 - q) 0.02), 1.3)``.
    EF is kept in hundredths, so ``ceil(I * EF)`` is ``(I * EF100 + 99) // 100``:
    no rounding of a product such as ``6 * 2.0000000000000004``.
    """
    due, level, ease, interval = sstate
    q = sparams[2] if recalled else sparams[3]
    if q >= 3:
        level[item] += 1
        if level[item] == 1:
            interval[item] = sparams[5]
        else:
            interval[item] = (interval[item] * ease[item] + 99) // 100
    else:
        level[item] = 0
        interval[item] = sparams[4]
    ease[item] = max(ease[item] + sm2_ease_change(q), sparams[1])
    due[item] = day + interval[item]


@njit
def target_introduce(sparams, sstate, item, day, rating):
    """Target retention keeps no schedule: the model's prediction decides each day."""
    sstate[0][item] = day


@njit
def target_priority(sparams, sstate, item, day, p_model):
    """Due when the scheduler model's predicted recall has fallen to ``target``
    (``sparams[0]``); the lowest predicted recall first."""
    return p_model if p_model <= sparams[0] else math.nan


@njit
def target_review(sparams, sstate, item, day, recalled, rating):
    """Nothing to update: the scheduler model learns from the answer."""
    sstate[0][item] = day
