"""An HTTP client for official data files, with a cache that a second run reads instead of the network.

Each cached file sits at ``<cache>/<publisher>/<path as published>`` (so a QCEW area slice keeps the
``<year>/<qtr>/area/<fips>.csv`` path that the ingest checks against the file's contents) and has a record
``<cache>/.meta/<same path>.json`` with its URL, size, SHA-256, fetch time and the server's validators
(ETag, Last-Modified). The records live apart from the data because readers such as ``load_oews`` take every
``oe.data.*`` file of a directory.

A download goes to ``<file>.part`` and is moved into place only once complete: a body shorter than its
Content-Length is an error, never a cached file. The next attempt resumes the ``.part`` with a Range request
when the server gave a validator for it (``If-Range``), else starts again. 429 and 5xx answers, timeouts and
broken connections are retried a bounded number of times with exponential backoff, honouring Retry-After.
Two processes fetching the same file queue on an advisory lock, and the second finds the first's file.
"""

from __future__ import annotations

import contextlib
import email.utils
import fcntl
import hashlib
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from sectorwise import __version__
from sectorwise.lmi.warehouse import data_dir

CONTACT_ENV: Final = "SECTORWISE_CONTACT_EMAIL"
META_DIR: Final = ".meta"
CHUNK: Final = 1 << 16
DEFAULT_RETRIES: Final = 4
DEFAULT_BACKOFF: Final = 1.0
DEFAULT_TIMEOUT: Final = 60.0
#: A Retry-After longer than this is cut to it: a run should fail rather than sleep for hours.
MAX_RETRY_WAIT: Final = 120.0

#: (download, bytes done, bytes expected or None) while a body arrives; (download, 0, None) when it starts.
BytesHook = Callable[["Download", int, int | None], None]
#: (files done, files in all) after each file, downloaded or found in the cache.
FilesHook = Callable[[int, int], None]


def default_cache_dir() -> Path:
    """``data_dir()/cache``: where fetched files are kept between runs."""
    return data_dir() / "cache"


def user_agent(contact: str | None = None) -> str:
    """A descriptive User-Agent (BLS refuses anonymous clients); the contact comes from the argument or
    ``SECTORWISE_CONTACT_EMAIL``."""
    who = contact or os.environ.get(CONTACT_ENV) or ""
    tail = f"+contact: {who}" if who else f"+contact: not configured, set {CONTACT_ENV}"
    return f"sectorwise/{__version__} (labor-market information; {tail})"


@dataclass(frozen=True)
class Download:
    """One file to fetch: its URL and where it goes in the cache (a relative POSIX path)."""

    url: str
    cache_path: str


@dataclass(frozen=True)
class CachedFile:
    """A complete file in the cache, and whether this run downloaded it."""

    download: Download
    path: Path
    size: int
    sha256: str
    fetched_at: str
    downloaded: bool


class FetchError(Exception):
    """A file that could not be fetched: the message names the URL and the HTTP status where there is one."""

    def __init__(self, url: str, problem: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        self.problem = problem
        super().__init__(f"{url}: {problem}" if status is None else f"{url}: HTTP {status}: {problem}")


class FetchFailed(Exception):
    """Some files of a batch could not be fetched; the others are in the cache."""

    def __init__(self, errors: Sequence[FetchError], fetched: Sequence[CachedFile]) -> None:
        self.errors = tuple(errors)
        self.fetched = tuple(fetched)
        lines = "\n".join(f"  {error}" for error in self.errors)
        super().__init__(f"{len(self.errors)} of {len(errors) + len(fetched)} files failed:\n{lines}")


class MissingFromCache(Exception):
    """``offline`` was asked for and these files are not in the cache."""

    def __init__(self, missing: Sequence[Download]) -> None:
        self.missing = tuple(missing)
        lines = "\n".join(f"  {d.url}" for d in self.missing)
        super().__init__(f"{len(self.missing)} files are not in the cache (offline):\n{lines}")


@dataclass(frozen=True)
class FetchReport:
    """What a batch fetched: every file, in the order asked for."""

    files: tuple[CachedFile, ...]

    @property
    def downloaded(self) -> int:
        return sum(1 for f in self.files if f.downloaded)

    @property
    def from_cache(self) -> int:
        return len(self.files) - self.downloaded

    @property
    def downloaded_bytes(self) -> int:
        return sum(f.size for f in self.files if f.downloaded)

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]


@dataclass
class _Record:
    """The metadata record of a cached file (``.meta/<path>.json``)."""

    url: str
    size: int
    sha256: str
    fetched_at: str
    checked_at: str
    etag: str | None = None
    last_modified: str | None = None


class _Retry(Exception):
    """A failure worth another attempt (429, 5xx, timeout, broken or truncated body)."""

    def __init__(self, problem: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


@dataclass
class Fetcher:
    """Downloads into ``cache_dir``; ``offline`` reads only the cache, ``refresh`` revalidates it."""

    cache_dir: Path = field(default_factory=default_cache_dir)
    user_agent: str = field(default_factory=user_agent)
    offline: bool = False
    refresh: bool = False
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    timeout: float = DEFAULT_TIMEOUT
    on_bytes: BytesHook | None = None
    on_file: FilesHook | None = None
    sleep: Callable[[float], None] = time.sleep

    # -- batches ---------------------------------------------------------------------------------------------

    def missing(self, downloads: Sequence[Download]) -> list[Download]:
        """The downloads that have no complete file in the cache."""
        return [d for d in downloads if self._cached(d) is None]

    def fetch_all(self, downloads: Sequence[Download]) -> FetchReport:
        """Fetch every download (each at most once); raise :class:`FetchFailed` naming each failure after
        trying them all, or :class:`MissingFromCache` when offline and something is not cached."""
        unique = list(dict.fromkeys(downloads))
        if self.offline:
            absent = self.missing(unique)
            if absent:
                raise MissingFromCache(absent)
        done: list[CachedFile] = []
        errors: list[FetchError] = []
        for index, download in enumerate(unique, start=1):
            try:
                done.append(self.fetch(download))
            except FetchError as error:
                errors.append(error)
            if self.on_file is not None:
                self.on_file(index, len(unique))
        if errors:
            raise FetchFailed(errors, done)
        return FetchReport(files=tuple(done))

    # -- one file --------------------------------------------------------------------------------------------

    def path_of(self, download: Download) -> Path:
        return self.cache_dir / download.cache_path

    def fetch(self, download: Download) -> CachedFile:
        target = self.path_of(download)
        cached = self._cached(download)
        if cached is not None and not self.refresh:
            return cached
        if self.offline:
            if cached is not None:
                return cached
            raise MissingFromCache([download])
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(download):
            # Another process may have fetched it while this one waited for the lock.
            cached = self._cached(download)
            if cached is not None and not self.refresh:
                return cached
            return self._with_retries(download, target, self._record(download) if cached else None)

    def _with_retries(self, download: Download, target: Path, known: _Record | None) -> CachedFile:
        attempt = 0
        while True:
            try:
                return self._attempt(download, target, known)
            except _Retry as failure:
                attempt += 1
                if attempt > self.retries:
                    tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
                    raise FetchError(
                        download.url, f"{failure.problem} (gave up after {tries})", failure.status
                    ) from None
                wait = failure.retry_after
                if wait is None:
                    wait = self.backoff * 2 ** (attempt - 1)
                self.sleep(min(max(wait, 0.0), MAX_RETRY_WAIT))

    def _attempt(self, download: Download, target: Path, known: _Record | None) -> CachedFile:
        part = target.with_name(target.name + ".part")
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        resume = self._resume_state(download, part)
        offset = 0
        if resume is not None:
            offset, validator = resume
            headers["Range"] = f"bytes={offset}-"
            headers["If-Range"] = validator
        elif known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        request = urllib.request.Request(download.url, headers=headers)
        if self.on_bytes is not None:
            self.on_bytes(download, 0, None)
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 304 and known is not None:
                return self._revalidated(download, target, known)
            if error.code == 416:
                # The partial file no longer fits the resource: start again from nothing.
                self._drop_part(download, part)
                raise _Retry("the server refused to resume (416); starting again", 416) from None
            if error.code == 429 or error.code >= 500:
                raise _Retry(
                    str(error.reason), error.code, _retry_after(error.headers.get("Retry-After"))
                ) from None
            raise FetchError(download.url, str(error.reason), error.code) from None
        except TimeoutError:
            raise _Retry(f"no answer within {self.timeout:g} s (timed out)") from None
        except urllib.error.URLError as error:
            raise _Retry(f"cannot connect: {error.reason}") from None
        except (http.client.HTTPException, OSError) as error:
            raise _Retry(f"connection failed: {error}") from None
        with response:
            return self._receive(download, target, part, response, offset)

    def _receive(
        self,
        download: Download,
        target: Path,
        part: Path,
        response: http.client.HTTPResponse,
        offset: int,
    ) -> CachedFile:
        resumed = response.status == 206 and offset > 0
        if not resumed:
            offset = 0
        length = response.headers.get("Content-Length")
        expected = offset + int(length) if length and length.isdigit() else None
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        _write_json(self._part_meta(download), {"url": download.url, "etag": etag, "modified": last_modified})
        received = offset
        try:
            with part.open("ab" if resumed else "wb") as out:
                while True:
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                    if self.on_bytes is not None:
                        self.on_bytes(download, received, expected)
        except TimeoutError:
            raise _Retry(
                f"the body stopped arriving for {self.timeout:g} s after {received:,} bytes (timed out)"
            ) from None
        except http.client.IncompleteRead:
            pass  # counted below: the received size says how much arrived
        except (http.client.HTTPException, OSError) as error:
            raise _Retry(f"the connection broke after {received:,} bytes: {error}") from None
        if expected is not None and received != expected:
            raise _Retry(f"truncated body: received {received:,} of {expected:,} bytes (Content-Length)")
        digest = _sha256(part)
        now = _now()
        record = _Record(
            url=download.url,
            size=received,
            sha256=digest,
            fetched_at=now,
            checked_at=now,
            etag=etag,
            last_modified=last_modified,
        )
        os.replace(part, target)
        _write_json(self._meta(download), asdict(record))
        self._part_meta(download).unlink(missing_ok=True)
        return CachedFile(download, target, received, digest, now, downloaded=True)

    def _revalidated(self, download: Download, target: Path, known: _Record) -> CachedFile:
        known.checked_at = _now()
        _write_json(self._meta(download), asdict(known))
        return CachedFile(download, target, known.size, known.sha256, known.fetched_at, downloaded=False)

    # -- cache records ---------------------------------------------------------------------------------------

    def _meta(self, download: Download) -> Path:
        return self.cache_dir / META_DIR / f"{download.cache_path}.json"

    def _part_meta(self, download: Download) -> Path:
        return self.cache_dir / META_DIR / f"{download.cache_path}.part.json"

    def _record(self, download: Download) -> _Record | None:
        try:
            raw = json.loads(self._meta(download).read_text(encoding="utf-8"))
            return _Record(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def _cached(self, download: Download) -> CachedFile | None:
        record = self._record(download)
        target = self.path_of(download)
        if record is None or not target.is_file() or target.stat().st_size != record.size:
            return None
        return CachedFile(download, target, record.size, record.sha256, record.fetched_at, downloaded=False)

    def _resume_state(self, download: Download, part: Path) -> tuple[int, str] | None:
        """(bytes already there, validator) when a ``.part`` can be resumed; else None."""
        if not part.is_file() or part.stat().st_size == 0:
            return None
        try:
            raw = json.loads(self._part_meta(download).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        validator = raw.get("etag") or raw.get("modified")
        if raw.get("url") != download.url or not validator:
            return None
        return part.stat().st_size, str(validator)

    def _drop_part(self, download: Download, part: Path) -> None:
        part.unlink(missing_ok=True)
        self._part_meta(download).unlink(missing_ok=True)

    @contextlib.contextmanager
    def _lock(self, download: Download) -> Iterator[None]:
        lock_path = self.cache_dir / META_DIR / f"{download.cache_path}.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    scratch.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(scratch, path)
