"""Helpers of the upload tests."""

import io
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def post_file(client, data, name="photo.jpg", headers=None, environ=None):
    """POST /uploads with one multipart file."""
    return client.post("/api/v1/uploads", data={"file": (io.BytesIO(data), name)}, headers=headers or {},
                       content_type="multipart/form-data", environ_base=environ or {})


@pytest.fixture
def fixture_bytes():
    """Read a file of tests/fixtures."""
    return lambda name: (FIXTURES / name).read_bytes()
