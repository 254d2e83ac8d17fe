"""The failures of the collection layer, each with a stable code and a plain-words message.

Every failure the fetch layer reports is a :class:`FetchError`. ``code`` is a short slug the
pipeline stores and groups by (it never changes with the language); ``message`` is one
sentence an officer understands, already translated into the active language when the
error was raised.
"""

from __future__ import annotations

from typing import ClassVar


class FetchError(Exception):
    """A source could not be collected; ``code`` says why, ``message`` says it in plain words."""

    default_code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        url: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: str = code or self.default_code
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return self.message


class FetchTimeout(FetchError):
    default_code = "timeout"


class BadStatus(FetchError):
    """The server answered with an error status (``status``), or redirected too often."""

    default_code = "http_error"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        url: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class TooLarge(FetchError):
    default_code = "too_large"


class UnsafeURLError(FetchError):
    """The address is not one the monitor may fetch (scheme, credentials, private network)."""

    default_code = "unsafe_url"


class RobotsDisallowed(FetchError):
    default_code = "robots"


class MalformedContent(FetchError):
    default_code = "malformed"


class HostileXML(FetchError):
    default_code = "hostile_xml"


class EncodingError(FetchError):
    default_code = "encoding"


class ConnectionFailed(FetchError):
    """The server could not be reached; ``retryable`` is False when trying again cannot help
    (an invalid certificate, for example)."""

    default_code = "connection"

    def __init__(self, message: str, *, url: str | None = None, retryable: bool = True) -> None:
        super().__init__(message, url=url)
        self.retryable = retryable
