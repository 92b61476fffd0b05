"""PISA-style spreading activation: symmetric-normalised co-occurrence weights."""
import numpy as np
import pytest

import environments as env
import simulator


def direct_normalized_spreading(stream, max_association, source_activation, hops):
    """The definition in dense numpy: before each event, A from the contexts so far,
    W = D^-1/2 (A + I) D^-1/2, M = W + ... + W^hops, S = S_max * M v (v: the context's
    earlier items, w / n each)."""
    n = stream.n_items
    counts = np.zeros((n, n))
    members = {}
    out = np.zeros(len(stream))
    for e, (i, c) in enumerate(zip(stream.item.tolist(), stream.context.tolist())):
        sources = members.setdefault(c, [])
        if sources:
            a = counts + np.eye(n)
            d = a.sum(axis=1)
            w = a / np.sqrt(np.outer(d, d))
            v = np.zeros(n)
            v[sources] = source_activation / len(sources)
            total, step = np.zeros(n), v
            for _ in range(hops):
                step = w @ step
                total += step
            out[e] = max_association * total[i]
        if i not in sources:  # first in its context: one more shared context per pair
            for j in sources:
                counts[i, j] += 1
                counts[j, i] += 1
            sources.append(i)
    return out


@pytest.fixture(scope="module")
def sessions():
    return env.listening_sessions(12, 6, 20, 3, seed=4)


@pytest.mark.parametrize("hops", [1, 3])
def test_normalized_spreading_is_the_normalised_co_occurrence_matrix(sessions, hops):
    base = simulator.ACTR(noise=0.0)
    spread = simulator.ACTR(noise=0.0, max_association=1.3, source_activation=0.7,
                            spreading="normalized", hops=hops)
    with_spread = simulator.run(spread, sessions, seed=0)["activation"].values
    base_level = simulator.run(base, sessions, seed=0)["activation"].values
    seen = np.isfinite(base_level)  # a first presentation has no base level (-inf)
    expected = direct_normalized_spreading(sessions, 1.3, 0.7, hops)
    assert np.count_nonzero(expected[seen]) > len(sessions) // 2
    np.testing.assert_allclose(with_spread[seen] - base_level[seen], expected[seen],
                               rtol=1e-12, atol=1e-12)


def test_a_listening_stream_repeats_within_sessions_of_one_group(sessions):
    assert len(sessions) == 72 and sessions.context.max() == 11
    group = sessions.item % 3
    for c in range(12):  # a session stays within one group of items
        assert len(np.unique(group[sessions.context == c])) == 1
    assert len(np.unique(sessions.item)) < len(sessions)  # re-consumption
    with pytest.raises(ValueError, match="n_clusters"):
        env.listening_sessions(5, n_items=3, n_clusters=4)
    with pytest.raises(ValueError, match="hops"):
        simulator.ACTR(hops=0)


def test_spreading_from_the_session_helps_rank_the_next_track():
    stream = env.listening_sessions(120, 15, 150, 10, seed=3)
    hits, mrr = {}, {}
    for name, kw in {"base": {}, "fan": {"max_association": 3.0},
                     "normalized": {"max_association": 3.0, "spreading": "normalized",
                                    "hops": 2}}.items():
        need = simulator.predict_need(simulator.ACTR(**kw), stream, k=10, seed=0)
        hits[name] = float(need["hit_rate"].sel(model="activation"))
        mrr[name] = float(need["mean_reciprocal_rank"].sel(model="activation"))
    assert hits["fan"] > hits["base"] and hits["normalized"] > hits["base"]
    assert mrr["normalized"] > mrr["base"]


def test_a_sweep_with_reduce_need_compares_the_spreading_forms():
    from environments.seeding import child, seed_sequence
    regimes = {"base_level": {"max_association": 0.0},
               "normalized": {"max_association": 3.0, "spreading": "normalized"}}
    kwargs = {"n_sessions": 30, "session_length": 8, "n_items": 40, "n_clusters": 4}
    result = simulator.sweep_regimes(simulator.ACTR(), env.listening_sessions, regimes,
                                     replicates=1, seed=7, reduce="need", backend="serial",
                                     progress=False, environment_kwargs=kwargs)
    assert result["hit_rate"].dims == ("regime", "replicate", "model")
    # the run is predict_need on the sweep's stream (environment seed: child 0, cell, replicate)
    stream = env.listening_sessions(**kwargs, seed=child(seed_sequence(7), 0, 0, 0))
    for name, overrides in regimes.items():
        direct = simulator.predict_need(simulator.ACTR(**overrides), stream, k=10)
        np.testing.assert_array_equal(result["hit_rate"].sel(regime=name, replicate=0),
                                      direct["hit_rate"])


def test_normalized_kernel_jitted_agrees_with_pure_python(jitted_and_pure_python):
    script = (
        "import json, numpy as np\n"
        "from simulator.models.actr._normalized_kernels import normalized_context_spreading\n"
        "item = np.array([0, 1, 2, 0, 3, 1, 2, 4, 0, 3, 4, 1])\n"
        "context = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])\n"
        "first = np.ones(12, np.bool_)\n"
        "start = np.array([0, 3, 6, 9, 12])\n"
        "members = item.copy()\n"
        "out = normalized_context_spreading(item, 5, context, first, start, members, 1.5, 1.0, 2)\n"
        "print(json.dumps({'spread': out.tolist()}))\n")
    jitted, pure = jitted_and_pure_python(script)
    # an item receives spreading once it shares a context with a source (events 5, 8, 10, 11)
    np.testing.assert_array_equal(np.flatnonzero(jitted["spread"]), [5, 8, 10, 11])
    np.testing.assert_allclose(jitted["spread"], pure["spread"], rtol=1e-14)
