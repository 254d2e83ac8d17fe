"""Reading the exports of social-media monitoring tools (CSV and JSON Lines).

Officers export posts and comments from Facebook, Zalo, TikTok and YouTube with whatever
tool they have, so column names vary ("message", "caption", "textDisplay", "Nội dung"…).
Columns are matched by a folded key (lower case, no accents, no punctuation), which
makes "publishedAt", "published_at" and "Published at" the same column.

Rows without text are skipped and counted. A row whose date or link cannot be read is an
error with its row number (spreadsheet numbering: the header is row 1); by default the
whole file is then refused with :class:`SocialImportError` listing the rows, so the officer
fixes the file and imports it again; ``read_social_export(..., strict=False)`` keeps the
good rows instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ttdn.core.text import fold

from .errors import FetchError

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_ROWS = 200_000
MAX_LISTED_ROWS = 20

PLATFORMS = ("facebook", "zalo", "tiktok", "youtube")

_COLUMNS: dict[str, tuple[str, ...]] = {
    "comment_text": (
        "comment",
        "commenttext",
        "commentmessage",
        "textdisplay",
        "textoriginal",
        "binhluan",
        "noidungbinhluan",
    ),
    "text": (
        "message",
        "content",
        "text",
        "caption",
        "description",
        "body",
        "posttext",
        "noidung",
        "mota",
        "fulltext",
        "desc",
    ),
    "title": ("title", "videotitle", "posttitle", "tieude"),
    "published": (
        "createdtime",
        "timestamp",
        "publishedat",
        "date",
        "createtime",
        "createdat",
        "time",
        "datetime",
        "postedat",
        "publishtime",
        "updatedtime",
        "ngaydang",
        "thoigian",
        "ngay",
        "ngaytao",
        "thoigiandang",
    ),
    "url": (
        "permalink",
        "url",
        "link",
        "permalinkurl",
        "videourl",
        "commenturl",
        "weburl",
        "sharelink",
        "lienket",
        "duongdan",
    ),
    "parent": (
        "parent",
        "posturl",
        "parenturl",
        "parentlink",
        "videolink",
        "baiviet",
        "baidang",
        "linkbaiviet",
    ),
    "author": (
        "fromname",
        "author",
        "channel",
        "username",
        "authordisplayname",
        "authorname",
        "channeltitle",
        "user",
        "nickname",
        "uniqueid",
        "pagename",
        "name",
        "tacgia",
        "nguoidang",
        "tentaikhoan",
    ),
    "platform": ("platform", "network", "socialnetwork", "source", "nentang", "mangxahoi"),
    "kind": ("type", "kind", "posttype", "loai"),
    "id": ("commentid", "id", "postid", "videoid", "awemeid", "cid", "messageid"),
}
_HOSTS = {
    "facebook": ("facebook.com", "fb.com", "fb.watch", "fb.me", "messenger.com"),
    "zalo": ("zalo.me", "zalo.vn", "zaloapp.com"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "youtu.be"),
}
_PLATFORM_WORDS = {
    "facebook": ("facebook", "fb"),
    "zalo": ("zalo",),
    "tiktok": ("tiktok", "tik tok"),
    "youtube": ("youtube", "yt"),
}


@dataclass(frozen=True)
class SocialPost:
    platform: str  # "facebook", "zalo", "tiktok", "youtube" or "other"
    kind: str  # "post" or "comment"
    url: str  # the post's own link; for a comment without one, the link of its post
    title: str
    text: str
    author: str | None
    published: dt.datetime | None  # aware, UTC
    external_id: str | None
    parent_url: str | None = None
    row: int = 0


@dataclass(frozen=True)
class SocialRowError:
    row: int
    message: str


@dataclass
class SocialExport:
    posts: list[SocialPost] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # rows without text
    errors: list[SocialRowError] = field(default_factory=list)
    total_rows: int = 0


class SocialImportError(FetchError):
    """The export cannot be imported; ``errors`` lists the faulty rows, if any."""

    default_code = "malformed"

    def __init__(
        self, message: str, *, code: str | None = None, errors: Iterable[SocialRowError] = ()
    ) -> None:
        super().__init__(message, code=code)
        self.errors = list(errors)


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(str(name)))


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    sample = content[:4000]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return content.decode("utf-16-le", errors="replace")
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return content.decode("utf-16-be", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SocialImportError(
            _(
                "The file is not in UTF-8 (it may be in an old Vietnamese encoding such as "
                "TCVN3 or VNI). Open it and save it as UTF-8 (in Excel: Save As → CSV UTF-8), "
                "then import it again."
            ),
            code="encoding",
        ) from None


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in record.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # The delimiter is the one the header line uses most: column names seldom contain one,
    # while csv.Sniffer reads the commas of Vietnamese sentences as a hint.
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise SocialImportError(
            _("The first line of the file (the column names) cannot be read: %(reason)s")
            % {"reason": exc}
        ) from None
    number = 1
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise SocialImportError(
                _("Row %(row)s cannot be read (a quotation mark is probably not closed).")
                % {"row": number},
                errors=[SocialRowError(number, _("This row cannot be read."))],
            ) from None
        if not any(v.strip() for v in values):
            continue
        yield number, dict(zip(header, values, strict=False))


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            records = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise SocialImportError(
                _("The JSON file is damaged near line %(line)s.") % {"line": exc.lineno}
            ) from None
        for index, record in enumerate(records, start=1):
            if isinstance(record, Mapping):
                yield index, _flatten(record)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, Mapping):
            raise SocialImportError(
                _("Line %(row)s is not a JSON object.") % {"row": number},
                errors=[SocialRowError(number, _("This line is not a JSON object."))],
            )
        yield number, _flatten(record)


def _columns(names: Iterable[str]) -> dict[str, str]:
    """Our field → the file's column, the first alias present winning."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(_key(name), name)
    for name in names:
        # Nested JSON ("snippet.topLevelComment.snippet.textDisplay") by its last part.
        by_key.setdefault(_key(name.rsplit(".", 1)[-1]), name)
    found: dict[str, str] = {}
    for target, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in by_key and by_key[alias] not in found.values():
                found[target] = by_key[alias]
                break
    return found


def _value(row: Mapping[str, Any], column: str | None) -> str:
    if column is None:
        return ""
    value = row.get(column)
    if value is None:
        return ""
    return str(value).strip()


def parse_timestamp(value: str, *, naive_tz: dt.tzinfo = VIETNAM) -> dt.datetime:
    """A Unix timestamp (seconds or milliseconds) or a written date, as aware UTC.

    A date without a time zone is read in ``naive_tz`` (Vietnam time by default: the
    tools export in the officer's local time). Day-first order ("05/07/2025" is 5 July).
    """
    text = value.strip()
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        number = float(text)
        if number > 1e11:
            number /= 1000
        return dt.datetime.fromtimestamp(number, tz=dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(text, dayfirst=True)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_tz)
    return parsed.astimezone(dt.UTC)


def _platform(*, column: str, urls: Iterable[str], filename: str) -> str:
    folded = fold(column)
    for platform, words in _PLATFORM_WORDS.items():
        if folded in words or any(folded.startswith(w) for w in words if len(w) > 2):
            return platform
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        for platform, hosts in _HOSTS.items():
            if any(host == h or host.endswith("." + h) for h in hosts):
                return platform
    name = fold(filename)
    for platform, words in _PLATFORM_WORDS.items():
        if any(re.search(rf"(^|[^a-z]){re.escape(w)}($|[^a-z])", name) for w in words):
            return platform
    return "other"


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def read_social_export(
    content: bytes, filename: str, *, strict: bool = True, naive_tz: dt.tzinfo = VIETNAM
) -> SocialExport:
    """Read an export; see the module docstring for what is skipped and what is an error."""
    if not content.strip():
        raise SocialImportError(_("The file is empty."))
    text = _decode(content)
    name = filename.lower()
    looks_json = text.lstrip().startswith(("{", "["))
    if name.endswith((".jsonl", ".ndjson", ".json")) or looks_json:
        rows = _json_rows(text)
    elif name.endswith((".csv", ".tsv", ".txt")) or not name:
        rows = _csv_rows(text)
    else:
        raise SocialImportError(
            _("Only CSV and JSON Lines exports can be imported (files ending in .csv or .jsonl).")
        )

    export = SocialExport()
    columns: dict[str, str] = {}
    keys: tuple[str, ...] = ()
    has_text_column = False
    for number, row in rows:
        export.total_rows += 1
        if export.total_rows > MAX_ROWS:
            raise SocialImportError(
                _("The file has more than %(count)s rows; split it into smaller files.")
                % {"count": MAX_ROWS}
            )
        if tuple(row) != keys:  # once for a CSV file; per shape of record for JSON
            keys = tuple(row)
            columns = _columns(keys)
        if "comment_text" in columns or "text" in columns:
            has_text_column = True
        post = _row_to_post(row, number, columns, filename, naive_tz, export)
        if post is not None:
            export.posts.append(post)
    if export.total_rows and not has_text_column:
        raise SocialImportError(
            _(
                "No column with the text of the posts was found. Expected a column such as "
                "“message”, “content”, “text”, “caption” or “comment”."
            )
        )

    if strict and export.errors:
        listed = ", ".join(str(e.row) for e in export.errors[:MAX_LISTED_ROWS])
        if len(export.errors) > MAX_LISTED_ROWS:
            listed += ", …"
        raise SocialImportError(
            ngettext(
                "%(count)s row could not be read (row %(rows)s). Correct it and import "
                "the file again.",
                "%(count)s rows could not be read (rows %(rows)s). Correct them and import "
                "the file again.",
                len(export.errors),
            )
            % {"count": len(export.errors), "rows": listed},
            errors=export.errors,
        )
    return export


def _row_to_post(
    row: Mapping[str, Any],
    number: int,
    columns: Mapping[str, str],
    filename: str,
    naive_tz: dt.tzinfo,
    export: SocialExport,
) -> SocialPost | None:
    comment_text = _value(row, columns.get("comment_text"))
    body = comment_text or _value(row, columns.get("text"))
    title = _value(row, columns.get("title"))
    kind_value = fold(_value(row, columns.get("kind")))
    parent = _value(row, columns.get("parent"))
    if kind_value:
        is_comment = "comment" in kind_value or "binh luan" in kind_value or "reply" in kind_value
    else:
        # A "parent" column, or a post link next to the row's own link, marks a comment.
        parent_named = _key(columns.get("parent", "")).startswith("parent")
        has_own_url = bool(_value(row, columns.get("url")))
        is_comment = bool(comment_text) or bool(parent and (parent_named or has_own_url))
    if not body:
        export.skipped_rows.append(number)
        return None

    problems: list[str] = []
    url = _value(row, columns.get("url"))
    if url and not _is_url(url):
        problems.append(_("the link “%(value)s” is not a web address") % {"value": url[:80]})
        url = ""
    parent_url = parent if parent and _is_url(parent) else None
    if not is_comment and not url and parent_url:
        url, parent_url = parent_url, None
    published = None
    raw_date = _value(row, columns.get("published"))
    if raw_date:
        try:
            published = parse_timestamp(raw_date, naive_tz=naive_tz)
        except (ValueError, OverflowError, OSError):
            problems.append(_("the date “%(value)s” cannot be read") % {"value": raw_date[:40]})
    if problems:
        export.errors.append(SocialRowError(number, "; ".join(problems)))
        return None

    platform = _platform(
        column=_value(row, columns.get("platform")),
        urls=[u for u in (url, parent_url) if u],
        filename=filename,
    )
    return SocialPost(
        platform=platform,
        kind="comment" if is_comment else "post",
        url=url or parent_url or "",
        title=title,
        text=body,
        author=_value(row, columns.get("author")) or None,
        published=published,
        external_id=_value(row, columns.get("id")) or None,
        parent_url=parent_url if is_comment else None,
        row=number,
    )


def parse_social_export(content: bytes, filename: str) -> list[SocialPost]:
    """The posts and comments of an export; raises :class:`SocialImportError` on bad rows."""
    return read_social_export(content, filename).posts
