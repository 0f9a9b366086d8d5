"""SQLite helpers shared by the store's index and the job queue: numbered migrations and
immediate write transactions. Each database keeps one ``schema_version`` row."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (the caller holds its lock)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def migrate(
    conn: sqlite3.Connection,
    migrations: list[str],
    too_new: Callable[[int, int], Exception],
    what: str,
) -> None:
    """Apply ``migrations[n-1]`` for every version n above the stored one, in one transaction.

    ``too_new(found, known)`` builds the error raised for a database written by a newer
    program; ``what`` names the database in the log.
    """
    known = len(migrations)
    with immediate_transaction(conn) as c:
        c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = c.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else 0
        if row is None:
            c.execute("INSERT INTO schema_version VALUES (0)")
        if version > known:
            raise too_new(version, known)
        for number in range(version + 1, known + 1):
            for statement in migrations[number - 1].split(";"):
                if statement.strip():
                    c.execute(statement)
            c.execute("UPDATE schema_version SET version = ?", (number,))
            log.info("%s migrated to schema version %d", what, number)
