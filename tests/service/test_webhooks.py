"""Webhooks: signed bodies, delivery from the background worker, retries with backoff."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from analogwatch.service.settings import Settings
from analogwatch.service.store.models import WebhookDelivery
from analogwatch.service.webhooks import backoff, sign, verify
from tests.service.conftest import CARFENTANIL, World


def wait_for(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def deliveries(world: World) -> list[WebhookDelivery]:
    with world.app.state.sessions() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at)))


class Recorder:
    """An httpx transport that answers with the given status codes in turn (then 200)."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0):
        self.statuses = list(statuses or [])
        self.delay = delay
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self.delay)
        with self.lock:
            self.requests.append(request)
            code = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(code)


def test_signature_round_trip() -> None:
    body = b'{"a":1}'
    header = sign("s3cret", body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify("s3cret", body, header)
    assert not verify("other", body, header)
    assert not verify("s3cret", body + b" ", header)
    assert not verify("s3cret", body, None)


def test_backoff_doubles_up_to_the_cap() -> None:
    s = Settings(webhook_backoff_base_s=2, webhook_backoff_max_s=30)
    assert [backoff(s, n) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]


def _subscribe(world: World, admin: Any, url: str = "https://receiver.example/hook") -> str:
    r = world.client.put("/api/v1/agency/webhook", json={"url": url}, headers=admin.headers)
    assert r.status_code == 200, r.text
    return str(r.json()["secret"])


def test_alerts_are_posted_signed_with_the_agency_secret(make_world: Callable[..., World]) -> None:
    rec = Recorder()
    world = make_world(httpx.MockTransport(rec))
    fiod = world.agency("FIOD", "NL", role="admin")
    secret = _subscribe(world, fiod)
    rep = world.report(fiod, CARFENTANIL)
    assert wait_for(lambda: len(rec.requests) == len(rep["alerts"]))
    got = set()
    for req in rec.requests:
        body = req.read()
        assert verify(secret, body, req.headers["X-Analogwatch-Signature"])
        payload = json.loads(body)
        assert payload["delivery_id"] == req.headers["X-Analogwatch-Delivery"]
        assert req.headers["X-Analogwatch-Attempt"] == "1"
        assert payload["alert"]["report_id"] == rep["id"]
        got.add(payload["alert"]["kind"])
    assert got == {a["kind"] for a in rep["alerts"]}
    assert wait_for(lambda: all(d.status == "delivered" for d in deliveries(world)))


def test_failed_posts_are_retried_with_backoff_then_delivered(make_world: Callable[..., World]) -> None:
    rec = Recorder(statuses=[500, 503])
    world = make_world(httpx.MockTransport(rec), webhook_max_attempts=5)
    fiod = world.agency("FIOD", "NL", role="admin")
    _subscribe(world, fiod)
    # one alert only: a report of a substance FIOD has seen before, in NL, not controlled under UN
    world.report(fiod, CARFENTANIL)
    assert wait_for(lambda: all(d.status == "delivered" for d in deliveries(world)))
    rep = world.report(fiod, CARFENTANIL)
    assert [a["kind"] for a in rep["alerts"]] == ["not_controlled_at_home"]
    assert wait_for(lambda: all(d.status == "delivered" for d in deliveries(world)))
    attempts = [r.headers["X-Analogwatch-Attempt"] for r in rec.requests]
    assert attempts.count("2") + attempts.count("3") == 2  # two retries somewhere among the deliveries
    first_ids = [r.headers["X-Analogwatch-Delivery"] for r in rec.requests]
    assert len(set(first_ids)) == len(deliveries(world))


def test_delivery_is_given_up_after_the_last_attempt(make_world: Callable[..., World]) -> None:
    rec = Recorder(statuses=[500] * 100)
    world = make_world(httpx.MockTransport(rec), webhook_max_attempts=3)
    fiod = world.agency("FIOD", "NL", role="admin")
    _subscribe(world, fiod)
    rep = world.report(fiod, CARFENTANIL)
    assert wait_for(lambda: all(d.status == "failed" for d in deliveries(world)))
    rows = deliveries(world)
    assert len(rows) == len(rep["alerts"])
    assert all(d.attempts == 3 and d.last_status == 500 for d in rows)
    assert len(rec.requests) == 3 * len(rows)


def test_network_errors_are_retried(make_world: Callable[..., World]) -> None:
    calls = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(204)

    world = make_world(httpx.MockTransport(flaky), webhook_max_attempts=4)
    fiod = world.agency("FIOD", "NL", role="admin")
    _subscribe(world, fiod)
    world.report(fiod, CARFENTANIL)
    assert wait_for(lambda: all(d.status == "delivered" for d in deliveries(world)))
    rows = deliveries(world)
    assert sorted(d.attempts for d in rows) == [1] * (len(rows) - 1) + [2]
    assert len(calls) == len(rows) + 1


def test_a_slow_receiver_does_not_slow_submissions(make_world: Callable[..., World]) -> None:
    rec = Recorder(delay=2.0)
    world = make_world(httpx.MockTransport(rec))
    fiod = world.agency("FIOD", "NL", role="admin")
    _subscribe(world, fiod)
    started = time.monotonic()
    for _ in range(2):
        world.report(fiod, CARFENTANIL)
    # posting the four alerts takes two seconds at least; the submissions did not wait for it
    assert time.monotonic() - started < 2.0
    assert wait_for(lambda: all(d.status == "delivered" for d in deliveries(world)), timeout=30)


def test_agencies_without_a_webhook_get_no_deliveries(world: World) -> None:
    fiod = world.agency("FIOD", "NL", role="admin")
    world.report(fiod, CARFENTANIL)
    assert deliveries(world) == []


def test_webhook_url_must_be_http(world: World) -> None:
    fiod = world.agency("FIOD", "NL", role="admin")
    for url in ("file:///etc/passwd", "ftp://x.example/", "javascript:alert(1)", "http://"):
        r = world.client.put("/api/v1/agency/webhook", json={"url": url}, headers=fiod.headers)
        assert r.status_code == 422, url


def test_secret_is_kept_unless_rotated(world: World) -> None:
    fiod = world.agency("FIOD", "NL", role="admin")
    first = _subscribe(world, fiod)
    assert _subscribe(world, fiod, "https://other.example/hook") == first
    r = world.client.put("/api/v1/agency/webhook", json={"url": "https://other.example/hook", "rotate_secret": True},
                         headers=fiod.headers)
    assert r.json()["secret"] != first
    assert world.client.delete("/api/v1/agency/webhook", headers=fiod.headers).status_code == 204
    assert world.client.get("/api/v1/agency", headers=fiod.headers).json()["webhook_url"] is None


@pytest.fixture
def receiver() -> Any:
    """A real HTTP receiver on 127.0.0.1 that records what it is sent."""
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_delivery_to_a_real_local_receiver(make_world: Callable[..., World], receiver: Any) -> None:
    url, received = receiver
    world = make_world(network=True)
    fiod = world.agency("FIOD", "NL", role="admin")
    secret = _subscribe(world, fiod, url)
    rep = world.report(fiod, CARFENTANIL)
    assert wait_for(lambda: len(received) == len(rep["alerts"]))
    for headers, body in received:
        assert verify(secret, body, headers["X-Analogwatch-Signature"])
        assert json.loads(body)["alert"]["report_id"] == rep["id"]


def test_corrections_and_withdrawals_are_posted_to_the_agencies_alerted(make_world: Callable[..., World]) -> None:
    rec = Recorder()
    world = make_world(httpx.MockTransport(rec))
    dea, nncc = world.agency("DEA", "US"), world.agency("NNCC", "CN", role="admin")
    world.agree(dea, nncc)
    secret = _subscribe(world, nncc)
    rep = world.report(dea, CARFENTANIL, sharing="partners")
    # Every alert the submission raised for NNCC is delivered before the correction is made, so
    # that the deliveries counted below are those of the correction and the withdrawal only.
    raised = world.client.get("/api/v1/alerts", params={"limit": 1000}, headers=nncc.headers).json()["items"]
    assert raised
    assert wait_for(lambda: len(rec.requests) == len(raised))
    first = len(rec.requests)
    r = world.client.patch(f"/api/v1/reports/{rep['id']}", json={"reason": "weighed", "quantity": 3, "unit": "g"},
                           headers=dea.headers)
    assert r.status_code == 200
    assert world.client.post(f"/api/v1/reports/{rep['id']}/withdraw", json={"reason": "in error"},
                             headers=dea.headers).status_code == 200
    assert wait_for(lambda: len(rec.requests) == first + 2)
    bodies = [json.loads(req.content) for req in rec.requests[first:]]
    assert sorted(b["alert"]["kind"] for b in bodies) == ["report_corrected", "report_withdrawn"]
    assert all(verify(secret, req.content, req.headers["X-Analogwatch-Signature"]) for req in rec.requests[first:])
