"""environments.read_revlog / write_revlog and observed data in EventStream."""
import sqlite3

import numpy as np
import pandas as pd
import pytest

import environments as env
import simulator


def fsrs_log():
    return pd.DataFrame({
        "user_id": [7, 7, 7, 9, 9, 7],
        "card_id": [1650000000001, 1650000000002, 1650000000001, 1650000000001,
                    1650000000001, 1650000000001],
        "review_time": [1_000_000, 2_000_000, 90_000_000, 5_000_000, 400_000_000,
                        800_000_000],
        "review_rating": [3, 1, 4, 2, 1, 3],
        "review_state": [0, 0, 1, 0, 1, 1],
    })


def test_a_csv_log_becomes_observed_tests(tmp_path):
    path = tmp_path / "revlog.csv"
    fsrs_log().to_csv(path, index=False)
    stream = env.read_revlog(path)
    assert len(stream) == 6 and np.all(stream.kind == env.TEST)
    # sorted by time; card ids are compact per (learner, card); the originals kept
    np.testing.assert_array_equal(stream.time, [1000, 2000, 5000, 90000, 400000, 800000])
    np.testing.assert_array_equal(stream.rating, [3, 1, 2, 4, 1, 3])
    np.testing.assert_array_equal(stream.outcome, [1, 0, 1, 1, 0, 1])
    assert stream.n_items == 3
    assert stream.meta["learner_ids"] == [7, 9]
    np.testing.assert_array_equal(stream.learner, [0, 0, 1, 0, 1, 0])
    assert stream.item_ids[stream.item[2]] == 1650000000001  # no id-sized allocation
    # learner 9's card 1 is another item than learner 7's
    assert stream.item[2] != stream.item[0]


def test_manual_and_cram_reviews_are_dropped_and_counted(tmp_path):
    log = fsrs_log()
    log.loc[1, "review_state"] = 4
    log.loc[2, "review_state"] = 3
    path = tmp_path / "revlog.csv"
    log.to_csv(path, index=False)
    stream = env.read_revlog(path)
    assert len(stream) == 4
    assert stream.meta["n_dropped_manual"] == 1 and stream.meta["n_dropped_cram"] == 1


def make_anki(path, rows):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE revlog (id integer primary key, cid integer, usn integer, "
                   "ease integer, ivl integer, lastIvl integer, factor integer, time integer, "
                   "type integer)")
        db.executemany("INSERT INTO revlog VALUES (?, ?, 0, ?, 1, 0, 2500, ?, ?)", rows)


def test_an_anki_collection_is_read_read_only(tmp_path):
    path = tmp_path / "collection.anki2"
    make_anki(path, [(1_600_000_000_000, 11, 3, 5000, 0), (1_600_086_400_000, 11, 1, 7000, 1),
                     (1_600_100_000_000, 11, 0, 0, 4), (1_600_200_000_000, 12, 4, 3000, 3),
                     (1_600_300_000_000, 12, 2, 3000, 0)])
    stream = env.read_revlog(path)
    np.testing.assert_array_equal(stream.rating, [3, 1, 2])
    np.testing.assert_array_equal(stream.outcome, [1, 0, 1])
    assert stream.meta["n_dropped_manual"] == 1 and stream.meta["n_dropped_cram"] == 1
    assert sorted(stream.item_ids.tolist()) == [11, 12]


def test_a_tidy_frame_is_read():
    frame = pd.DataFrame({"learner": [0, 0, 1], "item": [5, 5, 5], "time": [0.0, 60.0, 30.0],
                          "outcome": [1, 0, 1]})
    stream = env.read_revlog(frame)
    np.testing.assert_array_equal(stream.time, [0, 30, 60])
    np.testing.assert_array_equal(stream.learner, [0, 1, 0])
    np.testing.assert_array_equal(stream.rating, [0, 0, 0])


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns="card_id"), "no column 'card_id'"),
    (lambda f: f.assign(review_rating=[3, 1, 5, 2, 1, 3]), r"ratings 1-4.*got 5 at row 2"),
    (lambda f: f.assign(review_time=[1_000_000, 2_000_000, 900_000, 5_000_000, 400_000_000,
                                     800_000_000]), "goes back in time .* at row 2"),
    (lambda f: f.assign(review_time=[1_000_000, 2_000_000, 1_000_000, 5_000_000, 400_000_000,
                                     800_000_000]), "duplicate review.* at row 2"),
    (lambda f: f.iloc[:0], "holds no reviews"),
])
def test_bad_logs_name_the_column_and_row(tmp_path, change, message):
    path = tmp_path / "bad.csv"
    change(fsrs_log()).to_csv(path, index=False)
    with pytest.raises(ValueError, match=message):
        env.read_revlog(path)


def test_a_file_that_is_not_a_review_log_says_so(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="is not a review log"):
        env.read_revlog(text)
    fake = tmp_path / "collection.anki2"
    fake.write_text("not sqlite")
    with pytest.raises(ValueError, match="is not an Anki collection"):
        env.read_revlog(fake)


def test_a_simulated_schedule_round_trips(tmp_path):
    ds = simulator.simulate_schedule(simulator.SM2(), simulator.ACTR(noise=0.4), 8, 20,
                                     new_per_day=4, seed=1, events=True)
    path = env.write_revlog(ds, tmp_path / "sim.csv")
    with pytest.raises(ValueError, match="exists; pass overwrite=True"):
        env.write_revlog(ds, path)
    back = env.read_revlog(path)
    tests = ds["kind"].values == env.TEST
    assert len(back) == tests.sum()
    np.testing.assert_array_equal(back.outcome, ds["recalled"].values[tests].astype(float))
    np.testing.assert_allclose(back.time, ds["time"].values[tests], atol=1e-3)
    # replaying the log predicts exactly what the learner's model said at each review
    replay = simulator.predict(simulator.ACTR(noise=0.4), back)
    assert replay["p_recall"].shape == (tests.sum(),)


def test_parquet_logs_are_read_like_csv(tmp_path):
    pytest.importorskip("pyarrow")
    fsrs_log().to_parquet(tmp_path / "revlog.parquet")
    fsrs_log().to_csv(tmp_path / "revlog.csv", index=False)
    parquet = env.read_revlog(tmp_path / "revlog.parquet")
    csv = env.read_revlog(tmp_path / "revlog.csv")
    for name in ("time", "item", "outcome", "rating", "learner", "item_ids"):
        np.testing.assert_array_equal(getattr(parquet, name), getattr(csv, name))


def test_stream_rejects_bad_observations():
    with pytest.raises(ValueError, match="outcome must be NaN at STUDY events"):
        env.EventStream(time=[0, 1], item=[0, 0], kind=[0, 1], outcome=[1, 1])
    with pytest.raises(ValueError, match="rating must be 0 .* got 7 at event 1"):
        env.EventStream(time=[0, 1], item=[0, 0], kind=[0, 1], rating=[0, 7])
    with pytest.raises(ValueError, match="outcome must be 0, 1 or NaN"):
        env.EventStream(time=[0, 1], item=[0, 0], kind=[1, 1], outcome=[0.5, 1])
