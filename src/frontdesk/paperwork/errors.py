"""The errors printing can raise; their message is meant for the person at the desk.

They do not derive from ``frontdesk.services.errors`` on purpose: the paperwork package
stands alone (no service or model import), and a screen can catch ``PaperworkError``.
"""

from __future__ import annotations


class PaperworkError(Exception):
    """Base of every error the paperwork package raises on purpose."""


class DocumentRefused(PaperworkError, ValueError):
    """The document must not be printed in this state (a gate pass for an unpaid order)."""


class PrintError(PaperworkError, RuntimeError):
    """Sending a PDF to the printer failed: ``lp`` is missing, refused the job or hung."""
