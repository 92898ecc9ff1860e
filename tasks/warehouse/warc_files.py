"""The rows a backfill keeps about the WARC files it reads (``news.warc_files``): claimed, advanced, finished.

A backfill task claims its file before reading it (:func:`claim_file`): a file read to its end,
or one another live run is reading, is not claimed, and nothing of it is read again. As each
batch of the file is loaded, :func:`record_progress` moves the file's ``next_offset`` past it, so
a reading that dies (kill -9, lost database) is resumed there by the next backfill, whose
already-held URLs are skipped: no record is loaded twice. Every statement is a file in
``sql/backfill/`` run with bound parameters.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tasks.warehouse.db import query


def claim_file(eng: Engine, file: str, size: int, run_id: int) -> int | None:
    """Claim ``file`` for the run: the offset to start reading at, or None when it is not to be read."""
    with eng.begin() as conn:
        return conn.execute(query("backfill/claim_file.sql"),
                            {"file": file, "size": size, "run_id": run_id}).scalar_one_or_none()


def file_state(eng: Engine, file: str):
    """The file's row (status, run_id, next_offset, records, detail), or None."""
    with eng.connect() as conn:
        return conn.execute(query("backfill/file_state.sql"), {"file": file}).first()


def record_progress(eng: Engine, file: str, next_offset: int, records: int) -> None:
    with eng.begin() as conn:
        conn.execute(query("backfill/record_progress.sql"),
                     {"file": file, "next_offset": next_offset, "records": records})


def finish_file(eng: Engine, file: str, next_offset: int, records: int, detail: str | None = None) -> None:
    """The file read to its end (``done``), or to a record cut off (``truncated``, ``detail`` says how)."""
    with eng.begin() as conn:
        conn.execute(query("backfill/finish_file.sql"), {
            "file": file, "status": "truncated" if detail else "done", "next_offset": next_offset,
            "records": records, "detail": detail})
