"""YAML reading and writing: the safe located loader, the fast C-parser path, the round-trip
writer that keeps comments, and atomic file writes.
"""
