"""Clerk: question answering over council committee papers, with paragraph citations."""

__version__ = "0.1.0"
