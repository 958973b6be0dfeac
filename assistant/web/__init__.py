"""The asking page served at / (plain HTML, CSS and JavaScript; no build step)."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"

# The page loads nothing but its own files and talks only to its own server; no inline script
# or style is allowed, so text from a paper can never run as code even if it slipped into markup.
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def mount_web(app: FastAPI) -> None:
    """Serve the page at / and its assets under /static."""

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": _CSP,
                                     "Cache-Control": "no-cache",
                                     "X-Content-Type-Options": "nosniff",
                                     "Referrer-Policy": "same-origin"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
