"""Errors a page answers with an HTML page of its own (the API keeps its JSON errors)."""

from __future__ import annotations


class PageError(Exception):
    """A page that cannot be shown: the status, a title and a sentence for the reader."""

    def __init__(self, status_code: int, title: str, message: str, *, object_id: str | None = None,
                 owner_agency_id: int | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.object_id = object_id
        self.owner_agency_id = owner_agency_id


def not_found(what: str, object_id: str | None = None, owner_agency_id: int | None = None) -> PageError:
    return PageError(404, "Not found", f"No {what} with this id is visible to your agency.", object_id=object_id,
                     owner_agency_id=owner_agency_id)


def forbidden(message: str) -> PageError:
    return PageError(403, "Not allowed", message)
