"""Serve Vigil in a process of its own, for tests that measure the server process.

Run as `python -m tests.browser.public.serve`; settings come from the VIGIL_*
environment variables (reporting.core.settings). Prints the port it listens on,
then serves until killed. Werkzeug's threaded server, as `live_server` uses,
but out of the test process so that its memory is the app's alone.
"""

from __future__ import annotations

from werkzeug.serving import make_server

from reporting.app import create_app
from reporting.core.settings import Settings


def main() -> None:
    app = create_app(Settings.from_env())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
