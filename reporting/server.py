"""Serving the app under gunicorn, the production WSGI server, from `vigil serve`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger


class PrivateLogger(Logger):  # type: ignore[misc]
    """Gunicorn's error log, minus anything about a request.

    Gunicorn writes the client's address into warnings about malformed
    requests, and the request line plus a traceback into its request errors.
    Either could identify a reporter, so those records keep only their
    message's fixed text and the exception's type.
    """

    def warning(self, msg: str, *args: object, **kwargs: object) -> None:
        if msg.startswith("Invalid request from"):
            msg, args = "invalid request refused", ()
        super().warning(msg, *args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: object) -> None:
        fixed_text = str(msg).split("%")[0].strip() or "unhandled error"
        error_type = type(sys.exc_info()[1]).__name__
        super().error("%s (%s)", fixed_text, error_type)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Runs an app factory in each gunicorn worker.

    The app is built after the fork, in every worker, so no database
    connection is shared between processes.
    """

    def __init__(self, app_factory: Callable[[], Flask], options: Mapping[str, Any]) -> None:
        self._app_factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self._app_factory()


def serve(app_factory: Callable[[], Flask], *, host: str, port: int, workers: int) -> None:
    GunicornServer(
        app_factory,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            # No access log at all: request lines would record when a reporter
            # came, from where and with what browser.
            "accesslog": None,
            "errorlog": "-",
            "logger_class": PrivateLogger,
            "loglevel": "warning",
            "preload_app": False,
        },
    ).run()
