"""Background work: RQ on Redis when configured, inline otherwise."""

import logging

from flask import current_app

log = logging.getLogger(__name__)


def after_response(func_path, *args, **kwargs):
    """Run a job without the caller waiting: RQ when configured; inline, once the current response has been sent
    (werkzeug's call_on_close); right now outside a request. Failures are logged, never raised."""
    from flask import after_this_request, has_request_context

    if use_queue() or not has_request_context():
        _safely(None, func_path, *args, **kwargs)
        return
    app = current_app._get_current_object()

    @after_this_request
    def _after(response):
        response.call_on_close(lambda: _safely(app, func_path, *args, **kwargs))
        return response


def _safely(app, func_path, *args, **kwargs):
    try:
        if app is None:
            enqueue(func_path, *args, **kwargs)
            return
        with app.app_context():
            enqueue(func_path, *args, **kwargs)
    except Exception as err:  # noqa: BLE001 - background work is retried or redone by its periodic command
        log.warning("background job %s failed: %s", func_path, err)


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
