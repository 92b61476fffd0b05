"""Logging, first-call notes and progress bars."""
import logging

import environments as env
import simulator
import analysis
from environments import progress


def test_first_call_is_announced_once_per_name(monkeypatch, caplog):
    monkeypatch.setattr(progress, "_announced", set())
    with caplog.at_level(logging.INFO, logger="cogmemsim"):
        stream = env.power_law(200, seed=1)
        simulator.run(simulator.ACTR(), stream, seed=1)
        simulator.run(simulator.ACTR(decay=0.4), stream, seed=1)
    notes = [r for r in caplog.records if r.name == "cogmemsim.jit"]
    assert len(notes) == 1 and notes[0].getMessage().startswith("ACTR: the first call")
    assert progress.announce_first_call("ACTR") is False


def test_sweep_logs_what_it_does(caplog):
    with caplog.at_level(logging.INFO, logger="cogmemsim"):
        simulator.sweep(simulator.ACTR, env.power_law, grid={"decay": [0.4, 0.6]},
                        replicates=2, seed=1, environment_kwargs={"n_events": 300},
                        backend="serial", progress=False)
    messages = [r.getMessage() for r in caplog.records if r.name == "cogmemsim.simulator.sweeps.api"]
    assert any("4 runs over decay x replicate, 4 to compute, backend serial" in m
               for m in messages)
    assert messages[-1] == "sweep finished: 4 runs"


def test_progress_bar_shown_when_asked_and_off_by_default_off_a_terminal(capsys):
    analysis.capacity_scan(simulator.Hebbian(n_units=32), loads=[0.05, 0.1], replicates=2,
                           seed=1, progress=True)
    assert "capacity scan" in capsys.readouterr().err
    assert not progress.interactive()  # pytest captures stderr: not a terminal
    analysis.capacity_scan(simulator.Hebbian(n_units=32), loads=[0.05], replicates=1, seed=1)
    assert "capacity scan" not in capsys.readouterr().err


def test_fitting_learners_shows_learners_done(capsys):
    truth = simulator.ACTR(decay=0.5)
    log = simulator.simulate_answers(truth, env.review_schedule(3, 10, 5, seed=1), seed=2)
    analysis.fit_agent(truth, log, free=("decay",), seed=1, progress=True)
    err = capsys.readouterr().err
    assert "fitting learners" in err and "3/3" in err
