"""The one place where an error of the Seven Time API becomes words for people,
in the page's language, and an HTTP status. Every page that shows an API error
asks this module; no view, template or service words one itself.

* `describe()`: status, title, explanation and whether to offer "Try again",
  for any SevenTimeError. The error pages (middleware.py) and a create form
  shown again use it.
* `form_problem()`, `rejected_problem()`: the box above a create form whose
  submit failed (the form keeps everything typed).
* `explain()` and the table before it: the API's validation messages said again
  in the page's language, about the field at fault.
* `picker_failed()`, `contacts_failed()`: one line where only
  part of a page could not be had.
* `failure_kind()`, `sync_failures()`: a sync failure is stored as "kind: detail"
  (the engine's English detail, for administrators); the Sync page says the kind
  in the page's language.

Whether an error is worth retrying and whether a write may have happened are
properties of the errors themselves (seventime/errors.py: `retryable`,
`may_have_created`): this module words them, it does not decide them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from django.utils.translation import gettext as _

from seventime import (
    AuthenticationError,
    BadResponse,
    NotConfigured,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    Unavailable,
    ValidationError,
)
from seventime.errors import FIELD_PATH


class Described(NamedTuple):
    """An API error as a page says it."""

    status: int
    title: str
    explanation: str
    retry: bool


def describe(error: SevenTimeError) -> Described:
    """The status of the page, its title and explanation, and whether "Try again" is offered."""
    status, title, explanation = _words(error)
    return Described(status, title, explanation, error.retryable)


def _words(error: SevenTimeError) -> tuple[int, str, str]:
    return _class_words(type(error), getattr(error, "retry_after", None))


def _class_words(kind: type, retry_after: float | None = None) -> tuple[int, str, str]:
    """The words of an error of class `kind` (a sync failure is stored by its kind)."""
    if issubclass(kind, NotFound):
        return 404, _("Not found"), _("Seven Time has no such record. It may have been removed.")
    if issubclass(kind, NotConfigured):
        return (
            503,
            _("The dashboard is not connected to Seven Time"),
            _(
                "No Seven Time address is configured. Administrator: set SEVENTIME_API_URL and "
                "SEVENTIME_CLIENT_SECRET (see the README), or SANDBOX_ENABLED=true for a trial on demo data."
            ),
        )
    if issubclass(kind, AuthenticationError):
        return (
            503,
            _("Seven Time refused our credentials"),
            _(
                "The dashboard could not sign in to Seven Time. Administrator: check SEVENTIME_CLIENT_SECRET "
                "(the API key from Settings → Integrations → API in Seven Time) and SEVENTIME_API_URL."
            ),
        )
    if issubclass(kind, RateLimited):
        wait = _(" Wait %(seconds)d seconds.") % {"seconds": retry_after} if retry_after else ""
        return 503, _("Seven Time is busy"), _("Seven Time is receiving too many requests.") + wait
    if issubclass(kind, Timeout):
        return 504, _("Seven Time is not answering"), _("Seven Time did not answer in time. Try again.")
    if issubclass(kind, Unavailable):
        return 503, _("Seven Time is not answering"), _("The dashboard could not reach Seven Time. Try again.")
    if issubclass(kind, BadResponse):
        return 502, _("Seven Time sent an unexpected answer"), _("The answer could not be read. Try again later.")
    if issubclass(kind, ServerError):
        return 502, _("Seven Time had a problem"), _("Seven Time reported an internal error. Try again.")
    if issubclass(kind, ValidationError):
        # Not worth retrying (a rejected request is rejected again): no "Try again" in the words either.
        return 502, _("Seven Time had a problem"), _("Seven Time did not accept the request.")
    return 502, _("Seven Time had a problem"), _("Something went wrong talking to Seven Time. Try again.")


def check_outcome(error: SevenTimeError) -> str:
    """How a detail page's check with Seven Time ended on this error (browse/detail_check.py):
    "busy" when the rate limit had no room for it, else "failed"."""
    return "busy" if isinstance(error, RateLimited) else "failed"


def page_context(error: SevenTimeError, *, not_found_message: str = "") -> dict:
    """The context of the error page (errors/api.html) or its htmx part (errors/inline.html).
    A page that knows what was not found says so in `not_found_message`."""
    status, title, explanation, retry = describe(error)
    if isinstance(error, NotFound) and not_found_message:
        explanation = not_found_message
    return {"title": title, "explanation": explanation, "retry": retry, "status": status}


# --- a create form shown again ---------------------------------------------------------


def form_problem(error: SevenTimeError, *, unknown: bool = False, kind: str = "") -> dict:
    """The box above a create form whose submit (or the loading it needs) failed.
    `unknown`: the API may have created the `kind` (see SevenTimeError.may_have_created)."""
    status, title, explanation, retry = describe(error)
    if unknown:
        explanation = _(
            "Seven Time did not confirm whether the %(kind)s was created. Nothing you typed is lost. Press "
            "“Try again”: the dashboard first checks whether it exists, and will not create it twice."
        ) % {"kind": kind}
    else:
        explanation = _("%(explanation)s Nothing you typed is lost.") % {"explanation": explanation}
    # "offline": showing the form again asks the API for nothing more.
    return {"title": title, "explanation": explanation, "retry": retry or unknown, "status": status, "offline": True}


def rejected_problem(error: ValidationError, *, kind: str, placed: bool) -> dict:
    """The box above a create form the API rejected (400). `placed`: the message
    stands at the field it blames (and so in the form's summary of fields)."""
    original = error.message
    explained = explain(original)
    return {
        "title": _("Seven Time did not accept the %(kind)s") % {"kind": kind},
        "explanation": "" if placed else explained or original,
        # Seven Time's own words, for when the translation does not say enough.
        "original": original if explained else "",
        "retry": False,
    }


# --- the API's validation messages in the page's language ------------------------------
#
# Seven Time answers a rejected create with an English `errorMessage` that starts
# with the field at fault ("userName johanna is already in use"). The messages
# for what the reference documents (required fields, fields required only in
# some cases, unique numbers and usernames, date formats, a contact person of the
# chosen customer, shares of 1-100 %) and the other shapes the sandbox answers
# with are recognised here and said again in the person's language, about the
# field (which the form shows next to it). A message not recognised is shown as
# it came. The original stays on the page as a detail (rejected_problem).

#: The field path a message starts with: "billingSettings.invoiceEmail", "invoiceItems[1].unitPrice".
_PATH = rf"(?P<path>{FIELD_PATH})"

#: (pattern of the whole message, the message about the field in the page's language).
_MESSAGES: tuple[tuple[str, Callable[[dict[str, str]], str]], ...] = (
    (rf"{_PATH} is required", lambda m: _("This field is required.")),
    (rf"{_PATH} (?P<value>.+) is already in use", lambda m: _("“%(value)s” is already in use in Seven Time.") % m),
    (rf"{_PATH} must be in the format (?P<format>[A-Z:\- ]+)", lambda m: _("Use the format %(format)s.") % m),
    (rf"{_PATH} is not a valid date", lambda m: _("This is not a valid date.")),
    (rf"{_PATH} is not a valid date and time", lambda m: _("This is not a valid date and time.")),
    (rf"{_PATH} is not a valid email address", lambda m: _("Enter a valid email address.")),
    (rf"{_PATH} must be a number", lambda m: _("Enter a number.")),
    (
        rf"{_PATH} must be between (?P<low>\S+) and (?P<high>\S+)",
        lambda m: _("Must be between %(low)s and %(high)s.") % m,
    ),
    (rf"{_PATH} must be one of (?P<values>.+)", lambda m: _("Must be one of %(values)s.") % m),
    (rf"{_PATH}: there is no (?P<kind>.+) with id (?P<id>.+)", lambda m: _("Seven Time has no such record.")),
    (rf"{_PATH}: there is no user role (?P<id>.+)", lambda m: _("Seven Time has no such record.")),
    (
        r"contactPerson does not belong to the customer",
        lambda m: _("This contact person is not one of the customer's."),
    ),
    (r"contactPerson requires customer", lambda m: _("Choose the customer first.")),
    (
        r"houseProperties is required when invoiceType is 1 \(ROT\) or 2 \(RUT\)",
        lambda m: _("Required for a ROT or RUT invoice."),
    ),
    (rf"{_PATH} is required for a detached property", lambda m: _("Required for a detached property (villa).")),
    (rf"{_PATH} is required for a condominium", lambda m: _("Required for a condominium (bostadsrätt).")),
    (r"endDate must not be before startDate", lambda m: _("The end is before the start.")),
    (r"dueDate must not be before invoiceDate", lambda m: _("The due date is before the invoice date.")),
    (
        rf"{_PATH}: distributionPercent must add up to 100",
        lambda m: _("The shares must add up to exactly 100 %."),
    ),
)


def explain(message: str) -> str | None:
    """The API's message said in the page's language (about the field it names,
    without naming it), or None when it is not one we know."""
    text = (message or "").strip()
    for pattern, say in _MESSAGES:
        match = re.fullmatch(pattern, text)
        if match:
            return say(match.groupdict())
    return None


# --- one part of a page ----------------------------------------------------------------


def picker_failed() -> str:
    """In a live-search picker's list, when the search could not be made."""
    return _("Seven Time is not answering. Type again to retry.")


def contacts_failed() -> str:
    """In the contact person select, when the chosen customer's could not be loaded."""
    return _("Contact persons could not be loaded: try again later")


# --- the sync's failures (dashboard/sync/engine.py, the Sync page) ---------------------

#: The kinds a sync failure is stored with: the API's errors, most specific first.
_KINDS: tuple[type[SevenTimeError], ...] = (
    NotFound,
    NotConfigured,
    AuthenticationError,
    RateLimited,
    Timeout,
    Unavailable,
    BadResponse,
    ServerError,
    ValidationError,
    SevenTimeError,
)
#: Kinds that are not the API's: a run taken for dead, a record that could not be read.
ABANDONED_KIND = "Abandoned"
MALFORMED_KIND = "ValueError"


class SyncFailure(NamedTuple):
    entity: str  # the entity's key ("invoices"), "" for the whole run
    words: str  # in the page's language
    detail: str  # as stored: the engine's own words, English, for administrators


def failure_kind(error: BaseException) -> str:
    """What a sync failure is stored as: the API error class it is one of, else its own class."""
    for kind in _KINDS:
        if isinstance(error, kind):
            return kind.__name__
    return type(error).__name__


def _kind_words(kind: str) -> str:
    known = {cls.__name__: cls for cls in _KINDS}
    if kind in known:
        return _class_words(known[kind])[1]
    if kind == ABANDONED_KIND:
        return _("The run stopped: its process gave no sign of life for 5 minutes.")
    if kind == MALFORMED_KIND:
        return _("Seven Time sent a record the dashboard could not read.")
    return _("The sync stopped on an error in the dashboard.")


def sync_failures(stored: str, entities: frozenset[str] | set[str] = frozenset()) -> list[SyncFailure]:
    """A stored sync failure, one line each ("invoices: Unavailable: connection refused",
    or "Timeout: ..." for the whole run), said in the page's language."""
    failures = []
    for line in (stored or "").splitlines():
        if not line.strip():
            continue
        entity, _sep, rest = line.partition(": ")
        if entity not in entities:
            entity, rest = "", line
        kind, _sep, _detail = rest.partition(": ")
        failures.append(SyncFailure(entity, _kind_words(kind.strip()), line))
    return failures
