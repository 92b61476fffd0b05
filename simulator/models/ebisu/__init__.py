"""Ebisu, a Bayesian Beta prior on recall."""
from simulator.models.ebisu.model import Ebisu

__all__ = ["Ebisu"]
