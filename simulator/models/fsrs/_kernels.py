"""FSRS-6's equations as the memory-model protocol's jitted entry points.

``params`` (:meth:`simulator.FSRS.kernel_params`): ``(w, decay, factor,
study_rating, hard_prob, easy_prob, calendar_days, constants)`` with ``w`` the 21 weights
(float64 array), ``decay = -w[20]``, ``factor = 0.9 ** (1 / decay) - 1`` and
``constants = (e^w8, D0(Easy), e^(w17 w18))`` (computed once, not per review).
``state`` (:meth:`simulator.FSRS.new_state`): ``(stability, difficulty, last)`` per
item, in days, 1..10 and seconds (``last`` NaN before the first review).

The equations follow the FSRS-6 algorithm (Ye, Su & Cao 2022, KDD; Ye 2024,
"The Algorithm", open-spaced-repetition wiki, FSRS-6) and the clamps of the
reference scheduler (py-fsrs 6): stability >= 0.001 days, difficulty in [1, 10].
Elapsed time is counted in whole days, as FSRS does.
"""
import math

import numpy as np

from environments.jit import njit

DAY = 86400.0
STABILITY_MIN = 0.001
DIFFICULTY_MIN, DIFFICULTY_MAX = 1.0, 10.0
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


@njit(inline="always")
def retrievability(elapsed_days, stability, decay, factor):
    """``R = (1 + factor t / S) ** decay`` (decay = -w20 < 0): R(S) = 0.9."""
    return (1.0 + factor * elapsed_days / stability) ** decay


@njit(inline="always")
def elapsed_days(params, now, last):
    """Whole days between two reviews (FSRS counts days, not seconds): whole 24-hour
    periods (py-fsrs), or with ``calendar_days`` the day boundaries (multiples of
    86400 s) crossed, as Anki counts them."""
    if params[6]:
        return max(0.0, math.floor(now / DAY) - math.floor(last / DAY))
    return max(0.0, math.floor((now - last) / DAY))


@njit(inline="always")
def clamp_difficulty(d):
    return min(max(d, DIFFICULTY_MIN), DIFFICULTY_MAX)


@njit(inline="always")
def initial_difficulty(w, grade):
    """``D0(G) = w4 - e^(w5 (G - 1)) + 1`` (unclamped)."""
    return w[4] - math.exp(w[5] * (grade - 1)) + 1.0


@njit(inline="always")
def next_difficulty(w, d, grade, d0_easy):
    """Linear damping of ``-w6 (G - 3)``, then mean reversion to ``D0(Easy)`` by ``w7``
    (``d0_easy = initial_difficulty(w, EASY)``)."""
    delta = -w[6] * (grade - 3)
    damped = d + (10.0 - d) * delta / 9.0
    return clamp_difficulty(w[7] * d0_easy + (1.0 - w[7]) * damped)


@njit(inline="always")
def short_term_stability(w, s, grade):
    """Same-day review: ``S' = S e^(w17 (G - 3 + w18)) S^-w19`` (no decrease unless Again)."""
    increase = math.exp(w[17] * (grade - 3 + w[18])) * s ** -w[19]
    if grade >= HARD:
        increase = max(increase, 1.0)
    return max(s * increase, STABILITY_MIN)


@njit(inline="always")
def recall_stability(w, d, s, r, grade, exp_w8):
    """After a successful review: ``S (1 + e^w8 (11 - D) S^-w9 (e^(w10 (1 - R)) - 1)
    * hard penalty w15 * easy bonus w16)`` (``exp_w8 = e^w8``)."""
    hard = w[15] if grade == HARD else 1.0
    easy = w[16] if grade == EASY else 1.0
    return s * (1.0 + exp_w8 * (11.0 - d) * s ** -w[9]
                * (math.exp((1.0 - r) * w[10]) - 1.0) * hard * easy)


@njit(inline="always")
def forget_stability(w, d, s, r, exp_w17_w18):
    """After a lapse: ``min(w11 D^-w12 ((S + 1)^w13 - 1) e^(w14 (1 - R)), S / e^(w17 w18))``
    (``exp_w17_w18 = e^(w17 w18)``)."""
    long_term = w[11] * d ** -w[12] * ((s + 1.0) ** w[13] - 1.0) * math.exp((1.0 - r) * w[14])
    return min(long_term, s / exp_w17_w18)


@njit(inline="always")
def grade_of(params, outcome, rating):
    """The FSRS grade of an event: its rating; without one, a study counts as
    ``study_rating`` and an answer as Good (recalled) or Again."""
    if rating > 0:
        return rating
    if math.isnan(outcome):
        return params[3]
    return GOOD if outcome > 0.5 else AGAIN


@njit(inline="always")
def predict(params, state, item, now):
    """Retrievability after the whole days since the last review (0 before the first)."""
    stability, difficulty, last = state
    if math.isnan(last[item]):
        return 0.0
    return retrievability(elapsed_days(params, now, last[item]), stability[item], params[1],
                          params[2])


@njit(inline="always")
def learn(params, state, item, now, outcome, rating):
    """A review: the first sets ``S0 = w[G-1]`` and ``D0(G)``; a review on the same day
    takes the short-term stability, a later one the recall or forget stability at
    the current retrievability; then the difficulty update."""
    w = params[0]
    constants = params[7]
    stability, difficulty, last = state
    grade = grade_of(params, outcome, rating)
    if math.isnan(last[item]):
        stability[item] = max(w[grade - 1], STABILITY_MIN)
        difficulty[item] = clamp_difficulty(initial_difficulty(w, grade))
    else:
        s, d = stability[item], difficulty[item]
        days = elapsed_days(params, now, last[item])
        if days < 1.0:
            s = short_term_stability(w, s, grade)
        else:
            r = retrievability(days, s, params[1], params[2])
            if grade == AGAIN:
                s = forget_stability(w, d, s, r, constants[2])
            else:
                s = recall_stability(w, d, s, r, grade, constants[0])
            s = max(s, STABILITY_MIN)
        stability[item] = s
        difficulty[item] = next_difficulty(w, d, grade, constants[1])
    last[item] = now
    return state


@njit(inline="always")
def observe(params, state, item, now, out):
    """Stability (days), difficulty and retrievability of ``item`` before an event at ``now``."""
    stability, difficulty, last = state
    out[0] = stability[item]
    out[1] = difficulty[item]
    out[2] = predict(params, state, item, now)


@njit
def rate(params, recalled, u):
    """Again when forgotten; when recalled Hard, Good or Easy with probabilities
    ``hard_prob``, ``1 - hard_prob - easy_prob``, ``easy_prob`` (one uniform ``u``)."""
    if not recalled:
        return AGAIN
    if u < params[4]:
        return HARD
    if u < 1.0 - params[5]:
        return GOOD
    return EASY


@njit
def retention_time(params, state, item, now, target):
    """When retrievability falls to ``target``: ``last + S / factor (target^(1/decay) - 1)``
    days (continuous time; FSRS rounds it to whole days when it schedules)."""
    stability, difficulty, last = state
    if math.isnan(last[item]):
        return now
    days = stability[item] / params[2] * (target ** (1.0 / params[1]) - 1.0)
    return max(now, last[item] + days * DAY)


@njit
def next_interval(params, stability, target, maximum_interval):
    """FSRS's next interval in whole days: ``round(S / factor (target^(1/decay) - 1))``,
    at least 1, at most ``maximum_interval``."""
    days = stability / params[2] * (target ** (1.0 / params[1]) - 1.0)
    return min(max(float(np.round(days)), 1.0), maximum_interval)
