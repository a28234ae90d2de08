"""A release mirror for tests: serves a data directory over HTTP on 127.0.0.1, with Range and faults.

    with MirrorServer(data_dir) as mirror:
        mirror.corrupt.add("rome/v460/unix_item_v460_utf8.csv")   # same size, different bytes
        fetch_releases(entries, mirror=mirror.url, dest=tmp_path)
        mirror.requests  # [(path, range header or None, status), ...]

Fault switches (sets of relative paths, or flags): ``corrupt`` flips bytes, ``short`` serves the first
half as if it were the whole file, ``cut`` announces the full length but closes the connection half way
through what it sends, ``ranges=False`` ignores ``Range`` headers (answers 200 with the whole file).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class MirrorServer:
    """A threaded static file server over ``root`` with switchable faults and a request log."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.corrupt: set[str] = set()
        self.short: set[str] = set()
        self.cut: set[str] = set()
        self.ranges = True
        self.requests: list[tuple[str, str | None, int]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> MirrorServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def content(self, relative: str) -> bytes | None:
        path = (self.root / relative).resolve()
        if not path.is_file() or self.root not in path.parents:
            return None
        data = path.read_bytes()
        if relative in self.corrupt:
            middle = len(data) // 2
            data = data[:middle] + bytes(b ^ 0x55 for b in data[middle : middle + 16]) + data[middle + 16 :]
        if relative in self.short:
            data = data[: len(data) // 2]
        return data

    def _log(self, path: str, range_header: str | None, status: int) -> None:
        with self._lock:
            self.requests.append((path, range_header, status))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                relative = unquote(urlsplit(self.path).path).lstrip("/")
                range_header = self.headers.get("Range")
                data = mirror.content(relative)
                if data is None:
                    mirror._log(relative, range_header, 404)
                    body = b"not found"
                    self.send_response(404)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                start, status = 0, 200
                match = _RANGE.match(range_header or "")
                if mirror.ranges and match:
                    start = int(match.group(1))
                    if start >= len(data):
                        mirror._log(relative, range_header, 416)
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                payload = data[start:]
                mirror._log(relative, range_header, status)
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Accept-Ranges", "bytes" if mirror.ranges else "none")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if relative in mirror.cut:
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

        return Handler
