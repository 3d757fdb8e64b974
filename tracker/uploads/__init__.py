"""Uploaded documents waiting to be read by the scheduler: a letter, an action plan, a
council's Word template (tracker.uploads.service)."""
