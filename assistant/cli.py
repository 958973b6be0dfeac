"""The command line: a thin front over ingest and the answering service."""

import json
import shutil
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
    from assistant.logs import ensure_cli_logging

    ensure_cli_logging()


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--manifest", type=click.Path(path_type=Path), help="YAML or CSV: file, council, "
              "committee, meeting_date, doc_type, title, url (default: manifest.yaml in a folder)")
@click.option("--prune", is_flag=True, help="Remove indexed papers no longer among PATHS.")
@click.option("--progress/--no-progress", default=None, help="Progress bars on stderr; the "
              "embedding bar stays when done [default: when stderr is a terminal].")
def ingest(paths: tuple[Path, ...], manifest: Path | None, prune: bool,
           progress: bool | None) -> None:
    """Add or update papers (.txt .md .html .pdf .docx); unchanged files cost nothing."""
    from assistant.embedder import make_embedder
    from assistant.progress import EmbeddingProgress
    from ingest.pipeline import run_ingest

    settings = get_settings()
    try:
        with EmbeddingProgress(progress) as bar:
            report = run_ingest(list(paths), settings,
                                lambda: bar.wrap(make_embedder(settings)),
                                manifest=manifest, prune=prune, progress=progress)
    except ClerkError as exc:
        _fail(exc)
    click.echo(report.summary())
    if report.added or report.updated:
        from assistant.alerts import announce_after_ingest

        announce_after_ingest(settings, lambda line: click.echo(line, err=True))
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
    for line in papers_table(rows, shutil.get_terminal_size((100, 24)).columns):
        click.echo(line)


def papers_table(rows: list[dict], width: int = 100) -> list[str]:
    """The papers as a table that fits ``width`` columns: the date and paragraph count whole,
    the paper, council and committee shortened with … where they must be."""
    def cut(text: str, n: int) -> str:
        return text if len(text) <= n else text[:max(n - 1, 0)] + "…"

    table = [(r.get("meeting_date") or "undated", r["doc_id"], r.get("council") or "-",
              r.get("committee") or "-", str(r.get("paragraphs", 0))) for r in rows]
    header = ("date", "paper", "council", "committee", "paras")
    free = max(width - 10 - 5 - 4 * 2, 30)  # the date and count columns and four gaps
    wanted = [max(len(row[i]) for row in [header, *table]) for i in (1, 2, 3)]
    share = [0, 0, 0]
    for i in sorted(range(3), key=lambda i: wanted[i]):  # short columns whole, long ones share
        left = [j for j in range(3) if share[j] == 0]
        share[i] = min(wanted[i], (free - sum(share)) // len(left))
    lines = []
    for row in [header, *table]:
        cells = [row[0].ljust(10), cut(row[1], share[0]).ljust(share[0]),
                 cut(row[2], share[1]).ljust(share[1]), cut(row[3], share[2]).ljust(share[2]),
                 row[4].rjust(5)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _filters(committee, council, date_from, date_to, doc_type):
    from assistant.models import Filters

    return Filters(committee=committee, council=council, date_from=date_from, date_to=date_to,
                   doc_type=doc_type)


def print_answer(answer) -> None:
    """An answer for a person to read: the text, then where each [n] comes from."""
    from assistant.sources import group_sources, refs_label

    click.echo(answer.answer)
    if answer.citations:
        click.echo()
    for source in group_sources(answer.citations):  # a paragraph quoted twice is shown once
        c = source.where
        where = ", ".join(x for x in (c.committee or c.council, c.meeting_date or "date not printed")
                          if x)
        click.echo(f"{refs_label(source.refs)} {c.title or c.doc_id} ({where}), "
                   f"paragraph {c.paragraph}")
        for quote in source.quotes:
            mark = f"{refs_label(quote.refs)} " if len(source.quotes) > 1 else ""
            click.echo(f"    {mark}\"{quote.text}\"")
        click.echo(f"    {c.url or c.doc_id}")
    if answer.abstained and answer.closest:
        click.echo("\nNot an answer; the closest passages were:")
    for c in answer.closest:
        where = ", ".join(x for x in (c.committee or c.council, c.meeting_date or "date not printed")
                          if x)
        click.echo(f"  - {c.title or c.doc_id} ({where}), paragraph {c.paragraph}")
        click.echo(f"    \"{c.quote}\"")
    if answer.suggestions:  # from the cited papers; `clerk chat` asks one typed in
        click.echo("\nAsk next:")
    for suggestion in answer.suggestions:
        click.echo(f"  - {suggestion}")


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON.")
@click.option("--committee", help="Only papers of committees whose name contains this.")
@click.option("--council", help="Only papers of councils whose name contains this.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or after.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Meetings on or before.")
@click.option("--doc-type", help="minutes, report, ...")
@click.option("--server", metavar="URL", help="Ask this running `clerk serve` (its model is "
              "loaded already) [default: CLERK_SERVER]; when it cannot be reached, answer here.")
def ask(question, as_json, committee, council, date_from, date_to, doc_type, server) -> None:
    """Answer QUESTION from the indexed papers, citing meeting and paragraph."""
    from pydantic import ValidationError

    from assistant.models import AskRequest
    from assistant.remote import make_asker

    try:
        request = AskRequest(question=question, filters=_filters(
            committee, council, date_from and date_from.date(), date_to and date_to.date(),
            doc_type))
        answer = make_asker(get_settings(), server,
                            lambda line: click.echo(line, err=True))(request)
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
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes, each with its own "
              "model (~0.7 GB each) [default: CLERK_WORKERS, 1].")
@click.option("--limit-concurrency", type=click.IntRange(1), help="Connections and requests "
              "at once; more get 503 [default: CLERK_LIMIT_CONCURRENCY, 200].")
@click.option("--timeout-keep-alive", type=click.IntRange(1), help="Seconds an idle keep-alive "
              "connection is kept [default: CLERK_TIMEOUT_KEEP_ALIVE_S, 5].")
@click.option("--header-timeout", type=click.FloatRange(0.1), help="Seconds a request's headers "
              "may take to arrive; then 408 and the connection is closed [default: "
              "CLERK_HEADER_TIMEOUT_S, 10].")
@click.option("--body-timeout", type=click.FloatRange(0.1), help="Seconds a request's body may "
              "take to arrive; then 408 [default: CLERK_BODY_TIMEOUT_S, 10].")
@click.option("--forwarded-allow-ips", help="Proxies whose X-Forwarded-For names the client (rate "
              "limits are per client) [default: CLERK_FORWARDED_ALLOW_IPS, 127.0.0.1].")
def serve(host: str, port: int, workers, limit_concurrency, timeout_keep_alive, header_timeout,
          body_timeout, forwarded_allow_ips) -> None:
    """Run the HTTP API (and the Slack events endpoint when Slack is configured)."""
    import os

    import uvicorn

    from assistant.api import create_app, open_service
    from assistant.logs import configure, log_config
    from assistant.serving import protocol_class

    overrides = {"workers": workers, "limit_concurrency": limit_concurrency,
                 "timeout_keep_alive_s": timeout_keep_alive, "header_timeout_s": header_timeout,
                 "body_timeout_s": body_timeout, "forwarded_allow_ips": forwarded_allow_ips}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    settings = get_settings().model_copy(update=overrides)
    for name, value in overrides.items():  # workers read their settings from the environment
        os.environ[f"CLERK_{name.upper()}"] = str(value)
    if settings.workers > 1 and not settings.chroma_url:
        raise click.UsageError("--workers above 1 needs a Chroma server (CLERK_CHROMA_URL): "
                               "the embedded store is for one process")
    configure(settings.log_format, settings.log_level)
    try:  # before the server starts, so that a bad model or store is one line, not a traceback
        service = open_service(settings, warm=False)  # warmed up once the port is open
    except ClerkError as exc:
        _fail(exc)
    options = dict(host=host, port=port, log_config=log_config(settings.log_format,
                                                               settings.log_level),
                   http=protocol_class(settings.header_timeout_s),
                   limit_concurrency=settings.limit_concurrency,
                   timeout_keep_alive=settings.timeout_keep_alive_s,
                   forwarded_allow_ips=settings.forwarded_allow_ips,
                   timeout_graceful_shutdown=10)
    if settings.workers == 1:
        uvicorn.run(create_app(settings, service), **options)
        return
    del service  # each worker opens its own
    import shutil
    import tempfile

    metrics_dir = tempfile.mkdtemp(prefix="clerk-metrics-")  # counters summed over workers
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run("assistant.serving:app_from_env", factory=True, workers=settings.workers,
                    **options)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


@cli.command()
def mcp() -> None:
    """Serve Clerk's tools (ask, search_papers, list_papers, get_paragraph, resolutions) over
    the Model Context Protocol on stdin/stdout, for Claude Desktop and other MCP clients."""
    from assistant.mcp_server import serve_stdio

    try:
        serve_stdio(get_settings())
    except ClerkError as exc:
        _fail(exc)


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
        click.echo(RegisterResponse(records=records, count=len(records),
                                    total=len(records)).model_dump_json(indent=2))
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
    from assistant.chat_cli import chat
    from assistant.feedback import feedback_group
    from assistant.slack import slack_command
    from assistant.sync_cli import sync_group
    from eval.cli import eval_command

    cli.add_command(eval_command, "eval")
    cli.add_command(chat)
    cli.add_command(slack_command)
    cli.add_command(feedback_group)
    cli.add_command(sync_group)


_register()


def main() -> None:
    cli(prog_name="clerk")


if __name__ == "__main__":
    main()
