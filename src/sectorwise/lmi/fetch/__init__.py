"""Download official data (BLS, Census, LEHD) into a local cache: the HTTP client and per-source URL builders.

:mod:`~sectorwise.lmi.fetch.client` downloads into ``data_dir()/cache`` with retries, resumption and a
metadata record per file; :mod:`~sectorwise.lmi.fetch.sources` knows where each publisher puts its files.
Loading what was fetched is the job of the existing readers (``ingest_paths``, ``load_oews``, ...).
"""

from sectorwise.lmi.fetch.client import (
    CachedFile,
    Download,
    Fetcher,
    FetchError,
    FetchFailed,
    FetchReport,
    MissingFromCache,
    default_cache_dir,
    user_agent,
)

__all__ = [
    "CachedFile",
    "Download",
    "FetchError",
    "FetchFailed",
    "FetchReport",
    "Fetcher",
    "MissingFromCache",
    "default_cache_dir",
    "user_agent",
]
