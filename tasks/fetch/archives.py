"""WARC files on HTTP(S): one streamed GET read as a file, from any offset, never held in memory.

A backfill's archives may live on a web server (Common Crawl's ``https://data.commoncrawl.org/``, a
mirror of one's own crawl) instead of a local disk. This is not the :class:`~tasks.fetch.client.Fetcher`:
its bounds are for what a news site serves to a crawler (a body cap of ``NEWSETL_MAX_BYTES``,
robots.txt, pacing per source), while an archive is a file of gigabytes the operator named, on a
host no source owns. What it keeps of the fetcher's manners: the project's User-Agent, the
``NEWSETL_TIMEOUT`` on connect and on every read (a server that stalls ends the reading as a cut
file, which the next backfill resumes), at most ``MAX_REDIRECTS`` redirects. The body is read
as sent (``Content-Encoding`` is not undone: a ``.warc.gz`` is gzip per record, which warcio reads
member by member), a block at a time, so memory stays flat whatever the file's size.

A reading that starts past the beginning (a resumed file) asks for ``Range: bytes=N-``; a server
that ignores it (200 instead of 206) has its first N bytes read and dropped, so offsets stay those
of the file either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
import urllib3

from tasks.config import settings
from tasks.errors import ArchiveError, TransientFetchError

MAX_REDIRECTS = 5
SKIP_BLOCK = 1 << 20


def is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = settings().user_agent
    session.max_redirects = MAX_REDIRECTS
    return session


def _timeouts() -> tuple[float, float]:
    timeout = settings().timeout
    return min(timeout, 10.0), timeout


def remote_size(url: str) -> int | None:
    """The file's size from a HEAD request (None when the server does not say).

    Raises ArchiveError (``http_status``) for an answer that is not the file, which another attempt
    will not change (a 404, a 403), and TransientFetchError for one that may (no connection, a 5xx).
    """
    with _session() as session:
        try:
            response = session.head(url, allow_redirects=True, timeout=_timeouts())
        except requests.RequestException as exc:
            raise TransientFetchError("connection", f"{url}: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise TransientFetchError("http_status", f"{url}: HTTP {response.status_code}", response.status_code)
    if response.status_code != 200:
        raise ArchiveError("http_status", f"{url}: HTTP {response.status_code}", response.status_code)
    length = response.headers.get("Content-Length", "")
    return int(length) if length.isdigit() else None


class RemoteFile:
    """The body of a streamed GET as a read-only file whose ``tell()`` is the offset in the whole file.

    A connection that drops, stalls past the read timeout, or ends before the file's ``size`` reads
    as the end of the file, as a local file cut short does, and ``lost`` then says how: the archive
    is whole on its server, so its reader treats the cut as a pause to resume, not as a file cut short.
    """

    def __init__(self, response: requests.Response, start: int, size: int | None = None):
        self._raw = response.raw
        self._raw.decode_content = False  # the file's bytes as stored: gzip members stay warcio's to read
        self._offset = start
        self._size = size
        self._error: str | None = None
        self._ended = False

    def read(self, size: int = -1) -> bytes:
        if self._error:
            return b""
        try:
            data = self._raw.read(None if size is None or size < 0 else size)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            self._error = f"{type(exc).__name__}: {exc}"
            return b""
        if not data and size != 0:
            self._ended = True
        self._offset += len(data)
        return data

    @property
    def lost(self) -> str | None:
        """How the connection ended before the file did, or None."""
        if self._error:
            return f"the connection was lost at byte {self._offset}: {self._error}"
        if self._ended and self._size is not None and self._offset < self._size:
            return f"the server sent {self._offset} of the file's {self._size} bytes"
        return None

    def tell(self) -> int:
        return self._offset

    def _skip(self, count: int) -> None:
        while count > 0:
            data = self._raw.read(min(count, SKIP_BLOCK))
            if not data:
                break
            count -= len(data)


@contextmanager
def open_remote(url: str, start: int = 0, size: int | None = None) -> Iterator[RemoteFile]:
    """The archive at ``url`` from byte ``start`` on, streamed; the connection is closed afterwards.

    ``size`` (from :func:`remote_size`) is the whole file's: a body that ends before it is ``lost``.
    """
    headers = {"Range": f"bytes={start}-", "Accept-Encoding": "identity"} if start else {
        "Accept-Encoding": "identity"}
    with _session() as session:
        try:
            response = session.get(url, headers=headers, stream=True, timeout=_timeouts())
        except requests.RequestException as exc:
            raise TransientFetchError("connection", f"{url}: {type(exc).__name__}: {exc}") from None
        with response:
            if response.status_code not in (200, 206):
                error = TransientFetchError if response.status_code >= 500 else ArchiveError
                raise error("http_status", f"{url}: HTTP {response.status_code}", response.status_code)
            stream = RemoteFile(response, start, size)
            if start and response.status_code == 200:  # Range ignored: the whole file came, drop its head
                stream._offset = 0
                stream._skip(start)
                stream._offset = start
            yield stream
