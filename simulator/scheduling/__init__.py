"""Spaced-repetition schedulers, the closed study loop, and optimal spacing."""
