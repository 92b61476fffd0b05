"""The closed scheduling loop as a sweepable experiment."""
from environments.params import argument, declare_parameters

from simulator.scheduling.schedulers import simulate_schedule
from simulator.sweeps.experiments import experiment


@experiment
@declare_parameters(
    n_items=argument(low=1, integer=True, units="count", doc="items to learn"),
    days=argument(low=1, integer=True, units="day", doc="days simulated"),
    reviews_per_day=argument(low=0, integer=True, units="count", optional=True,
                             doc="daily review limit (None: no limit)"),
    new_per_day=argument(low=0, integer=True, units="count", optional=True,
                         doc="daily limit on new items (None: no limit)"),
    presentation_time=argument(low=0.0, low_open=True, units="s",
                               doc="seconds between consecutive events of a session"),
    time_per_day=argument(low=0.0, low_open=True, units="s", optional=True,
                          doc="daily study-time limit (None: no limit)"),
)
def schedule_experiment(agent, scheduler, n_items=200, days=120, reviews_per_day=None,
                        new_per_day=None, test_delays=(1.0, 7.0, 30.0, 90.0),
                        presentation_time=10.0, scheduler_model=None, time_per_day=None,
                        costs=None, ratings=None, *, seed=None):
    """:func:`simulator.simulate_schedule` as an experiment for :func:`simulator.sweep`.

    ``sweep(learner, schedule_experiment, grid, regimes={"SM2": {"scheduler":
    SM2()}, ...}, environment_kwargs={"n_items": 100, ...})`` runs every
    scheduler (a regime each, or a grid over a scheduler's parameter through
    ``environment_kwargs``) on the learner with the sweep's seeds, backends and
    store; the regime does not enter the seeds, so every scheduler meets the same
    draws (common random numbers).

    Parameters
    ----------
    agent : simulator.MemoryModel
        The learner.
    scheduler : simulator.Scheduler
        The policy.
    n_items, days, reviews_per_day, new_per_day, test_delays, presentation_time
        As for :func:`simulator.simulate_schedule`.
    scheduler_model, time_per_day, costs, ratings
        As for :func:`simulator.simulate_schedule`.
    seed : SeedSequence
        The run's seed (given by the sweep).

    Returns
    -------
    xarray.Dataset
        What :func:`simulator.simulate_schedule` returns (without events).
    """
    return simulate_schedule(scheduler, agent, n_items, days, reviews_per_day=reviews_per_day,
                             new_per_day=new_per_day, test_delays=test_delays, seed=seed,
                             presentation_time=presentation_time,
                             scheduler_model=scheduler_model, time_per_day=time_per_day,
                             costs=costs, ratings=ratings)
