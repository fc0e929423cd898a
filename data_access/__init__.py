"""Data layer: engine and sessions, typed models, scoped read queries, write commands."""
