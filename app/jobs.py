"""Background work: RQ on Redis when configured, inline otherwise."""

import logging

from flask import current_app

log = logging.getLogger(__name__)


def use_queue(app=None):
    """Whether jobs go to RQ (REDIS_URL set and JOBS_INLINE off)."""
    cfg = (app or current_app).config
    return bool(cfg.get("REDIS_URL")) and not cfg.get("JOBS_INLINE")


def enqueue(func_path, *args, queue="default", **kwargs):
    """Run `module:function` with args in RQ, or right now when no queue is configured."""
    if use_queue():
        import redis
        from rq import Queue

        conn = redis.Redis.from_url(current_app.config["REDIS_URL"])
        job = Queue(queue, connection=conn).enqueue("app.jobs.run_in_app", func_path, *args,
                                                    job_timeout=3600, **kwargs)
        return job.id
    _call(func_path, *args, **kwargs)
    return None


def _call(func_path, *args, **kwargs):
    import importlib

    module_name, _, name = func_path.partition(":")
    return getattr(importlib.import_module(module_name), name)(*args, **kwargs)


def run_in_app(func_path, *args, **kwargs):
    """RQ entry point: build the app and run the job inside its context."""
    from app import create_app

    app = create_app()
    with app.app_context():
        return _call(func_path, *args, **kwargs)
