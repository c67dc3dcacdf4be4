"""Transitional: create_app still calls `notifications.cli.register`. The worker command and the in-process
worker live in citizen_app.jobs; once create_app calls `citizen_app.jobs.register(app)`, delete this module."""

from citizen_app.jobs import register

__all__ = ["register"]
