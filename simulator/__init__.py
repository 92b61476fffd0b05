"""Simulator: memory agents (jitted kernels behind frozen parameter objects) and the run loop.

Agents know nothing of xarray: their kernels take and return numpy arrays; the
run loop labels the result.
"""
from .actr import ACTR
from .hebbian import Hebbian
from .learner import SGDLearner
from .need import predict_need
from .run import run
from .schedulers import SM2, Leitner, TargetRetention, ViewBatch, simulate_schedule
from .spacing import optimal_interval, spacing_recall
from .sweep import SweepError, sweep, sweep_regimes

__all__ = [
    "ACTR",
    "Hebbian",
    "Leitner",
    "SGDLearner",
    "SM2",
    "SweepError",
    "TargetRetention",
    "ViewBatch",
    "optimal_interval",
    "predict_need",
    "run",
    "simulate_schedule",
    "spacing_recall",
    "sweep",
    "sweep_regimes",
]
