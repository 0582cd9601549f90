import logging
import socket

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import api, faults

logger = logging.getLogger("seventime.sandbox")


@csrf_exempt
@login_not_required
def endpoint(request, path: str):
    """The sandbox API over HTTP, for curl and for the benchmark."""
    try:
        answer = api.handle(request.method, path, request.GET.dict(), request.headers, request.body)
    except faults.Down:
        return hang_up(request)
    status, headers, content = answer.encode()
    response = HttpResponse(content, status=status, content_type=headers.pop("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    return response


def hang_up(request) -> HttpResponse:
    """The `down` fault over HTTP: the connection is closed with no answer, as a
    server that has gone away leaves it (curl: "Empty reply from server"; the
    client: ConnectionFailed). The server's own attempt to send the response
    below then meets a closed socket, which servers take as a client that left.

    Only a server that lets us reach its socket can do that: gunicorn (its
    `gunicorn.socket`) and Django's runserver and live server (through the
    request's input stream). Any other answers 503 with an errorMessage saying so."""
    connection = _socket_of(request.META)
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return HttpResponse(status=503)
    logger.warning("Sandbox fault 'down': this server does not let the sandbox close the connection; answering 503")
    status, headers, content = api.error(503, "Connection refused (sandbox fault: down).").encode()
    return HttpResponse(content, status=status, content_type=headers["Content-Type"])


def _socket_of(meta) -> socket.socket | None:
    """The client's socket under this request, if the WSGI server lets it be found."""
    stream = meta.get("gunicorn.socket") or meta.get("wsgi.input")
    for _ in range(6):
        if isinstance(stream, socket.socket):
            return stream
        if hasattr(stream, "raw"):  # a buffered reader around the socket's SocketIO
            stream = stream.raw
        elif hasattr(stream, "_sock"):  # socket.SocketIO
            stream = stream._sock
        else:  # Django's LimitedStream keeps the read method of the stream it wraps
            stream = getattr(getattr(stream, "_read", None), "__self__", None)
    return None
