"""Webhook delivery: a background worker posts queued alerts, signed, retrying with backoff.

Alerts are queued in the ``webhook_deliveries`` table in the same transaction as the report that
raised them (an outbox), so a submission never waits for a receiver and no alert is lost when the
process stops. Each POST carries:

- ``X-Analogwatch-Signature: sha256=<hex>``: HMAC-SHA256 of the raw body with the agency's secret;
- ``X-Analogwatch-Delivery``: the delivery id (also in the body; receivers may see it twice after
  a retry and should de-duplicate on it);
- ``X-Analogwatch-Attempt``: 1 for the first try.

A non-2xx answer or a network error is retried after ``base * 2**(attempt-1)`` seconds (capped),
until ``webhook_max_attempts``; then the delivery is marked ``failed``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from analogwatch import __version__
from analogwatch.service.settings import Settings
from analogwatch.service.store.db import begin_write
from analogwatch.service.store.models import Agency, WebhookDelivery, utcnow

if TYPE_CHECKING:
    from starlette.requests import Request

log = logging.getLogger("analogwatch.webhooks")

SIGNATURE_HEADER = "X-Analogwatch-Signature"
DELIVERY_HEADER = "X-Analogwatch-Delivery"
ATTEMPT_HEADER = "X-Analogwatch-Attempt"
#: how long a worker holds a claimed delivery (longer than any request timeout)
LEASE = timedelta(minutes=2)
BATCH = 20


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(secret, body), header or "")


def backoff(settings: Settings, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure."""
    return float(min(settings.webhook_backoff_max_s, settings.webhook_backoff_base_s * 2 ** (attempts - 1)))


class WebhookWorker:
    """Delivers due webhooks from a daemon thread; ``wake()`` after committing new alerts."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, transport: httpx.BaseTransport | None = None
    ):
        self.sessions = sessions
        self.settings = settings
        self._client = httpx.Client(
            transport=transport, timeout=settings.webhook_timeout_s, follow_redirects=False,
            headers={"User-Agent": f"analogwatch/{__version__}", "Content-Type": "application/json"},
        )
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.webhook_concurrency),
                                        thread_name_prefix="analogwatch-webhook-post")
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="analogwatch-webhooks", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._pool.shutdown(wait=True)
        self._client.close()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self.deliver_due()
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                log.exception("webhook delivery round failed")
                done = 0
            if done == 0:
                self._wake.wait(self.settings.webhook_poll_interval_s)
                self._wake.clear()

    # -- one round -------------------------------------------------------------------------------
    def _claim(self, now: datetime) -> list[str]:
        """Claim up to BATCH due deliveries; an UPDATE guarded by the lease makes a claim exclusive,
        also between processes sharing one PostgreSQL database."""
        claimed: list[str] = []
        with self.sessions() as s:
            due = list(s.scalars(
                select(WebhookDelivery.id).where(
                    WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                ).order_by(WebhookDelivery.next_attempt_at).limit(BATCH)
            ))
        if not due:
            return claimed
        with self.sessions() as s, s.begin():
            begin_write(s)
            for did in due:
                res = s.execute(
                    update(WebhookDelivery).where(
                        WebhookDelivery.id == did, WebhookDelivery.status == "pending",
                        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
                    ).values(locked_until=now + LEASE)
                )
                if getattr(res, "rowcount", 0) == 1:
                    claimed.append(did)
        return claimed

    def deliver_due(self) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        claimed = self._claim(utcnow())
        if len(claimed) == 1:
            self._attempt(claimed[0])
        elif claimed:
            # a slow receiver holds up only its own deliveries, not everyone's
            list(self._pool.map(self._attempt, claimed))
        return len(claimed)

    def _attempt(self, delivery_id: str) -> None:
        with self.sessions() as s:
            row = s.get(WebhookDelivery, delivery_id)
            agency = s.get(Agency, row.agency_id) if row else None
            if row is None or agency is None:
                return
            body, url, attempt = row.body.encode("utf-8"), row.url, row.attempts + 1
            secret = agency.webhook_secret or ""
        status: int | None = None
        error: str | None = None
        try:
            resp = self._client.post(url, content=body, headers={
                SIGNATURE_HEADER: sign(secret, body), DELIVERY_HEADER: delivery_id, ATTEMPT_HEADER: str(attempt),
            })
            status = resp.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        now = utcnow()
        values: dict[str, object] = {"attempts": attempt, "last_status": status, "last_error": error,
                                     "locked_until": None}
        if error is None:
            values.update(status="delivered", delivered_at=now)
        elif attempt >= self.settings.webhook_max_attempts:
            values.update(status="failed")
            log.warning("webhook %s to %s given up after %d attempts: %s", delivery_id, url, attempt, error)
        else:
            values.update(next_attempt_at=now + timedelta(seconds=backoff(self.settings, attempt)))
        with self.sessions() as s, s.begin():
            s.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))


def wake_worker(request: Request) -> None:
    """Tell the app's webhook worker that deliveries were queued (an app may run without one)."""
    worker = getattr(request.app.state, "webhooks", None)
    if worker is not None:
        worker.wake()
