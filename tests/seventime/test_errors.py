"""What each API error says about itself: whether another try may succeed, and
whether a write that ended with it may have created the record (seventime/errors.py).
The create flow (idempotency.py) and the error pages (api_errors.py) rely on these."""

import pytest

from seventime import (
    AuthenticationError,
    BadResponse,
    ConnectionFailed,
    NotConfigured,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    Unavailable,
    ValidationError,
)
from seventime.errors import field_path_parts, leading_field_path

#: (error, worth retrying, may have created the record)
CASES = [
    (Timeout("Seven Time did not answer within 8 seconds."), True, True),
    (ConnectionFailed("Could not connect to Seven Time."), True, True),
    (Unavailable("Seven Time could not be reached."), True, True),
    (ServerError("Seven Time had an internal problem (HTTP 500).", status=500), True, True),
    (BadResponse("Seven Time sent an answer that is not JSON.", status=200), True, True),
    (RateLimited("Too many requests.", retry_after=3), True, False),
    (ValidationError("name is required", field="name", status=400), False, False),
    (ValidationError("customerNumber 1001 is already in use", status=409), False, False),
    (NotFound("Not found.", status=404), False, False),
    (AuthenticationError("Seven Time refused the client secret (HTTP 401).", status=401), False, False),
    (NotConfigured("SEVENTIME_API_URL is not set and the sandbox is off."), False, False),
    # Anything else is taken at its worst.
    (SevenTimeError("Something unexpected."), True, True),
]


@pytest.mark.parametrize(("error", "retryable", "may_have_created"), CASES, ids=lambda v: type(v).__name__)
def test_each_error_says_whether_to_retry_and_whether_a_post_may_have_created_the_record(
    error, retryable, may_have_created
):
    assert error.retryable is retryable
    assert error.may_have_created is may_have_created


def test_every_error_class_is_covered():
    covered = {type(error) for error, _retry, _created in CASES}
    classes = {SevenTimeError, *_subclasses(SevenTimeError)}
    assert classes == covered


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.parametrize(
    ("message", "path"),
    [
        ("name is required", "name"),
        ("billingSettings.invoiceEmail is not a valid email address", "billingSettings.invoiceEmail"),
        ("invoiceItems[1].unitPrice must be a number", "invoiceItems[1].unitPrice"),
        ("", None),
        (None, None),
        ("  leading space", None),
    ],
)
def test_the_field_an_api_message_starts_with(message, path):
    assert leading_field_path(message) == path


def test_the_names_and_the_list_position_in_a_field_path():
    assert field_path_parts("billingSettings.deductionDistribution[0].userName") == (
        ["billingSettings", "deductionDistribution", "userName"],
        0,
    )
    assert field_path_parts("name") == (["name"], None)
