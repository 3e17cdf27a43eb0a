"""Serving the WSGI app: a threaded Werkzeug server, in the foreground (CLI) or a background thread (tests)."""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, make_server

from .app import create_app
from .core.context import EmulatorConfig


class EmulatorServer:
    """A running emulator on ``host:port`` (port 0 picks a free one); ``base_url`` is where it answers."""

    def __init__(self, config: EmulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or EmulatorConfig()
        self.app = create_app(self.config)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def store(self):
        return self.app.extensions["aep_emulator"].store

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="aep-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=10)
        self.store.close()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
