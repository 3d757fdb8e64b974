"""Scheduled jobs: the schedule (schedule.py), thin job wrappers (run.py) and the job lock."""
