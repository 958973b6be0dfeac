"""Clerk's log: JSON lines (one object a line) or plain text, every line carrying the request id
of the request it belongs to; one line per answer; and the warnings of reading libraries (pypdf,
pdfminer, pypdfium2, python-docx, Beautiful Soup) routed into it with the file they were about.
"""

import contextlib
import contextvars
import datetime as dt
import json
import logging
import sys
import warnings
from collections.abc import Iterator

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("clerk_request_id",
                                                                       default=None)
reading_file: contextvars.ContextVar[str | None] = contextvars.ContextVar("clerk_reading_file",
                                                                         default=None)

# what every LogRecord has: anything else on a record was passed in `extra` and is logged
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the request id, any `extra`
    fields, and an exception's type and message (never a multi-line traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": dt.datetime.fromtimestamp(record.created, dt.UTC)
               .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
               "level": record.levelname.lower(), "logger": record.name,
               "message": record.getMessage()}
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            out["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_") \
                    and key not in ("color_message",):
                out[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            exc = record.exc_info[1]
            out["error"] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:500]}"
            if record.levelno >= logging.ERROR:  # where it happened, on the same line
                out["where"] = _where(record.exc_info[2])
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message key=value ...`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None) or request_id.get()
        extras = " ".join(f"{k}={v}" for k, v in vars(record).items()
                          if k not in _STANDARD and not k.startswith("_")
                          and k not in ("request_id", "color_message"))
        line = (f"{self.formatTime(record)} {record.levelname.lower()} {record.name}"
                f"{f' [{rid}]' if rid else ''} {record.getMessage()}")
        if extras:
            line += " " + extras
        if record.exc_info and record.exc_info[0] is not None:
            exc = record.exc_info[1]
            line += f" error={type(exc).__name__}: {' '.join(str(exc).split())[:500]}"
        return line


def _where(tb) -> str:
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    return f"{code.co_filename}:{last.tb_lineno} in {code.co_name}"


def log_config(fmt: str = "json", level: str = "info") -> dict:
    """A logging.config dict for Clerk and uvicorn alike (uvicorn's access log included)."""
    formatter = {"()": f"{__name__}.{'JsonFormatter' if fmt == 'json' else 'TextFormatter'}"}
    level = level.upper()
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"clerk": formatter},
        "handlers": {"clerk": {"class": "logging.StreamHandler", "formatter": "clerk",
                               "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["clerk"], "level": "WARNING"},
        "loggers": {
            "clerk": {"level": level, "handlers": ["clerk"], "propagate": False},
            "uvicorn": {"level": level, "handlers": ["clerk"], "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": level, "handlers": ["clerk"], "propagate": False},
            # Bolt's own chatter: warnings and errors only (Clerk logs what matters once)
            "slack_bolt": {"level": "WARNING"},
            "slack_sdk": {"level": "WARNING"},
            "bm25s": {"level": "WARNING"},
            "chromadb": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
        },
    }


def configure(fmt: str = "json", level: str = "info") -> None:
    import logging.config

    logging.config.dictConfig(log_config(fmt, level))
    logging.captureWarnings(True)


# -- the warnings of reading libraries -------------------------------------------------------

READING_LIBRARIES = ("pypdf", "pdfminer", "pdfplumber", "pypdfium2", "docx", "bs4", "lxml")
_ingest_log = logging.getLogger("clerk.ingest")


class _ToClerk(logging.Handler):
    """A reading library's log record, re-logged by clerk.ingest with the file's name."""

    def emit(self, record: logging.LogRecord) -> None:
        name = reading_file.get()
        try:
            message = " ".join(record.getMessage().split())[:300]
        except Exception:  # noqa: BLE001 - a library's malformed log call
            message = str(record.msg)[:300]
        library = record.name.split(".")[0]
        _ingest_log.log(record.levelno, "%s: %s says: %s", name or "(no file)", library,
                        message, extra={"file": name, "library": record.name.split(".")[0]})


_handler = _ToClerk()


def route_library_logs() -> None:
    """Reading libraries log into clerk.ingest (never straight to stderr with no file name)."""
    for name in READING_LIBRARIES:
        logger = logging.getLogger(name)
        if _handler not in logger.handlers:
            logger.addHandler(_handler)
        logger.propagate = False
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


@contextlib.contextmanager
def reading(name: str) -> Iterator[None]:
    """While a file is read, library warnings (Python warnings and log records) name it."""
    route_library_logs()
    token = reading_file.set(name)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        reading_file.reset(token)
    seen = set()
    for w in caught:
        message = " ".join(str(w.message).split())[:300]
        if message in seen:
            continue
        seen.add(message)
        _ingest_log.warning("%s: %s: %s", name, w.category.__name__, message,
                            extra={"file": name, "warning": w.category.__name__})


def ensure_cli_logging() -> None:
    """A command-line run with no logging set up still shows Clerk's warnings, one line each."""
    clerk = logging.getLogger("clerk")
    if not clerk.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        clerk.addHandler(handler)
        clerk.setLevel(logging.INFO)


# -- one line per answer ---------------------------------------------------------------------

_answer_log = logging.getLogger("clerk.answer")


def log_answer(answer, seconds: float, question: str | None = None, front: str = "api",
               **extra) -> None:
    """One line per answer: latency, abstained and why, how many citations; the question's
    text only when CLERK_LOG_QUESTIONS is set (pass it only then)."""
    fields = {"front": front, "latency_ms": round(seconds * 1000, 1),
              "abstained": answer.abstained, "reason": answer.reason,
              "citations": len(answer.citations), "mode": answer.mode,
              "confidence": round(answer.confidence, 3), **extra}
    if question is not None:
        fields["question"] = question
    _answer_log.info("answer", extra=fields)
