"""A minimal Django project in one module, written the way the Django integration page tells
users to: one instance per upstream service at module level, used from sync and async views,
closed at process exit. ``UPSTREAM_URL`` (an environment variable) is the upstream's base URL."""

from __future__ import annotations

import atexit
import os

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
        ROOT_URLCONF=__name__,
        SECRET_KEY="tests-only",
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
    )
    django.setup()

from django.http import HttpRequest, JsonResponse
from django.urls import path

import axios_python

# upstreams.py in a real project: created once per process, closed when the process exits
billing = axios_python.create({"base_url": os.environ["UPSTREAM_URL"], "timeout": 5})
atexit.register(billing.close)


def invoice(request: HttpRequest, number: int) -> JsonResponse:
    """A sync view: the instance's sync methods."""
    answer = billing.get("/echo", params={"invoice": number})
    return JsonResponse({"view": "sync", "query": answer.data["query"]})


async def invoice_async(request: HttpRequest, number: int) -> JsonResponse:
    """An async view (served by ASGI): the same instance's async methods."""
    answer = await billing.async_get("/echo", params={"invoice": number})
    return JsonResponse({"view": "async", "query": answer.data["query"]})


urlpatterns = [
    path("invoices/<int:number>", invoice),
    path("async/invoices/<int:number>", invoice_async),
]
