"""The sandbox's state: JSON records in SQLite, changed only inside serialized transactions.

One connection, one lock: every request's reads and writes run in a single `BEGIN IMMEDIATE`
transaction while holding the lock, so concurrent requests (threads or tasks) never see or
leave half-applied changes, and a sandbox restarted on the same file finds everything it had.
In-memory SQLite is per connection, which is why there is exactly one.

Records are the Heroku JSON of a resource plus private fields whose names start with `_`
(config-var snapshots, due times, router behaviour); `public()` strips those. Each kind is
indexed by its parent (usually the app id) and by the name Heroku lets you address it by.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from infra.errors import SandboxError

Record = dict[str, Any]

SCHEMA_VERSION = "1"

_DDL = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, id TEXT NOT NULL, parent TEXT, name TEXT, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, id));
CREATE INDEX IF NOT EXISTS records_by_parent ON records (kind, parent, seq);
CREATE INDEX IF NOT EXISTS records_by_name ON records (kind, name);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, due REAL NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL);
"""


def _app_child(record: Record) -> str | None:
    app = record.get("app")
    return app.get("id") if isinstance(app, dict) else None


# kind -> (parent, name) index keys. The name is what Heroku accepts besides the id in a path.
_INDEX: dict[str, Callable[[Record], tuple[str | None, str | None]]] = {
    "app": lambda r: (None, r["name"]),
    "release": lambda r: (_app_child(r), str(r["version"])),
    "slug": lambda r: (r["_app_id"], None),
    "build": lambda r: (_app_child(r), None),
    "addon": lambda r: (_app_child(r), r["name"]),
    "attachment": lambda r: (_app_child(r), r["name"]),
    "domain": lambda r: (_app_child(r), r["hostname"]),
    "formation": lambda r: (_app_child(r), r["type"]),
    "drain": lambda r: (r["_app_id"], r["url"]),
    "pipeline": lambda r: (None, r["name"]),
    "coupling": lambda r: (_app_child(r), r["pipeline"]["id"]),
    "promotion": lambda r: (r["pipeline"]["id"], None),
    "promotion-target": lambda r: (r["pipeline_promotion"]["id"], None),
    "collaborator": lambda r: (_app_child(r), r["user"]["email"]),
    "team": lambda r: (None, r["name"]),
    "team_member": lambda r: (r["_team_id"], r["email"]),
}


def public(record: Record) -> Record:
    """The Heroku JSON of a record: every private (`_`-prefixed) field removed."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with a `Z`, to the second, as Heroku writes them (`2012-01-01T12:00:00Z`)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Event:
    seq: int
    kind: str
    ref: str


class Tx:
    """One transaction's view of the state; `now` is the moment the transaction began."""

    def __init__(self, conn: sqlite3.Connection, now: datetime, seed: int | None) -> None:
        self._conn = conn
        self.now = now
        self.stamp = timestamp(now)
        self._seed = seed

    # --- records ------------------------------------------------------------------------

    def get(self, kind: str, record_id: str) -> Record | None:
        row = self._conn.execute("SELECT body FROM records WHERE kind = ? AND id = ?", (kind, record_id)).fetchone()
        return None if row is None else _load(row[0])

    def by_name(self, kind: str, name: str, parent: str | None = None) -> Record | None:
        if parent is None:
            sql, args = "SELECT body FROM records WHERE kind = ? AND name = ? ORDER BY seq", (kind, name)
            row = self._conn.execute(sql, args).fetchone()
        else:
            sql = "SELECT body FROM records WHERE kind = ? AND name = ? AND parent = ? ORDER BY seq"
            row = self._conn.execute(sql, (kind, name, parent)).fetchone()
        return None if row is None else _load(row[0])

    def children(self, kind: str, parent: str) -> list[Record]:
        """Every record of `kind` under `parent`, oldest first."""
        rows = self._conn.execute(
            "SELECT body FROM records WHERE kind = ? AND parent = ? ORDER BY seq", (kind, parent)
        ).fetchall()
        return [_load(row[0]) for row in rows]

    def all(self, kind: str) -> list[Record]:
        rows = self._conn.execute("SELECT body FROM records WHERE kind = ? ORDER BY seq", (kind,)).fetchall()
        return [_load(row[0]) for row in rows]

    def put(self, kind: str, record: Record) -> Record:
        """Insert or replace `record` (keyed by its `id`); insertion order is kept on replace."""
        parent, name = _INDEX[kind](record)
        body = json.dumps(record, separators=(",", ":"))
        updated = self._conn.execute(
            "UPDATE records SET parent = ?, name = ?, body = ? WHERE kind = ? AND id = ?",
            (parent, name, body, kind, record["id"]),
        )
        if updated.rowcount == 0:
            self._conn.execute(
                "INSERT INTO records (kind, id, parent, name, seq, body) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, record["id"], parent, name, self.counter("seq"), body),
            )
        return record

    def delete(self, kind: str, record_id: str) -> None:
        self._conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))

    # --- identifiers --------------------------------------------------------------------

    def counter(self, name: str) -> int:
        """The next value of a persistent counter (1, 2, ...)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (f"counter:{name}",)).fetchone()
        value = (int(row[0]) if row else 0) + 1
        self.set_meta(f"counter:{name}", str(value))
        return value

    def new_id(self) -> str:
        """A fresh UUID; derived from the seed and a persistent counter when seeded (stable across restarts)."""
        if self._seed is None:
            return str(uuid.uuid4())
        digest = hashlib.sha256(f"{self._seed}:{self.counter('ids')}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def new_hex(self, length: int) -> str:
        return uuid.UUID(self.new_id()).hex[:length]

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- delayed state changes ------------------------------------------------------------

    def schedule(self, due: float, kind: str, ref: str) -> None:
        """Remember that `kind` must happen to `ref` at epoch second `due`."""
        self._conn.execute("INSERT INTO events (due, kind, ref) VALUES (?, ?, ?)", (due, kind, ref))

    def take_due(self, now: float) -> Event | None:
        """Remove and return the earliest event due by `now`, if any."""
        row = self._conn.execute(
            "SELECT seq, kind, ref FROM events WHERE due <= ? ORDER BY due, seq LIMIT 1", (now,)
        ).fetchone()
        if row is None:
            return None
        self._conn.execute("DELETE FROM events WHERE seq = ?", (row[0],))
        return Event(seq=int(row[0]), kind=str(row[1]), ref=str(row[2]))

    def cancel(self, ref: str) -> None:
        self._conn.execute("DELETE FROM events WHERE ref = ?", (ref,))


def _load(body: str) -> Record:
    value = json.loads(body)
    assert isinstance(value, dict)
    return value


class Store:
    """The SQLite database behind one sandbox (`:memory:` or a file path)."""

    def __init__(self, path: str, seed: int | None = None) -> None:
        self.path = path
        self._seed = seed
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_DDL)
            self._check_version()
        except sqlite3.Error as err:
            raise SandboxError(f"sandbox state {path}: cannot open it as a sandbox database ({err})") from err

    def _check_version(self) -> None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise SandboxError(
                f"sandbox state {self.path}: written by state version {row[0]}, this sandbox reads version "
                f"{SCHEMA_VERSION}; start with a new --state file"
            )

    @contextmanager
    def transaction(self, now: datetime) -> Iterator[Tx]:
        """Run the block as one serialized transaction: all of its changes or none of them."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn, now, self._seed)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def wipe(self) -> None:
        """Forget every resource (the schema version stays)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("DELETE FROM records")
            self._conn.execute("DELETE FROM events")
            self._conn.execute("DELETE FROM meta WHERE key != 'schema_version'")
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
