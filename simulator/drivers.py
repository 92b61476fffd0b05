"""Model-agnostic drivers' Python side: shape a stream into the replay loop's records."""
import numpy as np

from simulator._driver_kernels import item_lags, replay_kernel
from simulator.protocol import check_model

TEST = 1


def stream_lags(stream):
    """Per event: time since the item's previous event (NaN at its first) and the
    number of earlier events of the item."""
    lag = np.empty(len(stream))
    n_prior = np.empty(len(stream), np.int64)
    item_lags(stream.time, stream.item, stream.n_items, lag, n_prior)
    return lag, n_prior


def observed_answers(stream):
    """``(outcome, rating)`` arrays of ``stream``: NaN and 0 where it observed none."""
    n = len(stream)
    outcome = getattr(stream, "outcome", None)
    rating = getattr(stream, "rating", None)
    outcome = np.full(n, np.nan) if outcome is None else np.asarray(outcome, np.float64)
    rating = np.zeros(n, np.int8) if rating is None else np.asarray(rating, np.int8)
    return outcome, rating


def replay_stream(model, stream, rng, probe_times, observed):
    """Run ``model``'s kernels over ``stream`` in one jitted pass.

    ``observed=False`` (a simulation): every TEST answer is drawn from the
    model's recall probability (one uniform per event from ``rng``, in event
    order; a second block of uniforms rates the answers), even where the stream
    holds an observed one. ``observed=True`` (a replay of data): observed
    answers are used as they are, only missing ones are drawn.

    Returns the per-event arrays by name: ``p_recall``, ``recalled`` (a draw at
    every event in a simulation: ``u < p``; the answer at TEST events in a
    replay, False elsewhere), ``outcome`` (NaN at STUDY events), ``rating``, the
    model's state variables, ``lag``, ``n_prior``, and ``probe_recall``.
    """
    check_model(model)
    if observed and not model.answers_change_memory:
        return _replay_by_simulation(model, stream, rng, probe_times)
    k = model.kernels
    params = model.kernel_params()
    state = model.prepare(stream, rng)
    n = len(stream)
    u_recall = rng.random(n)
    u_rating = rng.random(n)
    if observed:
        outcome, rating = observed_answers(stream)
    else:
        outcome, rating = np.full(n, np.nan), np.zeros(n, np.int8)
    probe_times = np.asarray(probe_times, np.float64)
    probe_recall = np.zeros((len(probe_times), stream.n_items))
    p_recall = np.empty(n)
    answer = np.empty(n)
    grade = np.empty(n, np.int8)
    state_values = np.empty((n, len(model.state_variables)))
    replay_kernel(k)(params, state, (stream.time, stream.item, stream.kind, outcome, rating),
                     (u_recall, u_rating), (probe_times, probe_recall),
                     (p_recall, answer, grade, state_values))
    recalled = answer > 0.5 if observed else u_recall < p_recall
    lag, n_prior = stream_lags(stream)
    arrays = {"p_recall": p_recall, "recalled": recalled, "outcome": answer,
              "rating": grade, "lag": lag, "n_prior": n_prior,
              "probe_recall": probe_recall}
    for j, name in enumerate(model.state_variables):
        arrays[name] = state_values[:, j]
    return arrays


def _replay_by_simulation(model, stream, rng, probe_times):
    """:func:`replay_stream` of observed answers for a model whose memory ignores them.

    The model's :meth:`~simulator.MemoryModel.simulate` gives the predictions (the
    same, whatever the answers were) with the same uniforms the generic replay
    would draw; observed answers and ratings then replace the drawn ones.
    """
    arrays = model.simulate(stream, rng, np.asarray(probe_times, np.float64))
    u_rating = rng.random(len(stream))
    outcome, rating = observed_answers(stream)
    tested = stream.kind == TEST
    drawn = tested & np.isnan(outcome)
    recalled = np.asarray(arrays["recalled"], np.bool_)
    answer = np.where(tested, outcome, np.nan)
    answer[drawn] = recalled[drawn]
    grade = np.where(tested, rating, 0).astype(np.int8)
    rate = model.kernels.rate
    params = model.kernel_params()
    for e in np.flatnonzero(drawn):
        grade[e] = rate(params, bool(recalled[e]), u_rating[e])
    arrays = {name: values for name, values in arrays.items()
              if name != "latency"}  # a simulated answer's draw: no prediction of data
    arrays.update(recalled=answer > 0.5, outcome=answer, rating=grade)
    if "lag" not in arrays or "n_prior" not in arrays:
        arrays["lag"], arrays["n_prior"] = stream_lags(stream)
    return arrays
