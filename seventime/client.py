"""The one client for the Seven Time REST API (v1).

Every call goes through `SevenTimeClient._request`, so the secret header,
timeouts, retries, error mapping and logging live in one place.

Creates send JSON bodies. The reference's own examples post form-encoded data,
but nested objects (`billingSettings`, `deliveryAddress`, `houseProperties`,
`invoiceItems`) and arrays have no reliable flat form encoding - the reference
never says which bracket convention the server parses - while a JSON body is
unambiguous and is what `request.post({json: ...})` in the examples' library
would send. See docs/api-assumptions.md.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util.retry import Retry

from . import jsontext, ratelimit, records
from .errors import (
    FIELD_PATH,
    AuthenticationError,
    BadResponse,
    ConnectionFailed,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    ValidationError,
    field_path_parts,
)

logger = logging.getLogger(__name__)

#: The API returns at most this many records per list and documents no paging.
LIST_LIMIT = 100
#: The most one read of an answer asks for. Each read takes what has arrived (up to
#: this), so 100 invoices (~500 KB) come in a few reads; the deadline is checked
#: between them.
BODY_READ_SIZE = 1 << 20
SORT_DIRECTIONS = ("ascending", "descending")
#: How long a 429 without a (readable) Retry-After pauses the key: the limit is per second.
RATE_LIMITED_PAUSE = 1.0

R = TypeVar("R", bound=records.Record)


@dataclass(frozen=True)
class Page(Generic[R]):
    """One list answer. `maybe_truncated` is true when the API hit its cap, so
    there may be more records than these: the page should say so."""

    items: tuple[R, ...]
    limit: int = LIST_LIMIT
    #: The documents as decoded, their values possibly still JSON text (jsontext).
    raw_documents: tuple[dict, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def documents(self) -> tuple[dict, ...]:
        """The documents as the API sent them, every value decoded (for a local copy
        that keeps every field)."""
        return tuple({key: jsontext.value(raw) for key, raw in doc.items()} for doc in self.raw_documents)

    @property
    def maybe_truncated(self) -> bool:
        return len(self.items) >= self.limit

    def __iter__(self) -> Iterator[R]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class GetRetry(Retry):
    """urllib3 Retry for idempotent GETs only, with a total time bound.

    A POST is never retried, not even after a connection error: the request may
    have reached the API, and a retry could create the record twice. A 429 or 503
    whose Retry-After is longer than half the time budget is not waited for; the
    caller gets the answer (and so `RateLimited` with the delay) at once. Once the
    first failure is `time_budget` seconds old, no further attempt is made.

    A 429 is not retried here but in `SevenTimeClient._request`, so that the rate
    limiter sees every one (it pauses the key for every caller). Every retry made
    here waits for the limiter first (`sleep`).
    """

    def __init__(
        self,
        *args,
        time_budget: float = 10.0,
        first_failure_at: float | None = None,
        limiter: ratelimit.Limiter | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.time_budget = time_budget
        self.first_failure_at = first_failure_at
        self.limiter = limiter

    def new(self, **kwargs):
        kwargs.setdefault("time_budget", self.time_budget)
        kwargs.setdefault("first_failure_at", self.first_failure_at or time.monotonic())
        kwargs.setdefault("limiter", self.limiter)
        return super().new(**kwargs)

    def is_retry(self, method, status_code, has_retry_after=False):
        # urllib3 retries any 429 with a Retry-After, whatever status_forcelist says.
        return status_code != 429 and super().is_retry(method, status_code, has_retry_after)

    def sleep(self, response=None):
        super().sleep(response)
        # A retry is one more request to Seven Time: it waits for the rate limit too
        # (urllib3 retries in the calling thread, so the priority is the caller's).
        if self.limiter is not None:
            self.limiter.acquire(ratelimit.current_priority())

    def increment(self, method=None, url=None, response=None, *args, **kwargs):
        give_up = method and method.upper() not in self.allowed_methods
        if response is not None and not give_up:
            retry_after = self.get_retry_after(response)
            give_up = retry_after is not None and retry_after > self.time_budget / 2
        if give_up:
            # An exhausted Retry raises MaxRetryError: urllib3 then hands back the
            # answer as it is (raise_on_status is off) or raises the error.
            return Retry(total=0, raise_on_status=False).increment(method, url, response, *args, **kwargs)
        return super().increment(method, url, response, *args, **kwargs)

    def get_retry_after(self, response):
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def is_exhausted(self) -> bool:
        if self.first_failure_at is not None and time.monotonic() - self.first_failure_at > self.time_budget:
            return True
        return super().is_exhausted()


def _guess_field(message: str, payload: Mapping[str, Any] | None) -> str | None:
    """The input an API error message blames: the field path the message starts
    with ("name is required", "billingSettings.invoiceEmail is not valid" gives
    invoiceEmail), or else the first word that names a field we sent."""
    if not message:
        return None
    leading = re.match(rf"({FIELD_PATH})(?::| is required| must | is not | does not )", message)
    if leading and leading.group(1)[0].islower():
        return field_path_parts(leading.group(1))[0][-1]
    candidates = set(payload or ())
    for value in (payload or {}).values():
        if isinstance(value, Mapping):
            candidates.update(value)
    for word in re.split(r"[\s/.,:;'\"`()\[\]]+", message):
        if word in candidates:
            return word
    return None


class SevenTimeClient:
    """A client for one Seven Time account (one base URL and client secret)."""

    def __init__(
        self,
        base_url: str,
        client_secret: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 8.0,
        total_timeout: float = 15.0,
        retries: int = 2,
        time_budget: float = 10.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: BaseAdapter | None = None,
        limiter: ratelimit.Limiter | None = None,
    ):
        self.base_url = base_url.rstrip("/") + "/"
        self._secret = client_secret
        self.timeout = (connect_timeout, read_timeout)
        # The read timeout bounds each read, so an answer that trickles in (a byte every
        # 2 s) never trips it: this bounds the whole answer, from the request on.
        self.total_timeout = total_timeout
        self.clock = clock
        self.retries = retries
        self.time_budget = time_budget
        #: Asked before every request (retries included); told of every 429. The
        #: default spaces nothing but makes this client's calls wait out a 429.
        self.limiter = limiter if limiter is not None else ratelimit.LocalLimiter()
        self.session = session or requests.Session()
        retry = GetRetry(
            total=retries,
            connect=retries,
            read=False,  # a slow API does not get faster by asking again: raise at once
            status=retries,
            other=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=(502, 503, 504),  # 429: see _request
            backoff_factor=0.25,
            backoff_max=2.0,
            raise_on_status=False,
            respect_retry_after_header=True,
            time_budget=time_budget,
            limiter=self.limiter,
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"Accept": "application/json", "User-Agent": "seventime-dashboard/0.1"})
        if session is None:
            # requests reads the proxy and CA-bundle variables (HTTPS_PROXY, NO_PROXY,
            # REQUESTS_CA_BUNDLE...) again on every request, walking the whole
            # environment (~0.3 ms a call, eight calls for a search). They do not change
            # while we run, and every call goes to the same host: read them once.
            # (No .netrc either: the API authenticates by the Client-Secret header.)
            settings = self.session.merge_environment_settings(self.base_url, {}, None, None, None)
            self.session.proxies.update(settings["proxies"])
            self.session.verify = settings["verify"]
            self.session.trust_env = False
        if transport is not None:
            # An adapter that answers in this process (the sandbox's): plugged in from
            # outside, so this package knows nothing of who answers.
            self.session.mount(self.base_url, transport)
        #: Answered in this process: no network to wait for.
        self.in_process = transport is not None
        self.calls = 0  # upstream requests made, for the benchmark and tests
        self._calls_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SevenTimeClient {self.base_url}>"  # never the secret

    # --- the one place that talks HTTP ---

    def _request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, json: Any = None, lazy: bool = False
    ) -> Any:
        """The decoded answer; with `lazy`, a list answer's values stay JSON text until read (jsontext).

        Every request waits for the rate limiter first. A 429 pauses the key for every
        caller (`limiter.pause`); a GET is then asked again, through the limiter, while
        the time budget lasts (as urllib3 retries other transient answers, see
        GetRetry); a POST never is: the caller gets RateLimited."""
        url = self.base_url + path
        query = {key: _param(value) for key, value in (params or {}).items() if value not in (None, "")}
        priority = ratelimit.current_priority()
        first_429_at = None
        attempt = 0
        while True:
            self.limiter.acquire(priority)
            response, content = self._send(method, url, path, query, json)
            if response.status_code != 429:
                break
            delay = _retry_after(response)
            wait = RATE_LIMITED_PAUSE if delay is None else delay
            self.limiter.pause(wait)
            now = self.clock()
            first_429_at = now if first_429_at is None else first_429_at
            attempt += 1
            if (
                method.upper() != "GET"
                or attempt > self.retries
                or wait > self.time_budget / 2
                or now - first_429_at + wait > self.time_budget
            ):
                break
            logger.info("Seven Time answered 429: %s /%s again in %.1f s", method, path, wait)
        return self._parse(response, content, path, json, lazy)

    def _send(self, method: str, url: str, path: str, query: Mapping[str, str], json: Any):
        """One request (urllib3 may retry it, see GetRetry): the answer and its body."""
        started = self.clock()
        deadline = started + self.total_timeout
        with self._calls_lock:
            self.calls += 1
        try:
            response = self.session.request(
                method,
                url,
                params=query,
                json=json,
                headers={"Client-Secret": self._secret},
                timeout=self.timeout,
                # A redirect would carry the Client-Secret header to whatever host it
                # names (requests only strips Authorization); the API has no reason to redirect.
                allow_redirects=False,
                stream=True,
            )
            # Once it has been read, closing returns the connection to the pool.
            with response:
                content = self._read_body(response, deadline)
        except _Deadline:
            logger.warning("Seven Time sent its answer too slowly: %s /%s", method, path)
            raise Timeout(
                f"Seven Time did not send its whole answer within {self.total_timeout:g} seconds.", path=path
            ) from None
        except requests.exceptions.ConnectTimeout:
            logger.warning("Seven Time connection timed out: %s /%s", method, path)
            raise Timeout(f"Could not connect to Seven Time within {self.timeout[0]:g} seconds.", path=path) from None
        except (requests.exceptions.Timeout, _BodyTimeout):
            logger.warning("Seven Time timed out: %s /%s", method, path)
            raise Timeout(f"Seven Time did not answer within {self.timeout[1]:g} seconds.", path=path) from None
        except requests.exceptions.RequestException as error:
            logger.warning("Seven Time unreachable: %s /%s (%s)", method, path, type(error).__name__)
            raise ConnectionFailed("Could not connect to Seven Time.", path=path) from None
        logger.debug(
            "Seven Time %s /%s -> %s in %.0f ms", method, path, response.status_code, (self.clock() - started) * 1000
        )
        return response, content

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
        """The whole body, read as it arrives (requests alone would read it 10 KB at a
        time: ~50 reads for 100 invoices), or `_Deadline` once the deadline has passed.
        No single read may wait beyond the deadline either."""
        raw = response.raw
        if raw is None:  # the in-process sandbox hands over a body already read
            return response.content
        parts = []
        while True:
            left = deadline - self.clock()
            if left <= 0:
                raise _Deadline
            connection = raw.connection
            if connection is not None and connection.sock is not None:
                connection.sock.settimeout(min(self.timeout[1], left))
            try:
                part = raw.read1(BODY_READ_SIZE, decode_content=True)
            except ReadTimeoutError:
                if self.clock() >= deadline:
                    raise _Deadline from None
                raise _BodyTimeout from None
            except Urllib3Error as error:  # a broken connection, an undecodable body
                raise requests.exceptions.ConnectionError(error) from None
            if not part:
                return b"".join(parts)
            parts.append(part)

    def _parse(self, response: requests.Response, content: bytes, path: str, payload: Any, lazy: bool = False) -> Any:
        status = response.status_code
        try:
            # Money is parsed from the JSON text straight into Decimal, never via float.
            decode = jsontext.decode_list if lazy and 200 <= status < 300 else jsontext.decode
            body = decode(content, response.encoding) if content else None
        except ValueError:
            body = None
            if 200 <= status < 300:
                raise BadResponse("Seven Time sent an answer that is not JSON.", status=status, path=path) from None
        if 200 <= status < 300:
            return body
        message = self._scrub(_error_message(body, response))
        if status in (401, 403):
            raise AuthenticationError(
                f"Seven Time refused the client secret (HTTP {status}): {message}", status=status, path=path
            )
        if status == 404:
            raise NotFound(message or "Not found.", status=status, path=path)
        if status in (400, 409, 422):
            blamed = _guess_field(message, payload if isinstance(payload, Mapping) else None)
            raise ValidationError(message or "Seven Time rejected the request.", field=blamed, status=status, path=path)
        if status == 429:
            raise RateLimited(
                "Seven Time is receiving too many requests; try again shortly.",
                retry_after=_retry_after(response),
                path=path,
            )
        if status >= 500:
            raise ServerError(f"Seven Time had an internal problem (HTTP {status}).", status=status, path=path)
        raise SevenTimeError(f"Seven Time answered with unexpected HTTP {status}.", status=status, path=path)

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _list(self, path: str, record: type[R], params: Mapping[str, Any]) -> Page[R]:
        sort_direction = params.get("sortDirection")
        if sort_direction not in (None, "", *SORT_DIRECTIONS):
            raise ValueError(f"sort_direction must be one of {SORT_DIRECTIONS}")
        body = self._request("GET", path, params=params, lazy=True)
        if not isinstance(body, list):
            raise BadResponse(f"Expected a list of {record.kind} records.", path=path)
        return Page(tuple(self._record(record, doc, path) for doc in body), raw_documents=tuple(body))

    def _get(self, path: str, record_id: str, record: type[R]) -> R:
        if not record_id or not str(record_id).strip():
            raise NotFound(f"No {record.kind} id given.", path=path)
        path = f"{path}/{quote(str(record_id), safe='')}"
        return self._record(record, self._request("GET", path), path)

    def _create(self, path: str, record: type[R], payload: Mapping[str, Any]) -> R:
        return self._record(record, self._request("POST", path, json=dict(payload)), path)

    def _record(self, record: type[R], doc: Any, path: str) -> R:
        try:
            return record.from_api(doc)
        except BadResponse as error:
            raise BadResponse(self._scrub(error.message), path=path) from None

    # --- customers and contact persons ---

    def list_customers(
        self, *, name=None, customer_number=None, organization_number=None, city=None, sort_by=None, sort_direction=None
    ) -> Page[records.Customer]:
        return self._list(
            "customers",
            records.Customer,
            {
                "name": name,
                "customerNumber": customer_number,
                "organizationNumber": organization_number,
                "city": city,
                "sortBy": sort_by,
                "sortDirection": sort_direction,
            },
        )

    def get_customer(self, customer_id: str) -> records.Customer:
        return self._get("customers", customer_id, records.Customer)

    def create_customer(self, payload: Mapping[str, Any]) -> records.Customer:
        return self._create("customers", records.Customer, payload)

    def list_contact_persons(self, *, customer_id, sort_by=None, sort_direction=None) -> Page[records.ContactPerson]:
        if not customer_id:
            raise ValueError("customer_id is required to list contact persons")
        return self._list(
            "contactPersons",
            records.ContactPerson,
            {"customerId": customer_id, "sortBy": sort_by, "sortDirection": sort_direction},
        )

    def get_contact_person(self, contact_person_id: str) -> records.ContactPerson:
        return self._get("contactPersons", contact_person_id, records.ContactPerson)

    # --- users ---

    def list_users(
        self,
        *,
        name=None,
        person_number=None,
        department=None,
        user_role=None,
        is_active=None,
        is_activated=None,
        default_salary_type=None,
        user_skills=None,
        sort_by=None,
        sort_direction=None,
    ) -> Page[records.User]:
        return self._list(
            "users",
            records.User,
            {
                "name": name,
                "personNumber": person_number,
                "department": department,
                "userRole": user_role,
                "isActive": is_active,
                "isActivated": is_activated,
                "defaultSalaryType": default_salary_type,
                "userSkills": user_skills,
                "sortBy": sort_by,
                "sortDirection": sort_direction,
            },
        )

    def get_user(self, user_id: str) -> records.User:
        return self._get("users", user_id, records.User)

    def create_user(self, payload: Mapping[str, Any]) -> records.User:
        return self._create("users", records.User, payload)

    def list_user_roles(self, *, sort_by=None, sort_direction=None) -> Page[records.UserRole]:
        return self._list("userRoles", records.UserRole, _sort(sort_by, sort_direction))

    def list_salary_types(self, *, sort_by=None, sort_direction=None) -> Page[records.SalaryType]:
        return self._list("defaultSalaryTypes", records.SalaryType, _sort(sort_by, sort_direction))

    def list_user_skills(self, *, sort_by=None, sort_direction=None) -> Page[records.UserSkill]:
        return self._list("userSkills", records.UserSkill, _sort(sort_by, sort_direction))

    # --- departments ---

    def list_departments(self, *, sort_by=None, sort_direction=None) -> Page[records.Department]:
        return self._list("departments", records.Department, _sort(sort_by, sort_direction))

    def get_department(self, department_id: str) -> records.Department:
        return self._get("departments", department_id, records.Department)

    # --- projects ---

    def list_projects(self, *, name=None, project_number=None, sort_by=None, sort_direction=None) -> Page[records.Project]:
        return self._list(
            "projects",
            records.Project,
            {"name": name, "projectNumber": project_number, "sortBy": sort_by, "sortDirection": sort_direction},
        )

    def get_project(self, project_id: str) -> records.Project:
        return self._get("projects", project_id, records.Project)

    def create_project(self, payload: Mapping[str, Any]) -> records.Project:
        return self._create("projects", records.Project, payload)

    def list_project_statuses(self, *, sort_by=None, sort_direction=None) -> Page[records.Status]:
        return self._list("projectStatuses", records.Status, _sort(sort_by, sort_direction))

    def list_project_types(self, *, sort_by=None, sort_direction=None) -> Page[records.ProjectType]:
        return self._list("projectTypes", records.ProjectType, _sort(sort_by, sort_direction))

    def list_project_tags(self, *, sort_by=None, sort_direction=None) -> Page[records.Tag]:
        return self._list("projectTags", records.Tag, _sort(sort_by, sort_direction))

    # --- work orders ---

    def list_work_orders(
        self, *, title=None, work_order_number=None, project_id=None, sort_by=None, sort_direction=None
    ) -> Page[records.WorkOrder]:
        return self._list(
            "workOrders",
            records.WorkOrder,
            {
                "title": title,
                "workOrderNumber": work_order_number,
                "projectId": project_id,
                "sortBy": sort_by,
                "sortDirection": sort_direction,
            },
        )

    def get_work_order(self, work_order_id: str) -> records.WorkOrder:
        return self._get("workOrders", work_order_id, records.WorkOrder)

    def create_work_order(self, payload: Mapping[str, Any]) -> records.WorkOrder:
        return self._create("workOrders", records.WorkOrder, payload)

    def list_work_order_types(self, *, sort_by=None, sort_direction=None) -> Page[records.WorkOrderType]:
        return self._list("workOrderTypes", records.WorkOrderType, _sort(sort_by, sort_direction))

    def list_work_order_tags(self, *, sort_by=None, sort_direction=None) -> Page[records.Tag]:
        return self._list("workOrderTags", records.Tag, _sort(sort_by, sort_direction))

    def list_work_order_statuses(self, *, sort_by=None, sort_direction=None) -> Page[records.Status]:
        return self._list("workOrderStatuses", records.Status, _sort(sort_by, sort_direction))

    # --- price lists ---

    def list_price_lists(self, *, sort_by=None, sort_direction=None) -> Page[records.PriceList]:
        # The reference's "HTTP Request" line for price lists says /projects: a
        # copy-paste slip; its curl and JavaScript examples use /priceLists.
        return self._list("priceLists", records.PriceList, _sort(sort_by, sort_direction))

    # --- invoices ---

    def list_invoices(
        self, *, invoice_number=None, ocr_number=None, customer_number=None, sort_by=None, sort_direction=None
    ) -> Page[records.Invoice]:
        return self._list(
            "invoices",
            records.Invoice,
            {
                "invoiceNumber": invoice_number,
                "OCRNumber": ocr_number,
                "customerNumber": customer_number,
                "sortBy": sort_by,
                "sortDirection": sort_direction,
            },
        )

    def get_invoice(self, invoice_id: str) -> records.Invoice:
        # The reference's "HTTP Request" line says /invoice/<_id>; its curl example
        # and every other resource use the plural, which is what we call.
        return self._get("invoices", invoice_id, records.Invoice)

    def create_invoice(self, payload: Mapping[str, Any]) -> records.Invoice:
        return self._create("invoices", records.Invoice, payload)

    def list_invoice_tags(self, *, sort_by=None, sort_direction=None) -> Page[records.Tag]:
        return self._list("invoiceTags", records.Tag, _sort(sort_by, sort_direction))


def _sort(sort_by, sort_direction) -> dict[str, Any]:
    return {"sortBy": sort_by, "sortDirection": sort_direction}


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _BodyTimeout(Exception):
    """The answer began but stopped coming for longer than the read timeout."""


class _Deadline(Exception):
    """The whole answer took longer than the total timeout."""


def _error_message(body: Any, response: requests.Response) -> str:
    if isinstance(body, Mapping):
        message = body.get("errorMessage") or body.get("message") or body.get("error")
        if message:
            return str(message)[:500]
    if isinstance(body, str):
        return body[:500]
    return ""  # e.g. an HTML error page: nothing a user can act on


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return GetRetry().parse_retry_after(value)
    except InvalidHeader:
        return None  # an unreadable Retry-After is no reason to fail
