"""The command line: a thin front over ingest and the answering service."""

import json
import sys
from pathlib import Path

import click

from assistant.errors import ClerkError
from assistant.settings import get_settings


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(package_name="committee-clerk")
def cli() -> None:
    """Clerk answers questions about council committee papers, citing meeting and paragraph."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--manifest", type=click.Path(path_type=Path), help="YAML or CSV: file, council, "
              "committee, meeting_date, doc_type, title, url (default: manifest.yaml in a folder)")
@click.option("--prune", is_flag=True, help="Remove indexed papers no longer among PATHS.")
def ingest(paths: tuple[Path, ...], manifest: Path | None, prune: bool) -> None:
    """Add or update papers (.txt .md .html .pdf .docx); unchanged files cost nothing."""
    from assistant.embedder import make_embedder
    from ingest.pipeline import run_ingest

    settings = get_settings()
    try:
        report = run_ingest(list(paths), settings,
                            lambda: make_embedder(settings),
                            manifest=manifest, prune=prune)
    except ClerkError as exc:
        _fail(exc)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def papers(as_json: bool) -> None:
    """List the indexed papers: paper, council, committee, date, paragraph count."""
    from assistant.store import Store

    try:
        records = Store(get_settings()).paper_records()
    except ClerkError as exc:
        _fail(exc)
    rows = sorted(records.values(), key=lambda r: (r.get("meeting_date") or "", r["doc_id"]))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No papers indexed yet: run `clerk ingest PATH`.")
        return
    header = ("paper", "council", "committee", "date", "paragraphs")
    table = [header] + [(r["doc_id"], r.get("council") or "-", r.get("committee") or "-",
                         r.get("meeting_date") or "not printed", str(r.get("paragraphs", 0)))
                        for r in rows]
    widths = [min(max(len(row[i]) for row in table), 70) for i in range(len(header))]
    for row in table:
        click.echo("  ".join(cell[:70].ljust(w) for cell, w in zip(row, widths)).rstrip())


def _filters(committee, council, date_from, date_to, doc_type):
    from assistant.models import Filters

    return Filters(committee=committee, council=council, date_from=date_from, date_to=date_to,
                   doc_type=doc_type)


def print_answer(answer) -> None:
    """An answer for a person to read: the text, then where each [n] comes from."""
    click.echo(answer.answer)
    if answer.citations:
        click.echo()
    for c in answer.citations:
        where = ", ".join(x for x in (c.committee or c.council, c.meeting_date or "date not printed")
                          if x)
        click.echo(f"[{c.ref}] {c.title or c.doc_id} ({where}), paragraph {c.paragraph}")
        click.echo(f"    \"{c.quote}\"")
        click.echo(f"    {c.url or c.doc_id}")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.option("--committee", help="Only papers of committees whose name contains this.")
@click.option("--council", help="Only papers of councils whose name contains this.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or before.")
@click.option("--doc-type", help="minutes, report, ...")
def ask(question, as_json, committee, council, date_from, date_to, doc_type) -> None:
    """Answer QUESTION from the indexed papers, citing meeting and paragraph."""
    from pydantic import ValidationError

    from assistant.models import AskRequest
    from assistant.service import ClerkService

    try:
        request = AskRequest(question=question, filters=_filters(
            committee, council, date_from and date_from.date(), date_to and date_to.date(),
            doc_type))
        answer = ClerkService(get_settings()).ask(request)
    except ValidationError as exc:
        raise click.BadParameter("; ".join(e["msg"].removeprefix("Value error, ")
                                           for e in exc.errors())) from exc
    except ClerkError as exc:
        _fail(exc)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="API processes (more than one needs a Chroma server, CLERK_CHROMA_URL).")
@click.option("--limit-concurrency", type=click.IntRange(1),
              help="Answer 503 beyond this many connections and requests at once (per worker).")
@click.option("--timeout-keep-alive", default=5, show_default=True, type=click.IntRange(1),
              help="Seconds an idle keep-alive connection stays open.")
def serve(host: str, port: int, workers: int, limit_concurrency: int | None,
          timeout_keep_alive: int) -> None:
    """Run the HTTP API (and the Slack events endpoint when Slack is configured)."""
    import uvicorn

    from assistant.api import create_app, open_service

    settings = get_settings()
    limits = {"host": host, "port": port, "log_level": "info",
              "limit_concurrency": limit_concurrency, "timeout_keep_alive": timeout_keep_alive}
    if workers > 1:
        if not settings.chroma_url:
            raise click.BadParameter("more than one worker needs a Chroma server (set "
                                     "CLERK_CHROMA_URL): an embedded store takes one process",
                                     param_hint="--workers")
        uvicorn.run("assistant.cli:worker_app", factory=True, workers=workers, **limits)
        return
    try:  # before the server starts, so that a bad model or store is one line, not a traceback
        service = open_service(settings)
    except ClerkError as exc:
        _fail(exc)
    uvicorn.run(create_app(settings, service), **limits)


def worker_app():
    """The app of one `clerk serve --workers N` process (each opens its own service)."""
    from assistant.api import create_app

    return create_app(get_settings())


@cli.command("export-onnx")
def export_onnx() -> None:
    """Export the embedding model for CLERK_EMBED_BACKEND=onnx and onnx-int8 (float32 and int8)
    into CLERK_ONNX_CACHE_DIR now, so that servers start without exporting it."""
    from assistant.embedder import make_embedder

    settings = get_settings()
    try:
        for backend in ("onnx", "onnx-int8"):
            click.echo(make_embedder(settings.model_copy(update={"embed_backend": backend})).path)
    except ClerkError as exc:
        _fail(exc)


@cli.command()
@click.option("--q", "q", help="Words the record must all contain.")
@click.option("--committee", help="Only committees whose name contains this.")
@click.option("--owner", help="Only records whose owner contains this.")
@click.option("--kind", type=click.Choice(["resolution", "recommendation", "action",
                                          "further_information"]))
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]),
              help="Meetings on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or before.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
def resolutions(q, committee, owner, kind, date_from, date_to, as_json) -> None:
    """List what committees resolved, recommended or asked for, with owner, due date and
    follow-through."""
    from assistant.models import RegisterQuery, RegisterResponse
    from assistant.register import Register, filter_records
    from assistant.store import Store

    settings = get_settings()
    query = RegisterQuery(q=q, committee=committee, owner=owner, kind=kind,
                          date_from=date_from and date_from.date(),
                          date_to=date_to and date_to.date())
    try:
        records = filter_records(Register(Store(settings), settings.public_url or "").records(),
                                 query)
    except ClerkError as exc:
        _fail(exc)
    if as_json:
        click.echo(RegisterResponse(records=records, count=len(records)).model_dump_json(indent=2))
        return
    if not records:
        click.echo("No records match.")
    for r in records:
        where = f"{r.committee or r.council or '-'}, {r.meeting_date or 'date not printed'}"
        click.echo(f"{r.kind.replace('_', ' ')} {r.paragraph} — {r.title or r.doc_id} ({where})")
        click.echo(f"    Owner: {r.owner or 'not named'}")
        click.echo(f"    Due: {r.due or 'not printed'}")
        click.echo(f"    \"{r.text}\"")
        if r.context and r.context != r.text:
            click.echo(f"    In: \"{r.context}\"")
        click.echo(f"    Follow-through: {r.follow_through.summary}")
        click.echo()
    click.echo(f"{len(records)} record{'s' if len(records) != 1 else ''}")


def _register() -> None:
    from assistant.feedback import feedback_group
    from assistant.slack import slack_command
    from eval.cli import eval_command

    cli.add_command(eval_command, "eval")
    cli.add_command(slack_command)
    cli.add_command(feedback_group)


_register()


def main() -> None:
    cli(prog_name="clerk")


if __name__ == "__main__":
    main()
