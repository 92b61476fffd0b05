"""Spaced-repetition kernels: the closed study loop and the spacing experiment.

The closed loop (:func:`schedule_loop`) is compiled per learner model, scheduler
model and policy: it closes over their jitted entry points (the memory-model
protocol of :mod:`simulator.protocol` and the policies of
:mod:`simulator.scheduling._policy_kernels`), so any model and any policy run in
it at compiled speed.
"""

import numpy as np

from environments.jit import njit


STUDY, TEST = 0, 1
DAY = 86400.0
MAX_STEPS = 5
"""Most learning or relearning steps after one view (the FSRS simulator's limit)."""


@njit
def _grow(values, size):
    """``values`` copied into an array at least ``size`` long (doubling)."""
    bigger = np.empty(max(size, 2 * len(values)), values.dtype)
    bigger[:len(values)] = values
    return bigger


_LOOPS = {}


NO_MODEL, SHARED_MODEL, OWN_MODEL = 0, 1, 2


def schedule_loop(learner, model, policy, model_use):
    """The closed study loop for one learner model, scheduler model and policy (memoised).

    ``learner``/``model`` are :class:`simulator.ModelKernels`, ``policy`` the
    scheduler's ``(introduce, priority, review)`` kernels; ``model_use`` (a
    compile-time constant): :data:`NO_MODEL` (the policy reads no prediction: the
    scheduler model is never run), :data:`SHARED_MODEL` (the scheduler model is
    the learner's own model with the same parameters: its predictions are the
    learner's, computed once) or :data:`OWN_MODEL` (a separate state that learns
    from every event).
    """
    key = (learner, model, policy, model_use)
    loop = _LOOPS.get(key)
    if loop is None:
        loop = _LOOPS[key] = _make_loop(learner.predict, learner.learn, learner.rate,
                                        model.predict, model.learn, policy[0], policy[1],
                                        policy[2], model_use)
    return loop


def _make_loop(l_predict, l_learn, l_rate, m_predict, m_learn, introduce, priority, review,
               model_use):
    @njit
    def loop(learner, model, policy, settings, workload, rngs, outs):
        return _schedule(l_predict, l_learn, l_rate, m_predict, m_learn, introduce, priority,
                         review, model_use, learner, model, policy, settings, workload, rngs,
                         outs)
    return loop


@njit(inline="always")
def _draw(cdf, u):
    """The rating (1-based index) whose cumulative probability first exceeds ``u``."""
    k = 0
    while k < len(cdf) - 1 and u >= cdf[k]:
        k += 1
    return k + 1


@njit(inline="always")
def _steps(transitions, costs, rating, needed, steps_rng, ratings, n, cost):
    """Learning or relearning steps after a view rated ``rating`` (the FSRS simulator's
    rule): each step's rating from the transitions row of the previous rating, until
    ``needed`` Good/Easy in a row (Again restarts the count), an Easy, or
    ``MAX_STEPS`` steps. Appends the ratings to ``ratings[n:]``; returns the new
    ``n`` and the cost plus the steps' costs."""
    count = 0
    consecutive = 0
    while count < MAX_STEPS and consecutive < needed and rating < 4:
        rating = _draw(transitions[rating - 1], steps_rng.random())
        cost += costs[rating - 1]
        ratings[n] = rating
        n += 1
        count += 1
        if rating > 2:
            consecutive += 1
        elif rating == 1:
            consecutive = 0
    return n, cost


@njit(inline="always")
def _schedule(l_predict, l_learn, l_rate, m_predict, m_learn, introduce, priority, review,
              model_use, learner, model, policy, settings, workload, rngs, outs):
    """Run the closed study loop day by day, writing the per-day outputs.

    Day ``d`` starts at ``d * DAY``: every introduced item's true recall
    probability (the learner's ``predict``) is averaged into ``mean_recall[d]``,
    and the policy's ``priority`` (given the scheduler model's prediction when the
    policy uses one) picks the due items, in order, at most ``reviews_per_day``
    (< 0: no limit). Each review is a TEST, its answer drawn from the learner's
    recall probability (one uniform from ``rngs[0]``) and rated (one uniform from
    ``rngs[1]``: the learner's ``rate``, or the workload's review rating
    probabilities); then, unrated, ``views`` STUDY presentations, or, rated, after
    a lapse the relearning steps (TESTs rated from the step transitions, uniforms
    from ``rngs[2]``). Then up to ``new_per_day`` new items: unrated, ``views``
    STUDY presentations each; rated, a STUDY rated from the first-rating
    probabilities (drawn once per item: a card the day's time limit puts off keeps
    its first rating, as in the FSRS simulator) and the learning steps. A card's views cost the workload's
    seconds (learning, review, relearning by rating; an unrated new item the
    learning cost of Good); the day ends at the first card whose cost would take
    the day's time past ``time_per_day``. Relearning steps reach the learner, the
    scheduler model and the policy only with the workload's ``relearning_memory``
    (they always cost time and are logged). Events follow each other every
    ``presentation_time`` seconds; the learner and the scheduler model both learn
    from every event, the policy from each answer (``introduce`` with the first
    view's rating, 0 when unrated; ``model_use``: see :func:`schedule_loop`; the
    learner's ``predict`` runs at a STUDY only when events are logged). After the
    day's session ``memorized[d]`` is the sum of the learned items' recall
    probabilities. After the last day, ``retention[k]`` is the mean true recall of
    the introduced items ``test_delays[k]`` seconds after the start of the last
    day. With ``log_events`` the events are returned as arrays (time, item, kind,
    p_recall, recalled, rating).

    Records: ``learner = (params, state)``, ``model = (params, state)``, ``policy =
    (params, state, views)``, ``settings = (n_items, days, reviews_per_day,
    new_per_day, presentation_time, test_delays, log_events, time_per_day)``,
    ``workload`` (:func:`simulator.scheduling.workload.workload_record`), ``rngs =
    (recall_rng, rating_rng, steps_rng)``, ``outs = (reviews, new_items, learned,
    presentations, mean_recall, retention, time_spent, memorized)``.
    """
    lparams, lstate = learner
    mparams, mstate = model
    pparams, pstate, views = policy
    (n_items, days, reviews_per_day, new_per_day, presentation_time, test_delays, log_events,
     time_per_day) = settings
    (costs, rated, first_cdf, own_rate, review_cdf, learning_steps, relearning_steps,
     learning_cdf, relearning_cdf, relearning_memory) = workload
    recall_rng, rating_rng, steps_rng = rngs
    (reviews, new_items, learned, presentations, mean_recall, retention, time_spent,
     memorized) = outs

    due_items = np.empty(n_items, np.int64)
    due_keys = np.empty(n_items)
    card_ratings = np.zeros(MAX_STEPS + 1 + max(views, 1), np.int64)
    first_ratings = np.zeros(n_items if rated else 0, np.int64)
    n_log = 0
    log_time = np.empty(1024 if log_events else 0)
    log_item = np.empty(len(log_time), np.int64)
    log_kind = np.empty(len(log_time), np.int8)
    log_p = np.empty(len(log_time))
    log_recalled = np.empty(len(log_time), np.bool_)
    log_rating = np.empty(len(log_time), np.int8)

    n_introduced = 0
    for day in range(days):
        t = day * DAY
        total = 0.0
        n_due = 0
        for i in range(n_introduced):
            p_true = l_predict(lparams, lstate, i, t)
            total += p_true
            p_model = np.nan
            if model_use == SHARED_MODEL:
                p_model = p_true
            elif model_use == OWN_MODEL:
                p_model = m_predict(mparams, mstate, i, t)
            key = priority(pparams, pstate, i, float(day), p_model)
            if not np.isnan(key):
                due_items[n_due] = i
                due_keys[n_due] = key
                n_due += 1
        mean_recall[day] = total / n_introduced if n_introduced else np.nan
        order = np.argsort(due_keys[:n_due], kind="mergesort")
        n_review = n_due if reviews_per_day < 0 else min(n_due, reviews_per_day)
        n_new = n_items - n_introduced
        if new_per_day >= 0:
            n_new = min(n_new, new_per_day)
        e = 0
        spent = 0.0
        done_reviews = 0
        done_new = 0
        for r in range(n_review + n_new):
            is_review = r < n_review
            i = due_items[order[r]] if is_review else n_introduced + done_new
            # the card's views: their ratings (0: an unrated STUDY) and their cost
            p_first = np.nan
            recalled = False
            if is_review:
                p_first = l_predict(lparams, lstate, i, day * DAY + e * presentation_time)
                recalled = recall_rng.random() < p_first
                u = rating_rng.random()
                if own_rate:
                    rating = l_rate(lparams, recalled, u)
                elif not recalled:
                    rating = 1
                else:
                    rating = 1 + _draw(review_cdf, u)
                card_ratings[0] = rating
                n_views = 1
                cost = costs[1, rating - 1]
                if not rated:
                    for v in range(views):
                        card_ratings[n_views] = 0
                        n_views += 1
                elif rating == 1:
                    n_views, cost = _steps(relearning_cdf, costs[2], 1, relearning_steps,
                                           steps_rng, card_ratings, n_views, cost)
            elif rated:
                if first_ratings[i] == 0:  # drawn once: a card put off keeps it
                    first_ratings[i] = _draw(first_cdf, steps_rng.random())
                first = first_ratings[i]
                card_ratings[0] = first
                cost = costs[0, first - 1]
                n_views, cost = _steps(learning_cdf, costs[0], first,
                                       learning_steps - (1 if first >= 3 else 0), steps_rng,
                                       card_ratings, 1, cost)
            else:
                for v in range(views):
                    card_ratings[v] = 0
                n_views = views
                cost = costs[0, 2]
            if spent + cost > time_per_day:
                break
            spent += cost
            if log_events and n_log + n_views > len(log_time):
                size = n_log + n_views
                log_time, log_item = _grow(log_time, size), _grow(log_item, size)
                log_kind, log_p = _grow(log_kind, size), _grow(log_p, size)
                log_recalled, log_rating = _grow(log_recalled, size), _grow(log_rating, size)
            for v in range(n_views):
                t = day * DAY + e * presentation_time
                e += 1
                rating = card_ratings[v]
                if v == 0 and is_review:
                    kind = TEST
                    p = p_first
                    answer = recalled
                elif rating > 0 and v > 0:
                    kind = TEST  # a learning or relearning step: a rated answer
                    answer = rating > 1
                    p = l_predict(lparams, lstate, i, t) if log_events else np.nan
                else:
                    kind = STUDY
                    answer = False
                    p = l_predict(lparams, lstate, i, t) if log_events else np.nan
                outcome = (1.0 if answer else 0.0) if kind == TEST else np.nan
                if log_events:
                    log_time[n_log] = t
                    log_item[n_log] = i
                    log_kind[n_log] = kind
                    log_p[n_log] = p
                    log_recalled[n_log] = answer
                    log_rating[n_log] = rating
                    n_log += 1
                if is_review and v > 0 and rated and not relearning_memory:
                    continue  # a relearning step that costs time only
                lstate = l_learn(lparams, lstate, i, t, outcome, rating)
                if model_use == OWN_MODEL:
                    mstate = m_learn(mparams, mstate, i, t, outcome, rating)
                if v == 0 and not is_review:
                    introduce(pparams, pstate, i, float(day), rating)
                elif kind == TEST:
                    review(pparams, pstate, i, float(day), answer, rating)
            if is_review:
                done_reviews += 1
            else:
                done_new += 1
        reviews[day] = done_reviews
        new_items[day] = done_new
        presentations[day] = e
        time_spent[day] = spent
        n_introduced += done_new
        learned[day] = n_introduced
        t = day * DAY + e * presentation_time
        total = 0.0
        for i in range(n_introduced):
            total += l_predict(lparams, lstate, i, t)
        memorized[day] = total
    for k in range(len(test_delays)):
        t = (days - 1) * DAY + test_delays[k]
        total = 0.0
        for i in range(n_introduced):
            total += l_predict(lparams, lstate, i, t)
        retention[k] = total / n_introduced if n_introduced else np.nan
    return (log_time[:n_log], log_item[:n_log], log_kind[:n_log], log_p[:n_log],
            log_recalled[:n_log], log_rating[:n_log])


_SPACED = {}


def spaced_recall_kernel(kernels):
    """:func:`spaced_recall` for one model's kernels (memoised)."""
    loop = _SPACED.get(kernels)
    if loop is None:
        loop = _SPACED[kernels] = _make_spaced(kernels.predict, kernels.learn)
    return loop


def _make_spaced(predict, learn):
    @njit
    def spaced_recall(params, state, schedule):
        """Recall probability of item 0 after spaced study, from a fresh ``state``.

        ``schedule = (gap, retention_interval, sessions, per_session,
        presentation_time)``: ``sessions`` study sessions start ``gap`` seconds apart
        (onset to onset), each ``per_session`` presentations ``presentation_time``
        apart; the test comes ``retention_interval`` seconds after the last.
        """
        gap, retention_interval, sessions, per_session, presentation_time = schedule
        t = 0.0
        for s in range(sessions):
            for v in range(per_session):
                t = s * gap + v * presentation_time
                state = learn(params, state, 0, t, np.nan, 0)
        return predict(params, state, 0, t + retention_interval)
    return spaced_recall
