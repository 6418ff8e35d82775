"""Triage blueprints: the queue and transitions, cases/warnings/stats, and the unit handler's endpoints."""

from app.triage.case_routes import bp as case_bp
from app.triage.conflict_routes import bp as conflict_bp
from app.triage.network_routes import bp as network_bp
from app.triage.queue_routes import bp as queue_bp
from app.triage.reporter_routes import bp as reporter_bp
from app.triage.unit_routes import bp as unit_bp

blueprints = [queue_bp, case_bp, unit_bp, reporter_bp, conflict_bp, network_bp]
