"""Benchmarks: speed and memory targets measured as ratios in one run (see DESIGN.md)."""
