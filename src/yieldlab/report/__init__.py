"""Figures and the self-contained HTML report (layer 5)."""
