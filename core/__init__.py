"""Shared by every package: the one settings object and the one error base class."""
