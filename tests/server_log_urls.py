"""The project's URLs plus one view that fails, for tests/test_logs.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ombuds.urls import urlpatterns as project_urlpatterns


@csrf_exempt
def failing_view(request: HttpRequest, word: str) -> HttpResponse:
    """Fails the way real code does: a lookup keyed by what the client sent."""
    sent = request.POST.get("account", "")
    try:
        return HttpResponse({}[sent])
    except KeyError as exc:
        raise ValueError(f"could not file {sent!r}") from exc


urlpatterns = [path("failing/<str:word>/", failing_view, name="failing"), *project_urlpatterns]
