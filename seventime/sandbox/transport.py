"""A requests transport adapter that answers the client's requests from the
sandbox in-process, with no socket. The dashboard then works on any port and
under any WSGI server, a single synchronous worker included (a worker calling
itself over HTTP would wait for itself forever)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from . import api

PREFIX = "/sandbox/api/1/"


class SandboxAdapter(BaseAdapter):
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        path = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else url.path
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = api.handle(request.method, path, dict(parse_qsl(url.query)), request.headers, body)
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
