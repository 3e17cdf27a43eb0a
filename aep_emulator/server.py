"""Serving the WSGI app with cheroot, in the foreground (CLI) or a background thread (tests).

Cheroot (CherryPy's HTTP server: a selector for idle keep-alive connections, a fixed pool of worker
threads that each run one request from read to write) replaced waitress. Waitress hands every answer
from its worker thread to an event-loop thread that does the socket writes; on 2 cores that hand-off
over the GIL cost up to 12 ms per request once 4 or more connections were busy, and throughput fell
from about 1,400 to under 400 GET/s. With cheroot the worker writes its own answer, and the same load
stays above 1,000 GET/s (``scripts/bench_emulator.py --wrk``; the figures are in the README).
Flask and Werkzeug still do the routing.

This layer also carries out the connection aborts that injected faults ask for
(``environ[ABORT_CONNECTION]``, see ``core/faults.py``): the answer is withheld and the socket is
closed with SO_LINGER 0 and no FIN first, so the client sees a TCP reset.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import socket
import struct
import threading
import time
import urllib.parse

from cheroot import makefile
from cheroot import server as cheroot_server
from cheroot import wsgi
from cheroot.workers import threadpool

from .app import create_app
from .core.context import EmulatorConfig
from .core.faults import ABORT_CONNECTION
from .core.store import Store

DEFAULT_THREADS = 16  # latency faults park a worker each; keep headroom for the other calls
IDLE_TIMEOUT_SECONDS = 120  # an idle keep-alive connection, or a stalled request, is closed after this
CONNECTION_LIMIT = 500  # keep-alive connections held at once (cheroot's default of 10 is too few for Pulumi)
LISTEN_BACKLOG = 128
STOP_POLL_SECONDS = 0.1  # the selector loop notices stop() within this (cheroot's 0.5 s slowed every test)
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN

log = logging.getLogger("aep_emulator.server")


class _SocketReader(makefile.StreamReader):
    """cheroot's socket reader with a fast ``readline``: the request line and each header line are
    almost always whole in the buffer already, and the generic pure-Python readline was the largest
    single cost of parsing a request."""

    def readline(self, size: int | None = -1) -> bytes:
        line = self._buffered_line(size)
        if line is None and self._read_pos >= len(self._read_buf):
            self.peek(1)  # nothing buffered (a new request): one read from the socket fills the buffer
            line = self._buffered_line(size)
        return line if line is not None else super().readline(size)

    def _buffered_line(self, size: int | None) -> bytes | None:
        buffer, start = self._read_buf, self._read_pos
        end = buffer.find(b"\n", start) + 1
        if not end or (size is not None and 0 <= size < end - start):
            return None
        self._read_pos = end
        self.bytes_read += end - start
        return buffer[start:end]


class _SocketWriter(makefile.StreamWriter):
    """cheroot's write-through socket writer, plus ``corked()``: what is written inside goes out in
    one send, so the status line and headers travel with the body instead of in a send of their own."""

    _pending: bytearray | None = None

    def write(self, data: bytes, *args: object, **kwargs: object) -> int:
        if self._pending is None:
            return super().write(data, *args, **kwargs)
        self._pending += data
        self.bytes_written += len(data)
        return len(data)

    @contextlib.contextmanager
    def corked(self):  # type: ignore[no-untyped-def]
        self._pending = bytearray()
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            if pending:
                super().write(bytes(pending))


def _socket_file(sock: socket.socket, mode: str, bufsize: int):  # type: ignore[no-untyped-def]
    """cheroot's ``MakeFile``, with the two classes above."""
    return (_SocketReader if "r" in mode else _SocketWriter)(sock, mode, bufsize)


class _EmulatorConnection(cheroot_server.HTTPConnection):
    """A connection with the faster socket files, that can also be torn down with a reset."""

    aborted = False

    def __init__(self, server, sock, makefile=None):  # type: ignore[no-untyped-def]
        super().__init__(server, sock, _socket_file)

    def abort(self) -> None:
        self.aborted = True
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
        except (AttributeError, OSError):
            pass  # the client is already gone

    def _close_kernel_socket(self) -> None:
        if not self.aborted:  # shutdown() would send a FIN before the RST
            super()._close_kernel_socket()


class _EmulatorGateway(wsgi.Gateway_10):
    """Cheroot's WSGI gateway, except: PATH_INFO fully decoded, a cached Date header, one send per
    answer, and aborting faults (no answer, then a reset)."""

    def get_environ(self):  # type: ignore[no-untyped-def]
        environ = super().get_environ()
        # Cheroot leaves "%2F" encoded in PATH_INFO; WSGI servers decode it, and the Schema Registry
        # routes take a URL-encoded "$id" (https%3A%2F%2Fns.adobe.com%2F...) as one path segment.
        raw_path = environ["REQUEST_URI"].split("?", 1)[0]
        if "%" in raw_path and raw_path.startswith("/"):
            environ["PATH_INFO"] = urllib.parse.unquote_to_bytes(raw_path).decode("latin-1")
        return environ

    def start_response(self, status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        if not any(name.lower() == "date" for name, _ in headers):
            headers = [*headers, ("Date", _http_date())]  # else cheroot formats one per answer
        write = super().start_response(status, headers, exc_info)
        if self.env.get(ABORT_CONNECTION):
            self.req.sent_headers = True  # nothing of this answer reaches the client
            self.req.close_connection = True
            self.req.conn.abort()
        return write

    def respond(self) -> None:
        with self.req.conn.wfile.corked():
            super().respond()

    def write(self, chunk: bytes) -> None:
        if not self.env.get(ABORT_CONNECTION):
            super().write(chunk)


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The ``Date`` header value, formatted once per second."""
    global _date_cache
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache = (second, email.utils.formatdate(second, usegmt=True))
    return _date_cache[1]


class _DaemonThreadPool(threadpool.ThreadPool):
    """cheroot's worker pool with daemon threads, as waitress had: a process that never called
    ``stop()`` (an interrupted test run) can still exit instead of waiting on idle workers."""

    def _spawn_worker(self) -> threadpool.WorkerThread:
        worker = threadpool.WorkerThread(self.server)
        worker.name = f"aep-emulator {worker.name}"
        worker.daemon = True
        worker.start()
        return worker


class _CherootServer(wsgi.Server):
    ConnectionClass = _EmulatorConnection

    def error_log(self, msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        log.log(level, "%s", msg, exc_info=traceback)


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
        self._server = _CherootServer(
            (host, port),
            self.app,
            numthreads=threads,
            server_name="aep-emulator",  # the Server header
            request_queue_size=LISTEN_BACKLOG,
            timeout=IDLE_TIMEOUT_SECONDS,
        )
        self._server.gateway = _EmulatorGateway
        self._server.requests = _DaemonThreadPool(self._server, min=threads)
        self._server.keep_alive_conn_limit = CONNECTION_LIMIT
        self._server.expiration_interval = STOP_POLL_SECONDS
        self._server.prepare()  # binds now, so base_url names the real port before serving starts
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.bind_addr[:2]
        return f"http://{host}:{port}"

    @property
    def store(self) -> Store:
        return self.app.extensions["aep_emulator"].store

    def serve_forever(self) -> None:
        """Serve until ``request_stop()`` (from another thread or a signal handler), then release all."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        finally:
            self.stop()

    def request_stop(self) -> None:
        """Ask the server to stop; safe from a signal handler or any thread."""
        self._stopping.set()

    def start(self) -> "EmulatorServer":
        self._thread = threading.Thread(target=self._server.serve, name="aep-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.request_stop()
        self._release()

    def _release(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        # Closes the listener and idle connections, then waits for the workers, so the requests in
        # flight finish (and commit) before the store closes.
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self.store.close()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
