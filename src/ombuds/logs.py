"""What reaches the server log: errors with their tracebacks, and nothing a client sent.

Threat model property 1: no client address, user agent or anything a client sent is logged.
Yet an unhandled error must leave a trace an operator can act on. The rule here:

* An unhandled exception in a request is logged (logger ``django.request``, level ERROR) as
  ``Unhandled exception in <view name> (status 500)`` followed by its traceback. The view name
  is the URL pattern's name (``intake:complaint``), never the path: paths carry ids and, on a
  bad request, whatever the client typed. Warnings of that logger (404, 400, 403: each with
  the path) are dropped.
* A traceback keeps the frames (file, line, function, source line of *our* code) and each
  exception's *type*, for the whole chain (``__cause__``, ``__context__``), but never an
  exception's message: ``KeyError('<a name>')``, ``ValueError(<what was typed>)`` and
  ``IntegrityError(<row values>)`` put client data there. Local variables are never printed.
* gunicorn's own lines (``ombuds serve`` sets :class:`ScrubbedGunicornLogger`): no access log
  at all; a refused bad request is logged as ``Invalid request refused: <gunicorn's fixed
  words for the kind>`` without the address and without the part quoting the request; an
  application error without method or path; debug lines (each request's method and path,
  with ``--log-level debug``) are dropped.

Tested by ``tests/test_logs.py`` and ``tests/staff/test_serve_log.py``.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from gunicorn import glogging


def scrubbed_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions chained to it, with no exception message.

    Each exception is named by its qualified type only; frames keep file, line, function and
    the source line (from the code on disk, never from the client).
    """
    # Outermost first, each with how it followed the one it was raised from.
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = exc
    how = ""
    while current is not None and all(current is not e for e, _ in chain):
        chain.append((current, how))
        if current.__cause__ is not None:
            current, how = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, how = current.__context__, _CONTEXT
        else:
            current = None
    lines: list[str] = []
    # Printed innermost first, as Python does; each outer one is introduced by its link.
    for position, (error, _how) in enumerate(reversed(chain)):
        if position:
            lines.append(chain[len(chain) - position][1])
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(error.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line.strip()}")
        kind = type(error)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message not logged)")
    return "\n".join(lines)


_CAUSE = "\nThe above exception was the direct cause of the following exception:\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n"


class ScrubbedFormatter(logging.Formatter):
    """A formatter whose tracebacks carry no exception message (see the module docstring)."""

    def formatException(self, ei: Any) -> str:
        _kind, error, _tb = ei
        if error is None:
            return ""
        return scrubbed_traceback(error)


class ServerErrorFilter(logging.Filter):
    """For ``django.request``: keep unhandled errors, rewritten; drop everything else.

    Django logs every 4xx and 5xx response there with the request path in the message and the
    request itself attached; only the view's name and the status survive here.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.exc_info:
            return False
        request = getattr(record, "request", None)
        match = getattr(request, "resolver_match", None)
        view = getattr(match, "view_name", None) or "an unknown view"
        status = getattr(record, "status_code", 500)
        record.msg = "Unhandled exception in %s (status %s)"
        record.args = (view, status)
        # Nothing a client sent may reach a handler that prints record attributes.
        record.request = None
        return True


#: The fixed words at the start of gunicorn's error messages ("Request Line is too large",
#: "Invalid HTTP header name"); what follows them quotes the request or the address.
_FIXED_WORDS = re.compile(r"[A-Za-z][A-Za-z \-]{0,60}")


class GunicornScrubFilter(logging.Filter):
    """For gunicorn's error log: no client address, no request line, path or header."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:  # gunicorn's debug lines name each request
            return False
        message = record.getMessage()
        if message.startswith("Invalid request from"):
            _, _, error = message.partition(": ")
            words = _FIXED_WORDS.match(error)
            record.msg = "Invalid request refused: %s"
            record.args = ((words.group(0).strip() if words else "unknown kind"),)
        elif message.startswith("Error handling request"):
            record.msg = "Error handling request"
            record.args = ()
        return True


class ScrubbedGunicornLogger(glogging.Logger):  # type: ignore[misc] # gunicorn is untyped
    """gunicorn's logger for ``ombuds serve``: no access log, scrubbed error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, GunicornScrubFilter) for f in log.filters):
                log.addFilter(GunicornScrubFilter())
        for handler in self.error_log.handlers:
            handler.setFormatter(ScrubbedFormatter(self.error_fmt, self.datefmt))

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """No access log: each line would name a client and what it asked for."""
        return
