"""The asking page served at / (plain HTML, CSS and JavaScript; no build step)."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from assistant.models import RegisterQuery

STATIC = Path(__file__).resolve().parent / "static"

# The page loads nothing but its own files and talks only to its own server; no inline script
# or style is allowed, so text from a paper can never run as code even if it slipped into markup.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


_HEADERS = {"Content-Security-Policy": _CSP, "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def mount_web(app: FastAPI) -> None:
    """Serve the asking page at /, the register page at /register, and their assets under
    /static. The pages hold no papers' text: they fetch it with the API key the user gives."""

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=_HEADERS)

    @app.get("/register", include_in_schema=False)
    def register_page(request: Request) -> FileResponse:
        # the filters in the address are /resolutions' own: a malformed one gets its 422 here
        filters = {k: v for k, v in request.query_params.items() if v.strip()}
        try:
            RegisterQuery.model_validate(filters)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("query", *e["loc"])}
                                          for e in exc.errors()]) from None
        return FileResponse(STATIC / "register.html", media_type="text/html", headers=_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
