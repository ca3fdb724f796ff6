"""Vendor adapters: one module per system, built on the shared pieces in this package."""
