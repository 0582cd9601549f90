from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import api


@csrf_exempt
@login_not_required
def endpoint(request, path: str):
    """The sandbox API over HTTP, for curl and for the benchmark."""
    answer = api.handle(request.method, path, request.GET.dict(), request.headers, request.body)
    status, headers, content = answer.encode()
    response = HttpResponse(content, status=status, content_type=headers.pop("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    return response
