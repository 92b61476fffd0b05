"""Review logs larger than memory: a partitioned Parquet data set read lazily and
streamed learner by learner through predict, evaluate and fit_agent."""
import numpy as np
import pandas as pd
import pytest

import analysis
import environments as env
import simulator

# psychological time and permanent noise: the replay is per learner and seeded per learner
MODEL = simulator.ACTR(threshold=-1.5, intersession_scale=0.1, permanent_noise=0.2)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("revlog_dataset")
    stream = env.review_schedule(5, 12, 6, seed=1)
    rating = np.random.default_rng(2).choice([1, 2, 3, 4], size=len(stream),
                                             p=[0.2, 0.1, 0.6, 0.1])
    # user ids that are not 0..n-1, and files of two learners each
    stream = env.EventStream(time=stream.time, item=stream.item, kind=stream.kind,
                             outcome=(rating > 1).astype(float), rating=rating,
                             learner=10 + 3 * stream.learner, n_items=stream.n_items)
    env.write_revlog(stream, folder / "log", learners_per_file=2)
    return folder, env.read_revlog(folder / "log"), env.read_revlog(folder / "log", lazy=True)


def test_a_lazy_log_lists_learners_and_reads_each_as_the_eager_reader(logs):
    folder, eager, lazy = logs
    assert len(list((folder / "log").glob("*.parquet"))) == 3
    assert len(lazy) == 5 and lazy.n_reviews == len(eager) == 5 * 12 * 6
    np.testing.assert_array_equal(lazy.learner_ids, [10, 13, 16, 19, 22])
    assert lazy.learner_ids.tolist() == eager.meta["learner_ids"]
    for k, stream in lazy:
        mine = eager.learner == k
        np.testing.assert_array_equal(stream.learner, k)
        np.testing.assert_array_equal(stream.time, eager.time[mine])
        np.testing.assert_array_equal(stream.outcome, eager.outcome[mine])
        np.testing.assert_array_equal(stream.rating, eager.rating[mine])
        np.testing.assert_array_equal(stream.item, eager.item[mine] - eager.item[mine].min())
        np.testing.assert_array_equal(stream.item_ids[stream.item],
                                      eager.item_ids[eager.item[mine]])


def test_streamed_predict_and_evaluate_equal_the_in_memory_ones(logs):
    folder, eager, lazy = logs
    memory = simulator.predict(MODEL, eager, seed=3)
    streamed = simulator.predict(MODEL, lazy, seed=3, out=folder / "predictions",
                                 backend="processes", workers=2)
    assert len(streamed) == 5 and streamed.peak_rss["workers"] > 0
    for k, ds in streamed:
        mine = memory["learner"].values == k
        for name in ("p_recall", "activation", "outcome", "rating", "lag", "n_prior", "time"):
            np.testing.assert_array_equal(ds[name].values, memory[name].values[mine])
        assert ds["p_recall"].attrs == memory["p_recall"].attrs
    # evaluate: per learner the same numbers; pooled up to summation order
    expected = analysis.evaluate(memory, by="learner")
    scored = analysis.evaluate(streamed, by="learner")
    for name in ("log_loss", "rmse_bins", "auc", "n_reviews"):
        np.testing.assert_array_equal(scored[name].values, expected[name].values)
    for name in ("log_loss", "rmse_bins", "n_reviews"):
        np.testing.assert_allclose(scored[f"{name}_pooled"], expected[f"{name}_pooled"],
                                   rtol=1e-12)
    error = float(scored["auc_max_error_pooled"])
    assert 0 <= error < 1e-3
    assert abs(float(scored["auc_pooled"] - expected["auc_pooled"])) <= error + 1e-15
    for name in ("calibration_count", "calibration_predicted", "calibration_observed"):
        np.testing.assert_allclose(scored[name].values, expected[name].values, rtol=1e-12)
    with pytest.raises(ValueError, match="exists and is not empty"):
        simulator.predict(MODEL, lazy, out=folder / "predictions")
    with pytest.raises(ValueError, match="out must name a folder"):
        simulator.predict(MODEL, lazy)


def test_fit_agent_streams_a_lazy_log_learner_by_learner(logs):
    _, eager, lazy = logs
    memory = analysis.fit_agent(MODEL, eager, free=("threshold",), by="learner", seed=4)
    streamed = analysis.fit_agent(MODEL, lazy, free=("threshold",), by="learner", seed=4)
    for name in ("estimate", "log_likelihood", "log_loss_train", "n_reviews_train"):
        np.testing.assert_array_equal(streamed[name].values, memory[name].values)
    with pytest.raises(ValueError, match="by must be 'learner'"):
        analysis.fit_agent(MODEL, lazy, free=("threshold",), by=None)


def test_a_learner_split_over_two_files_is_refused(tmp_path):
    folder = tmp_path / "split"
    folder.mkdir()
    frame = pd.DataFrame({"user_id": [1, 1], "card_id": [5, 5], "review_time": [0, 86_400_000],
                          "review_rating": [3, 3]})
    frame.iloc[:1].to_parquet(folder / "a.parquet")
    frame.iloc[1:].to_parquet(folder / "b.parquet")
    with pytest.raises(ValueError, match="several files"):
        env.read_revlog(folder, lazy=True)
    with pytest.raises(ValueError, match="lazy=True reads"):
        env.read_revlog(folder / "x.csv", lazy=True)


def test_string_ids_read_lazily_as_eagerly(tmp_path):
    folder = tmp_path / "strings"
    folder.mkdir()
    frame = pd.DataFrame({"user_id": ["bo", "al", "bo", "al", "al"],
                          "card_id": ["x", "y", "y", "y", "x"],
                          "review_time": [0, 1000, 2000, 86_400_000, 90_000_000],
                          "review_rating": [3, 1, 4, 3, 2], "review_state": [0, 0, 0, 1, 4]})
    frame.to_parquet(folder / "part.parquet")
    eager = env.read_revlog(folder)
    lazy = env.read_revlog(folder, lazy=True)
    assert lazy.learner_ids.tolist() == ["al", "bo"] == eager.meta["learner_ids"]
    for k, stream in lazy:
        mine = eager.learner == k
        np.testing.assert_array_equal(stream.time, eager.time[mine])
        np.testing.assert_array_equal(stream.item_ids[stream.item],
                                      eager.item_ids[eager.item[mine]])
    assert lazy.learner(0).meta["n_dropped_manual"] == 1  # al's manual reschedule
