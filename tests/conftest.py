"""Fixtures of the project-wide tests."""

from fede.organization.tests.federations import world  # noqa: F401 (two federations)
