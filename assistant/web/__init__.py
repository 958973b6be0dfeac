"""The asking page served at / (plain HTML, CSS and JavaScript; no build step)."""

from fastapi import FastAPI


def mount_web(app: FastAPI) -> None:
    """Serve the page at / and its assets under /static."""
