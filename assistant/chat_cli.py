"""`clerk chat`: questions one after another at a prompt, each follow-up read with the
conversation so far, as the web page and Slack threads do."""

import click
from pydantic import ValidationError

from assistant.errors import ClerkError
from assistant.models import AskRequest, Filters, Turn, TurnCitation
from assistant.settings import get_settings

MAX_TURNS = 20  # AskRequest takes at most 20 earlier turns
MAX_TURN_CHARS = 20_000  # of at most 20,000 characters each
ENDS = ("exit", "quit")


def next_turns(conversation: list[Turn], question: str, answer) -> list[Turn]:
    """The conversation with this question and its answer added, the oldest dropped to fit."""
    cited = [TurnCitation(doc_id=c.doc_id, paragraph=c.paragraph) for c in answer.citations][:20]
    return [*conversation, Turn(role="user", content=question[:MAX_TURN_CHARS]),
            Turn(role="assistant", content=answer.answer[:MAX_TURN_CHARS],
                 citations=cited)][-MAX_TURNS:]


def read_question() -> str | None:
    """The next question typed at the prompt; None at the end of input (Ctrl-D) or exit."""
    try:
        line = input("> ")
    except EOFError:
        click.echo()
        return None
    text = line.strip()
    return None if text.lower() in ENDS else text


@click.command()
@click.option("--server", metavar="URL", help="Ask this running `clerk serve` (its model is "
              "loaded already) [default: CLERK_SERVER]; when it cannot be reached, answer here.")
@click.option("--committee", help="Only papers of committees whose name contains this.")
@click.option("--council", help="Only papers of councils whose name contains this.")
def chat(server: str | None, committee: str | None, council: str | None) -> None:
    """Ask questions one after another. A follow-up ("and who has to report back on it?") is
    read with the conversation so far. Type exit or quit, or press Ctrl-D, to stop."""
    from assistant.cli import print_answer
    from assistant.remote import make_asker

    try:
        import readline  # noqa: F401 - line editing and history at the prompt, where there is one
    except ImportError:
        pass
    settings = get_settings()
    filters = Filters(committee=committee, council=council)
    try:
        ask = make_asker(settings, server, lambda line: click.echo(line, err=True))
    except ClerkError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Ask about the committee papers. Follow-ups use the conversation; "
               "type exit (or press Ctrl-D) to stop.", err=True)
    conversation: list[Turn] = []
    while (question := read_question()) is not None:
        if not question:
            continue
        try:
            answer = ask(AskRequest(question=question, filters=filters,
                                    conversation=conversation))
        except ValidationError as exc:
            click.echo("Error: " + "; ".join(e["msg"].removeprefix("Value error, ")
                                             for e in exc.errors()), err=True)
            continue
        except ClerkError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        print_answer(answer)
        click.echo()
        conversation = next_turns(conversation, question, answer)
