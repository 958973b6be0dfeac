"""`clerk sync moderngov BASE_URL`: keep the archive current from a council's ModernGov site,
once or on a schedule (`--every 24h`)."""

import re
import sys
import time

import click

from assistant.errors import ClerkError
from assistant.settings import get_settings

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """A duration such as `24h`, `30m`, `1d`, `1h30m` or `90s`, in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([smhd])", text.strip().lower())
    if not parts or re.sub(r"[\d.\s]+[smhd]", "", text.strip().lower()):
        raise click.BadParameter(f"{text!r} is not a duration such as 24h, 30m or 1d")
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise click.BadParameter("the interval must be longer than nothing")
    return seconds


@click.group("sync")
def sync_group() -> None:
    """Keep the archive current from a council's papers system."""


@sync_group.command("moderngov")
@click.argument("base_url")
@click.option("--committee", "committees", multiple=True, type=int, metavar="ID",
              help="A committee's id (from GetCommittees); repeat for more. Default: every "
                   "committee neither deleted nor expired.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Meetings on or after this date (default: a year ago).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Meetings on or before this date (default: 90 days ahead).")
@click.option("--council", help="The council's name, recorded with every paper (the web "
                                "service does not give it).")
@click.option("--every", help="Sync again every DURATION (24h, 12h, 30m, 1d) until stopped.")
@click.option("--runs", type=click.IntRange(min=1), help="With --every: stop after this many.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between requests to the site.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for an answer.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Tries after a timeout, a dropped connection or a 429/5xx, backing off.")
def moderngov(base_url, committees, since, until, council, every, runs, delay, timeout,
              retries) -> None:
    """Fetch BASE_URL's meetings and papers from ModernGov's web service (mgWebService.asmx)
    and ingest them: only what changed is downloaded; papers of meetings no longer listed are
    removed."""
    from assistant.alerts import announce_after_ingest
    from assistant.embedder import make_embedder
    from ingest.moderngov import Fetcher
    from ingest.sync import SyncOptions, sync_moderngov

    if not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("give the site's address with http:// or https://, e.g. "
                                 "https://democracy.example.gov.uk", param_hint="BASE_URL")
    interval = parse_every(every) if every else None
    settings = get_settings()
    options = SyncOptions(tuple(committees), since and since.date(), until and until.date(),
                          council)
    embedder = None

    def embed():
        nonlocal embedder
        embedder = embedder or make_embedder(settings)
        return embedder

    def echo(line: str) -> None:
        click.echo(line, err=True)

    done = 0
    while True:
        started = time.monotonic()
        ok = True
        try:
            report = sync_moderngov(base_url, settings, embed, options,
                                    Fetcher(delay=delay, retries=retries, timeout=timeout),
                                    warn=echo)
        except ClerkError as exc:
            if interval is None:
                raise click.ClickException(str(exc)) from exc
            echo(f"sync failed: {exc}")
            ok = False
        else:
            click.echo(report.summary())
            if report.ingest:
                click.echo(report.ingest.summary())
                if report.ingest.added or report.ingest.updated:
                    announce_after_ingest(settings, echo)
            ok = not report.failures and not (report.ingest and report.ingest.failed)
        done += 1
        if interval is None:
            sys.exit(0 if ok else 1)
        if runs and done >= runs:
            return
        time.sleep(max(0.0, started + interval - time.monotonic()))
