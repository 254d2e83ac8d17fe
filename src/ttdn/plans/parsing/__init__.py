"""Plan-document parser behind ``ttdn plan parse`` and the web upload (pure Python, no Django).

Public API: :func:`parse_file`, :func:`parse_text`, :func:`extract_text`,
:func:`detect_and_decode` and the :class:`DocumentError` family, whose ``message`` is a one-line
Vietnamese explanation for the person who uploaded the file.
"""

from __future__ import annotations

from .encodings import detect_and_decode
from .errors import (
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    OcrUnavailable,
    SecretDocumentError,
    UnreadableDocument,
    UnsupportedFormat,
)
from .extract import extract_text
from .pipeline import parse_file, parse_text

__all__ = [
    "DocumentError",
    "DocumentTooLarge",
    "EmptyDocument",
    "EncryptedDocument",
    "OcrUnavailable",
    "SecretDocumentError",
    "UnreadableDocument",
    "UnsupportedFormat",
    "detect_and_decode",
    "extract_text",
    "parse_file",
    "parse_text",
]
