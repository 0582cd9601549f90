"""A requests transport adapter that answers the client's requests from the
sandbox in-process, with no socket. The dashboard then works on any port and
under any WSGI server, a single synchronous worker included (a worker calling
itself over HTTP would wait for itself forever)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from . import api, faults

PREFIX = "/sandbox/api/1/"


class SandboxAdapter(BaseAdapter):
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        path = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else url.path
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        try:
            with faults.waiting_at_most(_read_timeout(timeout)):
                answer = api.handle(request.method, path, dict(parse_qsl(url.query)), request.headers, body)
        except faults.Down as down:
            # What requests raises when the server refuses the connection.
            raise requests.exceptions.ConnectionError(str(down), request=request) from None
        except faults.TooSlow as slow:
            # What requests raises when the answer does not come within the read timeout.
            raise requests.exceptions.ReadTimeout(str(slow), request=request) from None
        status, headers, content = answer.encode()
        response = requests.Response()
        response.status_code = status
        response.reason = "OK" if status < 400 else "Error"
        response.headers = CaseInsensitiveDict(headers)
        # Already read, as requests marks a body it has read (streamed or not).
        response._content = content
        response._content_consumed = True
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def _read_timeout(timeout) -> float | None:
    """The seconds requests would wait for an answer: `timeout` is (connect, read), one number or None."""
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if isinstance(timeout, int | float) else None
