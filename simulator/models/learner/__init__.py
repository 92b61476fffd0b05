"""A small network trained by SGD on continual-learning tasks."""
from simulator.models.learner.model import SGDLearner

__all__ = ["SGDLearner"]
