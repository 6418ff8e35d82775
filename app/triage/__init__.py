"""Triage: working-day time limits, duplicate scoring and the report state machine."""
