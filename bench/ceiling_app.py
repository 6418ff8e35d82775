"""The ceiling: a bare Flask route returning a constant JSON, served by the same gunicorn set-up."""

from flask import Flask, jsonify

app = Flask(__name__)
PAYLOAD = {"code": "420323103211", "name": "龙井村", "ok": True}


@app.get("/")
def constant():
    """Constant JSON."""
    return jsonify(PAYLOAD)
