"""The console's one Blueprint; view modules attach their routes to it."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console")
