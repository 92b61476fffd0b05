"""Simulator: memory agents (jitted kernels behind frozen parameter objects) and the run loop.

Agents know nothing of xarray: their kernels take and return numpy arrays; the
run loop labels the result.
"""
from environments.version import cogmemsim_version as _cogmemsim_version
from simulator.models.actr.model import ACTR
from simulator.models.ebisu.model import Ebisu
from simulator.models.fsrs.model import FSRS
from simulator.models.hlr.model import HLR
from simulator.models.hebbian.model import Hebbian
from simulator.models.learner.model import SGDLearner
from simulator.need import predict_need
from simulator.numerics import DivergenceWarning
from simulator.predict import predict, simulate_answers
from simulator.protocol import MemoryModel, ModelKernels, model_kernels
from simulator.run import run
from simulator.scheduling.schedulers import (SM2, Leitner, Scheduler, TargetRetention, ViewBatch,
                                             simulate_schedule)
from simulator.scheduling.spacing import optimal_interval, spacing_recall
from simulator.scheduling.experiment import schedule_experiment
from simulator.scheduling.workload import Ratings, ReviewCosts
from simulator.sweeps.api import DamagedStoreError, SweepError, open_sweep, sweep, sweep_regimes
from simulator.sweeps.experiments import experiment

__version__ = _cogmemsim_version()

__all__ = [
    "HLR",
    "Ebisu",
    "FSRS",
    "simulate_answers",
    "ACTR",
    "DamagedStoreError",
    "DivergenceWarning",
    "Hebbian",
    "Leitner",
    "Ratings",
    "ReviewCosts",
    "MemoryModel",
    "ModelKernels",
    "SGDLearner",
    "SM2",
    "Scheduler",
    "SweepError",
    "TargetRetention",
    "ViewBatch",
    "experiment",
    "model_kernels",
    "open_sweep",
    "optimal_interval",
    "predict",
    "predict_need",
    "run",
    "schedule_experiment",
    "simulate_schedule",
    "spacing_recall",
    "sweep",
    "sweep_regimes",
]
