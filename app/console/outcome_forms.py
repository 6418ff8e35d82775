"""The outcome form shared by the report page and the case page: its inputs, reading them, their errors, and the
outcomes as one-line labels (no views here, so both pages may import it)."""

from app.console.forms import clean
from app.triage import outcomes as outcome_service

PREFIX = "outcome"
NAMES = ("kind", "occurred_on", "note", "verdict", "case_number", "persons", "party_members", "unit_id", "department")
INTEGERS = ("persons", "party_members", "unit_id")
INPUTS = tuple(f"{PREFIX}-{name}" for name in NAMES)


def read_form(form):
    """The outcome form's inputs ({outcome-<name>: value}) and the API body they make ({name: value})."""
    values = {f"{PREFIX}-{name}": clean(form.get(f"{PREFIX}-{name}")) for name in NAMES}
    raw = {}
    for name in NAMES:
        value = values[f"{PREFIX}-{name}"]
        if value is None:
            continue
        raw[name] = int(value) if name in INTEGERS and value.isdigit() and len(value) < 10 else value
    return values, raw


def prefixed(errors):
    """Field errors under the form's input names."""
    return {f"{PREFIX}-{key}": messages for key, messages in (errors or {}).items()}


def outcome_lines(items):
    """[(outcome, one-line label)] for a list of outcomes."""
    return [(o, outcome_service.label(o)) for o in items]
