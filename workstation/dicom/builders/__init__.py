"""Builders of the objects the workstation creates (one module per IOD)."""
