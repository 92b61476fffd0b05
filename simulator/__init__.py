"""Simulator: memory agents (jitted kernels behind frozen parameter objects) and the run loop.

Agents know nothing of xarray: their kernels take and return numpy arrays; the
run loop labels the result.
"""
from .actr import ACTR
from .hebbian import Hebbian
from .learner import SGDLearner
from .need import predict_need
from .run import run
from .sweep import SweepError, sweep

__all__ = ["ACTR", "Hebbian", "SGDLearner", "SweepError", "predict_need", "run", "sweep"]
