"""Automatic modelling (layer 3): candidates, honest cross-validated selection, leaderboard."""
