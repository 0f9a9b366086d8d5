"""Persistent job queue: jobs with state, progress, retries and a log, surviving a restart."""
