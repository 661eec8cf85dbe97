"""Alert state in the ledger: which alerts fired, and which deliveries are still pending."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from truecost.alerts.alert import Alert
from truecost.ledger.sql import first_row
from truecost.notify import Notification


@dataclass(frozen=True)
class PendingDelivery:
    """An alert not yet delivered to one notifier, with the attempts made so far."""

    alert_key: str
    notifier: str
    attempts: int
    last_error: str | None
    notification: Notification


@dataclass(frozen=True)
class Firing:
    """The latest firing of a rule."""

    rule: str
    period: str
    fired_at: datetime


def _transaction(con: duckdb.DuckDBPyConnection, statements: list[tuple[str, list[Any]]]) -> None:
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        for sql, params in statements:
            con.execute(sql, params).fetchall()
        con.execute("COMMIT").fetchall()
    except BaseException:
        con.execute("ROLLBACK").fetchall()
        raise


def has_fired(con: duckdb.DuckDBPyConnection, alert_key: str) -> bool:
    """Return True when the alert already fired (for its rule and period)."""
    row = first_row(
        con.execute("SELECT count(*) FROM alert_firings WHERE alert_key = ?", [alert_key])
    )
    return bool(row and row[0])


def record_firing(
    con: duckdb.DuckDBPyConnection, alert: Alert, notifiers: list[str], now: datetime
) -> None:
    """Store the firing and one pending delivery per notifier in one transaction."""
    statements: list[tuple[str, list[Any]]] = [
        (
            "INSERT INTO alert_firings VALUES (?, ?, ?, ?, ?, ?)",
            [
                alert.key,
                alert.rule,
                alert.period,
                now,
                alert.evaluated_at,
                json.dumps(alert.payload()),
            ],
        )
    ]
    for name in notifiers:
        statements.append(
            (
                "INSERT INTO notification_outbox (alert_key, notifier, attempts) VALUES (?, ?, 0)",
                [alert.key, name],
            )
        )
    _transaction(con, statements)


def pending_deliveries(con: duckdb.DuckDBPyConnection) -> list[PendingDelivery]:
    """Return every undelivered notification, oldest firing first."""
    rows = con.execute(
        """
        SELECT o.alert_key, o.notifier, o.attempts, o.last_error, f.payload
        FROM notification_outbox o JOIN alert_firings f USING (alert_key)
        WHERE o.delivered_at IS NULL
        ORDER BY f.fired_at, o.alert_key, o.notifier
        """
    ).fetchall()
    pending = []
    for key, notifier, attempts, last_error, payload_text in rows:
        payload = json.loads(payload_text)
        notification = Notification(key, payload["title"], payload["text"], payload)
        pending.append(PendingDelivery(key, notifier, int(attempts), last_error, notification))
    return pending


def mark_delivered(
    con: duckdb.DuckDBPyConnection, alert_key: str, notifier: str, attempts: int, now: datetime
) -> None:
    """Record a successful delivery."""
    con.execute(
        "UPDATE notification_outbox SET attempts = attempts + ?, last_attempt_at = ?, "
        "delivered_at = ?, last_error = NULL WHERE alert_key = ? AND notifier = ?",
        [attempts, now, now, alert_key, notifier],
    ).fetchall()


def mark_failed(
    con: duckdb.DuckDBPyConnection,
    alert_key: str,
    notifier: str,
    attempts: int,
    error: str,
    now: datetime,
) -> None:
    """Record a failed delivery; the row stays pending for the next check."""
    con.execute(
        "UPDATE notification_outbox SET attempts = attempts + ?, last_attempt_at = ?, "
        "last_error = ? WHERE alert_key = ? AND notifier = ?",
        [attempts, now, error, alert_key, notifier],
    ).fetchall()


def latest_firings(con: duckdb.DuckDBPyConnection) -> dict[str, Firing]:
    """Return the latest firing of each rule."""
    rows = con.execute(
        "SELECT rule, arg_max(period, fired_at), max(fired_at) FROM alert_firings GROUP BY rule"
    ).fetchall()
    return {rule: Firing(rule, period, fired_at) for rule, period, fired_at in rows}


def count_pending(con: duckdb.DuckDBPyConnection) -> int:
    """Return the number of deliveries still pending."""
    row = first_row(
        con.execute("SELECT count(*) FROM notification_outbox WHERE delivered_at IS NULL")
    )
    return int(row[0]) if row else 0
