"""Vigil's web application: the public reporting site and the investigators' console."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, request

from crypto import attachment_stream_limit
from reporting.core.blobstore import FilesystemBlobStore
from reporting.core.db import create_db_engine, make_session_factory
from reporting.core.settings import Settings
from reporting.intake.upload_janitor import JANITOR
from reporting.intake.uploads import MAX_PART_BYTES, PendingUploads
from reporting.pipeline.screening_lists import CurrentScreener
from reporting.web.context import VigilContext, close_request_session
from reporting.web.cookies import CONSOLE_PREFIX, SiteSessionInterface
from reporting.web.errors import register_error_handlers
from reporting.web.extensions import babel, csrf, limiter
from reporting.web.languages import init_languages, select_locale
from reporting.web.requests import (
    RowIdConverter,
    VigilJSONProvider,
    VigilRequest,
    refuse_nul_characters,
)
from reporting.web.security import apply_security_headers, onion_location_header

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.request_class = VigilRequest
    app.json = VigilJSONProvider(app)
    # Before any blueprint: every `<int:...>` in a route is a bounded row id.
    app.url_map.converters["int"] = RowIdConverter
    app.before_request(lambda: refuse_nul_characters(request))
    # The public site and the console each keep their own session cookie
    # (reporting/web/cookies.py): signing in to one must not spoil the other's forms.
    app.session_interface = SiteSessionInterface()
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # The cookie lives only as long as the browser session: nothing about a
        # reporter's visit should outlast their closing the browser.
        SESSION_PERMANENT=False,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        # Flask-WTF's HTTPS check wants a Referer header, which the site's own
        # Referrer-Policy (no-referrer) suppresses. The CSRF token and the
        # SameSite=Strict cookie carrying its session are the protection.
        WTF_CSRF_SSL_STRICT=False,
        # Views that take more (reports, uploads) say so with `body_limit`.
        MAX_CONTENT_LENGTH=1024 * 1024,
        # Text fields stay in memory (files are sealed into spools, see
        # reporting/web/requests.py), so these bound it: per field, and in number
        # (a form with 30 parties of 4 fields is 150 parts).
        MAX_FORM_MEMORY_SIZE=256 * 1024,
        MAX_FORM_PARTS=1000,
        BABEL_DEFAULT_LOCALE="en",
    )
    # Request lines carry no report content, but they do carry timing that could
    # be matched against a reporter's visit; Werkzeug's access log stays off.
    logging.getLogger("werkzeug").disabled = True

    engine = create_db_engine(settings.database_url)
    blob_store = FilesystemBlobStore(settings.blob_dir)
    app.extensions["vigil"] = VigilContext(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        blob_store=blob_store,
        uploads=PendingUploads(
            blob_store,
            max_stream_bytes=attachment_stream_limit(settings.max_attachment_bytes),
            max_per_request=MAX_PART_BYTES,
            max_total_bytes=settings.pending_upload_bytes,
        ),
        screener=CurrentScreener(engine),
        filing_key=settings.resolved_filing_key() if "public" in settings.components else None,
    )

    babel.init_app(app, locale_selector=select_locale)
    init_languages(app)
    csrf.init_app(app)
    limiter.init_app(app)
    register_error_handlers(app)
    app.after_request(apply_security_headers)
    if settings.onion_location and "public" in settings.components:
        app.after_request(onion_location_header(settings.onion_location))
    app.context_processor(lambda: {"components": settings.components})
    app.teardown_appcontext(close_request_session)

    # Imported only when served, so a public-only process never loads the console.
    if "public" in settings.components:
        from reporting.public import blueprint as public_blueprint

        app.register_blueprint(public_blueprint)
        # Expired uploads go, and their total is recounted, even while no one uploads.
        JANITOR.watch(app.extensions["vigil"].uploads)
    if "console" in settings.components:
        from reporting.console import blueprint as console_blueprint

        app.register_blueprint(console_blueprint, url_prefix=CONSOLE_PREFIX)
    return app
