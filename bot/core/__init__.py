"""Shared records, settings and text helpers: the bottom of the import graph."""
