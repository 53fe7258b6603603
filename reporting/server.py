"""Serving the app under gunicorn, the production WSGI server, from `vigil serve`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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
            "loglevel": "warning",
            "preload_app": False,
        },
    ).run()
