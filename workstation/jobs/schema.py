"""The job database schema as numbered migrations. Never edit a released step: add one."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: one row per job; params, log (a JSON list of the last lines) as JSON text
    """
    CREATE TABLE job (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL DEFAULT 3,
        next_attempt_at REAL NOT NULL,
        last_error TEXT,
        log TEXT NOT NULL DEFAULT '[]',
        result TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX job_due_ix ON job (state, next_attempt_at);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
