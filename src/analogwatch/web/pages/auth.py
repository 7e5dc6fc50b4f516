"""Sign-in with an agency token, and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import RedirectResponse, Response

from analogwatch.service import audit
from analogwatch.service.store import crud
from analogwatch.web.render import render
from analogwatch.web.session import (
    authenticate,
    check_csrf,
    clear_session_cookie,
    current_principal,
    safe_next,
    set_session_cookie,
    token_of,
)

router = APIRouter()


@router.get("/login", name="dashboard_sign_in_form")
def login_form(request: Request, next: str = "/", reason: str = "", signed_out: str = "") -> Response:
    token = token_of(request)
    if token:
        try:
            authenticate(request, token)
        except crud.AuthError:
            pass
        else:
            return RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    message = {"token revoked": "Your token has been revoked: ask your agency's administrator for a new one.",
               "token expired": "Your token has expired: ask your agency's administrator for a new one.",
               "invalid token": "That token is not valid any more."}.get(reason, "")
    return render(request, "login.html", principal=None, title="Sign in", next=safe_next(next), error=message,
                  signed_out=bool(signed_out))


@router.post("/login", name="dashboard_sign_in")
def login(request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    token = token.strip()
    target = safe_next(next)
    error = ""
    if not token:
        error = "Paste your agency token (it starts with aw_)."
    elif len(token) > 200:
        error = "That is not an analogwatch token."
    else:
        try:
            principal = authenticate(request, token)
        except crud.AuthError as exc:
            error = {"invalid token": "This token is not known to this service. Check that you pasted all of it.",
                     "token revoked": "This token has been revoked.",
                     "token expired": "This token has expired."}.get(str(exc), str(exc))
        else:
            with request.app.state.sessions() as session:
                audit.record(session, request, principal, status=303, detail="dashboard sign-in")
                session.commit()
            response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
            set_session_cookie(request, response, token, secure=request.app.state.web_settings.secure_cookies)
            return response
    return render(request, "login.html", principal=None, title="Sign in", next=target, error=error,
                  status_code=status.HTTP_401_UNAUTHORIZED)


@router.post("/logout", name="dashboard_sign_out")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    principal = current_principal(request)
    check_csrf(request, csrf)
    with request.app.state.sessions() as session:
        audit.record(session, request, principal, status=303, detail="dashboard sign-out")
        session.commit()
    response = RedirectResponse("/login?signed_out=1", status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response)
    return response
