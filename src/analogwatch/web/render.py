"""Rendering pages: the Jinja2 environment, its filters, and the context every page shares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from analogwatch import __version__
from analogwatch.service.auth import WRITERS, Principal
from analogwatch.service.jurisdiction import countries, country_name
from analogwatch.service.store import crud
from analogwatch.web.session import SEEN_COOKIE, csrf_value

TEMPLATES = Path(str(resources.files("analogwatch.web") / "templates"))

#: (key, label, path) of the main navigation, in order
NAV: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "/"),
    ("check", "Check", "/check"),
    ("screen", "Screen", "/screen"),
    ("reports", "Reports", "/reports"),
    ("substances", "Substances", "/substances"),
    ("alerts", "Alerts", "/alerts"),
    ("gaps", "Gaps", "/gaps"),
    ("markets", "Markets", "/markets"),
)

EVENT_TYPES = {
    "seizure": "Seizure", "laboratory_identification": "Laboratory identification",
    "darknet_sighting": "Darknet sighting", "poisoning": "Poisoning",
}
SHARING = {
    "private": ("Private", "your agency only"),
    "partners": ("Partners", "your agency and the agencies with an agreement with it"),
    "network": ("Network", "every member agency"),
}
ALERT_KINDS = {
    "first_sighting_network": "First sighting in the network",
    "first_sighting_country": "First sighting in the country",
    "not_controlled_at_home": "Not controlled at home",
    "controlled_by_partner": "Controlled by a partner, not at home",
    "report_corrected": "Report corrected",
    "report_withdrawn": "Report withdrawn",
}
#: the fields of a report by their labels on its page (its revision history names them so)
FIELD_LABELS = {
    "substance": "Substance", "event_type": "Event", "date": "Date of the event", "country": "Country",
    "region": "Region", "quantity": "Quantity", "unit": "Unit", "notes": "Notes", "case_ref": "Case reference",
    "sharing": "Sharing", "restrictions": "Restrictions",
}
BASIS = {"listed": "listed", "class": "class definition", "precursor": "precursor", "none": "not controlled"}


def _country(code: str | None) -> str:
    if not code:
        return ""
    try:
        return country_name(code)
    except KeyError:
        return code


def _quantity(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    text = f"{value:g}"
    return f"{text} {unit}" if unit else text


def _when(value: datetime | date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _short(text: str | None, n: int = 48) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _mass(mg: float | None) -> str:
    """A mass in milligrams written in the unit a reader expects (2000 -> '2 g')."""
    if mg is None:
        return ""
    for unit, size in (("kg", 1e6), ("g", 1e3)):
        if mg >= size:
            return f"{mg / size:g} {unit}"
    return f"{mg:g} mg"


def _span(days: int | None) -> str:
    """A signed lag for a table cell: months up to two years, years beyond ('+14 mo', '−52 y')."""
    if days is None:
        return ""
    sign = "+" if days >= 0 else "−"
    months = abs(days) / 30.44
    if months >= 24:
        return f"{sign}{abs(days) / 365.25:.0f} y"
    return f"{sign}{months:.0f} mo"


def _substance_name(verdicts: dict[str, Any], fallback: str = "") -> str:
    """The registry name of a reported substance listed by name somewhere, else ``fallback``."""
    for jur in ("UN", "US", "CN"):
        v = verdicts.get(jur)
        if v is not None and v.substance and v.basis in ("listed", "precursor"):
            return str(v.substance)
    return fallback


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters.update(country=_country, quantity=_quantity, when=_when, short=_short, mass=_mass, span=_span,
                             substance_name=_substance_name)
templates.env.globals.update(
    EVENT_TYPES=EVENT_TYPES, SHARING=SHARING, ALERT_KINDS=ALERT_KINDS, BASIS=BASIS, FIELD_LABELS=FIELD_LABELS,
    version=__version__,
)


def country_choices() -> list[tuple[str, str]]:
    return sorted(((code, name) for code, (name, _) in countries().items()), key=lambda c: c[1])


def seen_since(request: Request) -> datetime | None:
    raw = request.cookies.get(SEEN_COOKIE)
    if not raw:
        return None
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def new_alert_count(request: Request, principal: Principal) -> int:
    with request.app.state.sessions() as session:
        total, _ = crud.list_alerts(session, principal=principal, since=seen_since(request), limit=1)
    return total


#: pages load scripts and styles from this site only, and run no inline script
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: the Check page, which may load JSME: its compiled loader runs eval, inline script and an iframe
#: of this site (every value a page shows is escaped by the templates all the same)
CSP_EDITOR = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' "
              "'unsafe-inline'; img-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'none'; "
              "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


def render(request: Request, template: str, *, principal: Principal | None, active: str = "",
           status_code: int = 200, editor: bool = False, **context: Any) -> HTMLResponse:
    """A page with the shared context: who is signed in, the form's CSRF value, the navigation."""
    resolver = getattr(request.app.state, "resolver", None)
    ctx: dict[str, Any] = {
        "principal": principal,
        "can_write": principal is not None and principal.role in WRITERS,
        "csrf": csrf_value(request) if principal else "",
        "nav": NAV,
        "active": active,
        "new_alerts": new_alert_count(request, principal) if principal and active != "alerts" else 0,
        "registry_version": resolver.checker.registry.version if resolver is not None else "",
        "alert_poll_seconds": request.app.state.web_settings.alert_poll_seconds,
    }
    ctx.update(context)
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Content-Security-Policy"] = CSP_EDITOR if editor else CSP
    return response


def svg(markup: str) -> Markup:
    """Mark a chart drawn by :mod:`analogwatch.web.charts` as safe (its text is escaped there)."""
    return Markup(markup)  # noqa: S704
