"""The janitor: a daemon thread per process that tidies pending uploads by itself."""

from __future__ import annotations

import logging
import threading
import weakref

from reporting.intake.upload_space import UploadSpace

log = logging.getLogger(__name__)

# How often the janitor removes expired uploads and recounts the total.
JANITOR_INTERVAL_SECONDS = 600.0


class Janitor:
    """A daemon thread that tidies pending uploads every `interval` seconds, by itself.

    Expired uploads would otherwise be removed only when some request looked
    for them. One thread per process serves every store registered with
    `watch`; a store that is no longer used drops out (weak references).
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stores: weakref.WeakSet[UploadSpace] = weakref.WeakSet()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()

    def watch(self, uploads: UploadSpace) -> None:
        self._stores.add(uploads)
        with self._starting:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="vigil-pending-uploads", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            for uploads in list(self._stores):
                try:
                    uploads.tidy()
                except Exception as error:  # the thread must live on
                    # The type only: a message could carry a path, nothing more.
                    log.error("tidying pending uploads failed: %s", type(error).__name__)


JANITOR = Janitor(JANITOR_INTERVAL_SECONDS)
