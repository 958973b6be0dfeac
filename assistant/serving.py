"""`clerk serve`'s server: uvicorn with a timeout on slow request headers (uvicorn times out
only idle keep-alive connections, so a client that sends its headers a byte at a time, a
"slow loris", would hold its connection for ever), JSON-lines logs, and the app built per worker.
"""

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from assistant.settings import get_settings

log = logging.getLogger("clerk.http")

_408_BODY = b'{"detail": "the request headers did not arrive in time"}'
_408 = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        b"connection: close\r\ncontent-length: " + str(len(_408_BODY)).encode() + b"\r\n\r\n"
        + _408_BODY)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """Closes a connection whose request headers have not all arrived within
    CLERK_HEADER_TIMEOUT_S of its opening (or of the first byte of its next request)."""

    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered: not this timer's business
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
        log.warning("closed a connection whose request headers did not arrive within %g s",
                    self.header_timeout, extra={"client": client, "why": "slow_client"})
        self.transport.write(_408)
        self.transport.close()


def protocol_class(header_timeout: float) -> type:
    """The protocol with this timeout (a subclass, so that workers import it by name)."""
    HeaderTimeoutProtocol.header_timeout = header_timeout
    return HeaderTimeoutProtocol


def app_from_env():
    """The app as each worker builds it (``--workers`` > 1): settings from the environment."""
    from assistant.api import create_app
    from assistant.logs import configure

    settings = get_settings()
    configure(settings.log_format, settings.log_level)
    HeaderTimeoutProtocol.header_timeout = settings.header_timeout_s
    return create_app(settings)
