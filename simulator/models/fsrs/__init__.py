"""FSRS-6, the Free Spaced Repetition Scheduler's memory model."""
from simulator.models.fsrs.model import FSRS

__all__ = ["FSRS"]
