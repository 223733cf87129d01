"""A local HTTP server for the fetch tests (127.0.0.1, a free port, a thread), and BLS-shaped content for it.

Routes map a path to what the server does there: serve bytes (with Range / If-Range, ETag and
If-None-Match as a real server does), answer a status, fail a few times then serve, cut a body short of its
Content-Length, or answer only after a delay. Every request is recorded, so tests can count them.

The QCEW content is made IN THE TEST from BLS's 2016 by_area files in ../shared/data (read in place): each
quarterly_titled file becomes one open-data area slice per quarter in the 42-column ``quarterly`` layout.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sectorwise.lmi.sources.qcew import LAYOUTS

LAYOUT = {layout.name: layout for layout in LAYOUTS}


@dataclass
class Serve:
    """Bytes, served with an ETag, ranges and conditional requests."""

    body: bytes
    etag: str | None = None
    content_type: str = "text/csv"

    def __post_init__(self) -> None:
        if self.etag is None:
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Status:
    """Always this status (404, 503, ...), with these headers."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FailFirst:
    """``failures`` answers of ``status`` (with ``headers``), then ``then``."""

    failures: int
    status: int
    then: Serve
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Truncated:
    """Sends the first ``sent`` bytes of ``full`` with the full Content-Length, then closes; ``times`` times
    (None: always), then serves ``full`` like :class:`Serve`, ranges included."""

    full: Serve
    sent: int
    times: int | None = None


@dataclass
class Slow:
    """Answers only after ``delay`` seconds (or when the server stops)."""

    delay: float
    then: Serve


Route = Serve | Status | FailFirst | Truncated | Slow


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


class FetchServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._calls: dict[str, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fetch-test-server", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FetchServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def count(self, prefix: str = "/") -> int:
        with self._lock:
            return sum(1 for seen in self.requests if seen.path.startswith(prefix))

    # -- answering -------------------------------------------------------------------------------------------

    def _record(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        with self._lock:
            self.requests.append(Seen(handler.path, dict(handler.headers.items()), status))

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        route = self.routes.get(path)
        with self._lock:
            self._calls[path] = calls = self._calls.get(path, 0) + 1
        if route is None:
            self._status(handler, 404, {})
        elif isinstance(route, Status):
            self._status(handler, route.code, route.headers)
        elif isinstance(route, FailFirst):
            if calls <= route.failures:
                self._status(handler, route.status, route.headers)
            else:
                self._serve(handler, route.then)
        elif isinstance(route, Truncated):
            if route.times is None or calls <= route.times:
                self._record(handler, 200)
                handler.send_response(200)
                handler.send_header("Content-Length", str(len(route.full.body)))
                handler.send_header("ETag", str(route.full.etag))
                handler.send_header("Connection", "close")
                handler.end_headers()
                handler.wfile.write(route.full.body[: route.sent])
                handler.wfile.flush()
                handler.close_connection = True
            else:
                self._serve(handler, route.full)
        elif isinstance(route, Slow):
            self._stop.wait(route.delay)
            self._serve(handler, route.then)
        else:
            self._serve(handler, route)

    def _status(self, handler: BaseHTTPRequestHandler, code: int, headers: dict[str, str]) -> None:
        self._record(handler, code)
        body = f"status {code}\n".encode()
        handler.send_response(code)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _serve(self, handler: BaseHTTPRequestHandler, route: Serve) -> None:
        etag = str(route.etag)
        if handler.headers.get("If-None-Match") == etag:
            self._record(handler, 304)
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = route.body
        status = 200
        wanted = handler.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and handler.headers.get("If-Range") in (None, etag):
            start = int(wanted.removeprefix("bytes=").split("-", 1)[0])
            body, status = body[start:], 206
        self._record(handler, status)
        handler.send_response(status)
        handler.send_header("Content-Type", route.content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", "Wed, 15 May 2024 12:00:00 GMT")
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            handler.wfile.write(body)


def running(server: FetchServer) -> Iterator[FetchServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


# -- QCEW open-data slices made from BLS by_area files -------------------------------------------------------


def open_data_slices(by_area_dir: Path, year: int) -> tuple[dict[str, bytes], dict[str, list[list[str]]]]:
    """``{api path: CSV bytes}`` of the area slices (one per area and quarter, 42-column quarterly layout)
    made from the quarterly_titled by_area files in ``by_area_dir``; and every area's industry-10 rows by
    quarter, for building industry slices."""
    titled = LAYOUT["quarterly_titled"].columns
    plain = LAYOUT["quarterly"].columns
    # The open-data layout drops the titles and calls qtrly_estabs_count qtrly_estabs (lq_, oty_ too).
    picks = [titled.index(column.replace("qtrly_estabs", "qtrly_estabs_count")) for column in plain]
    slices: dict[str, list[list[str]]] = {}
    all_industries: dict[str, list[list[str]]] = {}
    for path in sorted(by_area_dir.glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            assert tuple(header) == titled, f"{path}: not the quarterly_titled layout"
            for row in reader:
                cells = [row[i] for i in picks]
                area, qtr = cells[0], cells[6]
                slices.setdefault(f"/cew/data/api/{year}/{qtr}/area/{area}.csv", []).append(cells)
                if cells[2] == "10":
                    all_industries.setdefault(qtr, []).append(cells)
    return {path: _csv(plain, rows) for path, rows in slices.items()}, all_industries


def industry_slice(rows: list[list[str]]) -> bytes:
    return _csv(LAYOUT["quarterly"].columns, rows)


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
