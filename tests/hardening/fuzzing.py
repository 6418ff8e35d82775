"""Contract fuzzing engine shared by tests/hardening/test_fuzz_contract.py (bounded) and bench/fuzz_contract.py.

schemathesis reads /api/v1/openapi.json from the WSGI app and generates requests for every operation, positive
(valid by the document) and negative (invalid on purpose). Each answer must pass: no 5xx (503 aside, a declared
missing dependency), the response matches its declared schema, every error is the JSON envelope.
"""

from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Tally:
    """What a run saw: requests, statuses, and the failures with the request that caused each."""

    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)

    def line(self):
        """A one-line summary."""
        codes = " ".join(f"{code}:{count}" for code, count in sorted(self.statuses.items()))
        return f"requests={self.requests} failures={len(self.failures)} statuses[{codes}]"


def load_schema(app):
    """The app's OpenAPI document as a schemathesis schema bound to the WSGI app."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def operations(schema):
    """Every operation of the document, by label ('POST /api/v1/disclosures')."""
    return {op.ok().label: op.ok() for op in schema.get_all_operations()}


def envelope_problem(response):
    """Why an error answer is not the envelope of API.md, or None."""
    if response.status_code < 400:
        return None
    if response.status_code == 304:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} body is not JSON"
    error = body.get("error") if isinstance(body, dict) else None
    if set(body) != {"error"} or not isinstance(error, dict):
        return f"{response.status_code} body is not {{'error': ...}}"
    missing = {"code", "message", "fields"} - set(error)
    if missing:
        return f"{response.status_code} envelope lacks {sorted(missing)}"
    if not str(error["message"]) or error["message"].isascii():
        return f"{response.status_code} message is not Chinese: {error['message']!r}"
    return None


def _describe(case, response, problem):
    body = case.body if not isinstance(case.body, bytes | bytearray) else f"<{len(case.body)} bytes>"
    return (f"{case.operation.label}: {problem}\n  request: {case.method} {case.formatted_path} "
            f"query={case.query} body={str(body)[:300]}\n  answer: {response.status_code} "
            f"{response.content[:300].decode('utf-8', 'replace')}")


class Failure(str):
    """A failure's description (a str), with its operation `label` and the `kinds` of problems it holds."""

    label = ""
    kinds = frozenset()


def _kind(title, message):
    if message.startswith("null is not of type"):
        return "undeclared_null"
    if "Content-Type" in title:
        return "content_type"
    return title.lower().replace(" ", "_")


def _failure(case, response, problems):
    """problems: [(title, message)] -> Failure."""
    text = "; ".join(f"{title}: {message.strip()[:300]}" for title, message in problems)
    failure = Failure(_describe(case, response, text))
    failure.label, failure.kinds = case.operation.label, frozenset(_kind(t, m) for t, m in problems)
    return failure


def _problems(exc):
    parts = getattr(exc, "exceptions", None) or [exc]
    return [(str(getattr(p, "title", type(p).__name__)), str(getattr(p, "message", p))) for p in parts]


def known_path(operation, known):
    """Real values for every path parameter of the operation, when `known` has them all, else None."""
    names = [p.name for p in operation.path_parameters]
    return {name: known[name] for name in names} if names and all(name in known for name in names) else None


def fuzz_operation(app, operation, headers, max_examples, tally, seed=None, modes=MODES, known=None):
    """Run max_examples generated cases per mode against one operation; record into tally (never raises).

    `headers` (a bearer token, say) are sent with every case; a case's own generated Authorization is replaced.
    `known` maps path parameter names to real ids: then a third pass fuzzes query and body on a real object.
    """
    passes = [(mode, None) for mode in modes]
    fixed = known_path(operation, known or {})
    if fixed:
        passes.append((GenerationMode.POSITIVE, fixed))
    for mode, path in passes:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)

        @settings(max_examples=max_examples, deadline=None, database=None, derandomize=seed is None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case):
            response = case.call(app=app, headers=headers)
            tally.requests += 1
            tally.statuses[response.status_code] += 1
            problem = envelope_problem(response) if case.formatted_path.startswith("/api/") else None
            if response.status_code == 503 and problem is None:
                return  # a dependency the test app lacks (WeChat), answered in the envelope
            if problem:
                tally.failures.append(_failure(case, response, [("Error envelope", problem)]))
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - a failed check is recorded, run goes on
                tally.failures.append(_failure(case, response, _problems(exc)))

        if seed is not None:
            run = _seeded(run, seed)
        try:
            run()
        except Unsatisfiable:
            continue  # nothing to make invalid (an operation without parameters or body)


def _seeded(test, seed):
    from hypothesis import seed as hypothesis_seed

    return hypothesis_seed(seed)(test)
