"""Domain errors. Fronts translate them: HTTP 4xx, a polite Slack reply, a CLI exit code."""


class ClerkError(Exception):
    """Base for every error Clerk reports to a user."""


class PaperError(ClerkError):
    """A paper could not be read or structured; the message is one line naming the reason."""


class ManifestError(ClerkError):
    """The manifest is malformed or names something that cannot be used."""


class StoreLockedError(ClerkError):
    """Another process holds the write lock on the embedded store."""


class StoreError(ClerkError):
    """The vector store is unreachable or inconsistent."""


class BadQuestionError(ClerkError):
    """A question or its filters cannot be answered as asked (empty, too long, bad filter)."""


class AnswerError(ClerkError):
    """The answering backend (for instance the LLM endpoint) failed."""


class EmbedderError(ClerkError):
    """The embedding model cannot be loaded or exported as configured."""
