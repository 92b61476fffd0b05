"""Experiments: sweepable functions that run a model themselves.

A sweep's ``environment`` is usually a stream generator: the sweep makes the
stream and runs the model through it with :func:`simulator.run`. Some studies
are not one stream: a scheduler drives the learner day by day
(:func:`simulator.simulate_schedule`), or a network is loaded with patterns and
then tested from noisy cues. Such a study is an *experiment*, a function

    ``f(agent, *, seed, **arguments) -> xarray.Dataset``

marked with :func:`experiment`. :func:`simulator.sweep` calls it once per run
with the run's agent, its grid and regime values and its seed, and stacks the
Datasets it returns, so every experiment gets the sweep's seeding, backends,
store and progress bar. Its arguments may be declared with
:func:`environments.declare_parameters`, so the sweep checks grid values (and
gives coordinates their units) before anything runs.
"""
import functools


def experiment(func):
    """Decorator: mark ``func(agent, *, seed, **arguments) -> Dataset`` as an experiment.

    Parameters
    ----------
    func : callable
        Takes the memory model as its first argument and a ``seed`` keyword, and
        returns an :class:`xarray.Dataset` whose variables are the same for every
        run (what a sweep's ``reduce`` would return). A module-level function, so
        worker processes can find it.

    Returns
    -------
    callable
        ``func``, marked (``func.runs_agent`` is True).
    """
    func.runs_agent = True
    return func


def is_experiment(environment):
    """Whether a sweep's ``environment`` is an :func:`experiment`.

    Parameters
    ----------
    environment : object

    Returns
    -------
    bool
    """
    target = environment.func if isinstance(environment, functools.partial) else environment
    return bool(getattr(target, "runs_agent", False))


def whole_dataset(ds):
    """The reduction of an experiment's run: the Dataset it returned, as it is.

    Parameters
    ----------
    ds : xarray.Dataset

    Returns
    -------
    xarray.Dataset
    """
    return ds
