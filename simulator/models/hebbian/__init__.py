"""Hebbian associative memory: Hopfield networks and palimpsests."""
from simulator.models.hebbian.model import Hebbian

__all__ = ["Hebbian"]
