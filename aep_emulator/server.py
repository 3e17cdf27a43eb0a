"""Serving the WSGI app with waitress, in the foreground (CLI) or a background thread (tests).

Waitress (keep-alive connections, a fixed pool of worker threads) replaced Werkzeug's development
server, which closes the connection after every answer and starts a thread per connection: with
``scripts/bench_emulator.py`` on 2 cores waitress served clearly more requests per second (the numbers
are in ``aep_emulator/README.md``). Flask and Werkzeug still do the routing.

This layer also carries out the connection aborts that injected faults ask for
(``environ[ABORT_CONNECTION]``, see ``core/faults.py``): the answer is withheld and the socket is
closed with SO_LINGER 0, so the client sees a TCP reset.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import WSGITask

from .app import create_app
from .core.context import EmulatorConfig
from .core.faults import ABORT_CONNECTION
from .core.store import Store

DEFAULT_THREADS = 16  # latency faults park a worker each; keep headroom for the other calls
_POLL_SECONDS = 1.0  # stop() wakes the loop at once through waitress' trigger; this is a fallback
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN


class _FaultAwareTask(WSGITask):
    """A request task that withholds its answer and resets the connection when a fault says so."""

    def _aborting(self) -> bool:
        return bool(self.environ and self.environ.get(ABORT_CONNECTION))

    def write(self, data: bytes) -> None:
        if self._aborting():
            self.content_bytes_written += len(data)  # keep waitress' length bookkeeping quiet
            return
        super().write(data)

    def finish(self) -> None:
        if not self._aborting():
            super().finish()
            return
        try:
            self.channel.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
        except (AttributeError, OSError):
            pass  # the client is already gone
        self.close_on_finish = True  # the channel closes the socket from the event loop


class _FaultAwareChannel(HTTPChannel):
    task_class = _FaultAwareTask


class _WaitressServer(TcpWSGIServer):
    channel_class = _FaultAwareChannel


class EmulatorServer:
    """A running emulator on ``host:port`` (port 0 picks a free one); ``base_url`` is where it answers."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = DEFAULT_THREADS,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.app = create_app(self.config)
        _quiet_waitress()
        self._map: dict = {}
        adjustments = Adjustments(
            host=host,
            port=port,
            threads=threads,
            ident="aep-emulator",
            connection_limit=500,
            clear_untrusted_proxy_headers=False,
        )
        self._server = _WaitressServer(self.app, map=self._map, adj=adjustments)
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.effective_host, self._server.effective_port
        return f"http://{host}:{port}"

    @property
    def store(self) -> Store:
        return self.app.extensions["aep_emulator"].store

    def serve_forever(self) -> None:
        """Serve until ``stop()`` (from another thread or a signal handler), then release everything."""
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=_POLL_SECONDS, map=self._map, use_poll=True, count=1)
        finally:
            self._release()

    def request_stop(self) -> None:
        """Ask the serving loop to end; safe from a signal handler or any thread."""
        self._stopping.set()
        try:
            self._server.pull_trigger()
        except OSError:
            pass  # the loop is already closing

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(target=self.serve_forever, name="aep-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout=15)
        elif not self._stopped.is_set():
            self._release()  # never served

    def _release(self) -> None:
        if self._stopped.is_set():
            return
        # Workers first: they finish the requests in flight (and their commits) before sockets close.
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        self._server.close()
        wasyncore.close_all(self._map)
        self.store.close()
        self._stopped.set()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _quiet_waitress() -> None:
    # "Task queue depth is N" is expected under load; keep it unless the user configured the logger.
    queue_log = logging.getLogger("waitress.queue")
    if queue_log.level == logging.NOTSET:
        queue_log.setLevel(logging.ERROR)
