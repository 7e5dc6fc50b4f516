"""Sign-in for the dashboard: the agency token, kept in an HttpOnly cookie.

The cookie holds the token itself, so that every page is authorised exactly like an API request
(``crud.authenticate``): a revoked or expired token stops working on the next page. The cookie is
HttpOnly (no script can read it), SameSite=Lax (no cross-site form carries it) and Secure over
HTTPS. Forms also carry a CSRF value derived from the token, checked on every POST.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from analogwatch.service.auth import Principal
from analogwatch.service.store import crud
from analogwatch.web.errors import PageError

COOKIE = "aw_session"
#: ISO time of the newest alert the agency has seen in the dashboard (for the "new" badge)
SEEN_COOKIE = "aw_alerts_seen"
MAX_TOKEN_CHARS = 200


class SignInRequired(Exception):
    """No valid token in the cookie: the page answers with a redirect to the sign-in form."""

    def __init__(self, reason: str | None = None):
        super().__init__(reason or "sign in")
        self.reason = reason


def token_of(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return token


def authenticate(request: Request, token: str) -> Principal:
    """The principal of ``token``; crud.AuthError says why it is refused."""
    with request.app.state.sessions() as session:
        return crud.authenticate(session, token=token)


def current_principal(request: Request) -> Principal:
    """Dependency of every page: the signed-in agency, or SignInRequired."""
    token = token_of(request)
    if token is None:
        raise SignInRequired()
    try:
        principal = authenticate(request, token)
    except crud.AuthError as exc:
        raise SignInRequired(str(exc)) from None
    request.state.principal = principal
    request.state.web_token = token
    return principal


def csrf_value(request: Request) -> str:
    """The value forms must send back: an HMAC of the session token (unknown to other sites)."""
    token = getattr(request.state, "web_token", None) or token_of(request) or ""
    return hmac.new(token.encode(), b"analogwatch-dashboard-form", hashlib.sha256).hexdigest()[:40]


def check_csrf(request: Request, value: str | None) -> None:
    if not value or not hmac.compare_digest(value, csrf_value(request)):
        raise PageError(403, "Form expired", "The form has expired or came from another site: reload the page and "
                        "try again.")


def set_session_cookie(request: Request, response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", path="/",
        secure=secure or request.url.scheme == "https",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
    response.delete_cookie(SEEN_COOKIE, path="/")


def sign_in_redirect(request: Request, reason: str | None = None) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = "/login?next=" + quote(target, safe="")
    if reason:
        url += "&reason=" + quote(reason, safe="")
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme) may follow sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


WebAgency = Annotated[Principal, Depends(current_principal)]
