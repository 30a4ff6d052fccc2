"""Uploaded files: what each upload may be, checked by content and not by name; how big; the name it is kept under.

A file's type is read from its first bytes and, for zip containers, from its member list: PDF (``%PDF-``), JPEG,
PNG, OFD (a zip with ``OFD.xml`` at its root, GB/T 33190), DOCX and XLSX (a zip whose ``[Content_Types].xml``
names the main part; macro-enabled variants are refused), a zipped Shapefile (a zip with a ``.shp``), and text
(no NUL, valid UTF-8 or GB18030): CSV, plain text, or JSON/GeoJSON when it starts with ``{`` or ``[``. The name's
suffix must agree with the content: an ``.exe`` renamed ``.pdf`` is not a PDF. Each type has a size limit
(``UPLOAD_MAX_MB``); every zip is refused as a possible zip bomb, from its central directory alone and before
anything is unpacked, when it declares more than ``ZIP_MAX_UNCOMPRESSED_MB`` in all, a member above
``ZIP_MAX_MEMBER_MB``, a member compressed more than ``ZIP_MAX_RATIO`` times, or more than ``ZIP_MAX_MEMBERS``
members. (Python's ``zipfile``, which openpyxl reads through, never unpacks more than a member declares.)

Stored names keep the uploaded name's readable part (Chinese included) without folders or control characters,
with a random suffix so that two 合同.pdf never meet; files are written and read through Django's storage API
and served only by ``core.generic.files`` after a scope check.
"""

from __future__ import annotations

import codecs
import datetime
import io
import re
import secrets
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024
HEAD_BYTES = 64 * 1024  # how much of a file the text check reads
RATIO_FLOOR = MB  # members smaller than this may be compressed as much as they like (a blank sheet, a logo)


@dataclass(frozen=True)
class FileKind:
    key: str
    label: Any  # lazy: shown in the user's language
    suffixes: tuple[str, ...]  # the first is the usual one
    content_type: str
    limit: str  # the key of its size limit in settings.UPLOAD_MAX_MB


KINDS = {
    kind.key: kind
    for kind in (
        FileKind("pdf", "PDF", (".pdf",), "application/pdf", "pdf"),
        FileKind("jpeg", gettext_lazy("JPEG 图片"), (".jpg", ".jpeg"), "image/jpeg", "image"),
        FileKind("png", gettext_lazy("PNG 图片"), (".png",), "image/png", "image"),
        FileKind("ofd", "OFD", (".ofd",), "application/ofd", "document"),
        FileKind(
            "docx",
            gettext_lazy("Word 文档(docx)"),
            (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "document",
        ),
        FileKind(
            "xlsx",
            gettext_lazy("Excel 表格(xlsx)"),
            (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "spreadsheet",
        ),
        FileKind("csv", "CSV", (".csv",), "text/csv; charset=utf-8", "spreadsheet"),
        FileKind("text", gettext_lazy("纯文本"), (".txt",), "text/plain; charset=utf-8", "text"),
        FileKind("json", "JSON/GeoJSON", (".json", ".geojson"), "application/json", "geo"),
        FileKind("shapefile", gettext_lazy("Shapefile 压缩包(zip)"), (".zip",), "application/zip", "geo"),
    )
}

# What each upload may be.
PURPOSES = {
    "evidence": ("pdf", "jpeg", "png", "ofd", "docx", "xlsx", "text"),  # stage moves, approval steps
    "table": ("xlsx", "csv"),  # spreadsheet imports
    "geo": ("json", "shapefile"),  # GeoJSON and Shapefile site imports
}

_PNG = b"\x89PNG\r\n\x1a\n"
_XLSX_MAIN = b"spreadsheetml.sheet.main+xml"
_DOCX_MAIN = b"wordprocessingml.document.main+xml"
_TEXT_CONTROLS = {"\t", "\n", "\r", "\x0c", "\x1a"}


class ArchiveError(ValueError):
    """A zip that is refused before it is unpacked (a possible zip bomb, or not a zip); the message is for people."""


def kinds_for_suffixes(suffixes: Any) -> tuple[str, ...]:
    """The kinds an upload may be when its page accepts these suffixes (".xlsx", ".geojson", ".zip" …)."""
    wanted = {s.lower() for s in suffixes}
    return tuple(key for key, kind in KINDS.items() if wanted & set(kind.suffixes))


def kinds_accept(kinds: Any) -> str:
    """The file input's ``accept`` attribute for these kinds."""
    return ",".join(suffix for key in kinds for suffix in KINDS[key].suffixes)


def size_limit(kind: FileKind) -> int:
    return int(settings.UPLOAD_MAX_MB[kind.limit] * MB)


def _megabytes(size: float) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


# --- zip archives ---------------------------------------------------------------------------------------------


def archive_check(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members of a zip whose central directory promises nothing dangerous; ArchiveError otherwise."""
    members = archive.infolist()
    if len(members) > settings.ZIP_MAX_MEMBERS:
        raise ArchiveError(
            _("压缩包里有 %(n)s 个文件,超过上限 %(limit)s 个,已拒绝。")
            % {"n": len(members), "limit": settings.ZIP_MAX_MEMBERS}
        )
    total = sum(info.file_size for info in members)
    if total > settings.ZIP_MAX_UNCOMPRESSED_MB * MB:
        raise ArchiveError(
            _("压缩包解压后有 %(size)s MB,超过上限 %(limit)s MB,可能是“压缩炸弹”,已拒绝。")
            % {"size": _megabytes(total), "limit": settings.ZIP_MAX_UNCOMPRESSED_MB}
        )
    for info in members:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Office files, OFD and shapefiles are deflated; other methods unpack whole chunks at once
            raise ArchiveError(_("压缩包中的“%(name)s”使用了不支持的压缩方式") % {"name": info.filename})
        if info.file_size > settings.ZIP_MAX_MEMBER_MB * MB:
            raise ArchiveError(
                _("压缩包中的“%(name)s”解压后有 %(size)s MB,超过单个文件上限 %(limit)s MB,已拒绝。")
                % {
                    "name": info.filename,
                    "size": _megabytes(info.file_size),
                    "limit": settings.ZIP_MAX_MEMBER_MB,
                }
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > settings.ZIP_MAX_RATIO:
            raise ArchiveError(
                _("压缩包中的“%(name)s”压缩比为 %(ratio)s 倍,超过上限 %(limit)s 倍,可能是“压缩炸弹”,已拒绝。")
                % {"name": info.filename, "ratio": int(ratio), "limit": settings.ZIP_MAX_RATIO}
            )
    return members


def archive_open(source: Any) -> zipfile.ZipFile:
    """A checked zip from bytes or a seekable file; ArchiveError when it is no zip or is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveError(_("不是有效的压缩文件(zip)")) from None
    try:
        archive_check(archive)
    except ArchiveError:
        archive.close()
        raise
    return archive


def archive_member_head(archive: zipfile.ZipFile, name: str, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a member: only that much is unpacked."""
    with archive.open(name) as member:
        return member.read(size)


def _zip_kind(archive: zipfile.ZipFile) -> str | None:
    names = {info.filename for info in archive.infolist()}
    lowered = {name.lower() for name in names}
    if "OFD.xml" in names or "ofd.xml" in lowered:
        return "ofd"
    if "[Content_Types].xml" in names:
        types = archive_member_head(archive, "[Content_Types].xml", MB)
        if any(name.endswith("vbaproject.bin") for name in lowered) or b"macroEnabled" in types:
            return None  # macros: never accepted
        if _XLSX_MAIN in types:
            return "xlsx"
        if _DOCX_MAIN in types:
            return "docx"
        return None
    if any(name.endswith(".shp") for name in lowered):
        return "shapefile"
    return None


# --- content sniffing -----------------------------------------------------------------------------------------


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # incremental: a character cut at the end of the head is not an error
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS for c in text)
    return False


def _read_head(file: Any, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return bytes(head)


def file_sniff(file: Any, suffix: str = "") -> str | None:
    """The kind of a seekable file by its content (``suffix`` only picks among the text kinds); None if unknown.

    ArchiveError when it is a zip that is refused before it is unpacked."""
    head = _read_head(file, HEAD_BYTES)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_PNG):
        return "png"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        file.seek(0)
        archive = archive_open(file)
        try:
            return _zip_kind(archive)
        finally:
            archive.close()
            file.seek(0)
    if head and _is_text(head):
        json_like = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")
        if json_like and suffix in KINDS["json"].suffixes:
            return "json"
        for key in ("csv", "text"):
            if suffix in KINDS[key].suffixes:
                return key
        return "json" if json_like else "text"
    return None


def _labels(kinds: Any) -> str:
    return "、".join(str(KINDS[key].label) for key in kinds)


def upload_check(file: Any, kinds: Any) -> FileKind:
    """An uploaded file (Django's UploadedFile, or a FieldFile holding one) that is one of ``kinds`` by content,
    named with a suffix of its type and within its size limit; ValidationError with a message for people."""
    name = PurePosixPath(str(getattr(file, "name", "") or "").replace("\\", "/")).name
    size = int(getattr(file, "size", 0) or 0)
    if size == 0:
        raise ValidationError(_("文件是空的"), code="empty")
    suffix = PurePosixPath(name).suffix.lower()
    handle = getattr(file, "file", None) or file
    try:
        key = file_sniff(handle, suffix)
    except ArchiveError as error:
        raise ValidationError(str(error), code="archive") from None
    if key is None or key not in kinds:
        raise ValidationError(
            _("“%(name)s”的内容不是允许的文件类型;可以上传:%(kinds)s。更改扩展名不会改变文件类型。")
            % {"name": name, "kinds": _labels(kinds)},
            code="type",
        )
    kind = KINDS[key]
    if suffix not in kind.suffixes:
        raise ValidationError(
            _("“%(name)s”的内容是 %(kind)s,扩展名应为 %(suffix)s。")
            % {"name": name, "kind": kind.label, "suffix": kind.suffixes[0]},
            code="suffix",
        )
    limit = size_limit(kind)
    if size > limit:
        raise ValidationError(
            _("“%(name)s”有 %(size)s MB,超过上限 %(limit)s MB(%(kind)s)。")
            % {"name": name, "size": _megabytes(size), "kind": kind.label, "limit": _megabytes(limit)},
            code="size",
        )
    return kind


@deconstructible
class UploadValidator:
    """The validator of a file field or form field: ``UploadValidator("evidence")`` (see PURPOSES)."""

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose

    def __call__(self, value: Any) -> None:
        if getattr(value, "_committed", False):
            return  # a FieldFile already in storage: it was checked when it came in
        upload_check(value, PURPOSES[self.purpose])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadValidator) and other.purpose == self.purpose


# --- stored names ---------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w-]+")
STEM_CHARS = 40
_RANDOM = re.compile(r"-[0-9a-f]{8}(?=\.[a-z0-9]+$|$)")


def upload_name(filename: str) -> str:
    """A safe stored name for an uploaded file: no folders, no control characters, Chinese kept, random suffix.

    "../../报告 (终稿).PDF" → "报告_终稿-1a2b3c4d.pdf"."""
    base = PurePosixPath(str(filename).replace("\\", "/")).name
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:STEM_CHARS] or "file"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())[:8]
    return f"{stem}-{secrets.token_hex(4)}" + (f".{suffix}" if suffix else "")


def download_name(stored: str) -> str:
    """The name a stored file is saved under by people: its base name without the random suffix."""
    return _RANDOM.sub("", PurePosixPath(stored).name) or PurePosixPath(stored).name


@deconstructible
class UploadTo:
    """A FileField's ``upload_to``: ``UploadTo("evidence/%Y/%m/")`` files "合同.pdf" as "evidence/2025/03/合同-…pdf"."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        now: datetime.datetime = timezone.localtime()
        return now.strftime(self.folder) + upload_name(filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadTo) and other.folder == self.folder


def content_type_for(name: str) -> str:
    """The type a stored file is served as, by its suffix (checked against its content when it came in)."""
    suffix = PurePosixPath(name).suffix.lower()
    for kind in KINDS.values():
        if suffix in kind.suffixes:
            return kind.content_type
    return "application/octet-stream"


# --- files kept between requests (import uploads) -------------------------------------------------------------


def upload_keep(folder: str, filename: str, content: Any) -> str:
    """Store an upload (bytes or a Django File) under a random name in ``folder``; returns its storage name."""
    name = f"{folder}/{uuid.uuid4().hex}{PurePosixPath(str(filename)).suffix.lower()[:9]}"
    return default_storage.save(
        name, ContentFile(content) if isinstance(content, bytes | bytearray) else content
    )


def _storage_name(name: str) -> str:
    # Jobs queued before uploads went through the storage API hold an absolute path under MEDIA_ROOT.
    path = Path(name)
    if path.is_absolute():
        try:
            return path.relative_to(Path(settings.MEDIA_ROOT)).as_posix()
        except ValueError:
            return name
    return name


def stored_read(name: str) -> bytes | None:
    """The content of a kept upload, or None when it is gone (imported, or cleaned up)."""
    try:
        with default_storage.open(_storage_name(name), "rb") as handle:
            return bytes(handle.read())
    except (FileNotFoundError, SuspiciousFileOperation):
        return None


def stored_delete(name: str) -> None:
    try:
        default_storage.delete(_storage_name(name))
    except SuspiciousFileOperation:
        pass
