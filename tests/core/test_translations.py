"""The English catalogue: complete, consistent with its compiled .mo, current with the source, and in use.

Source strings are Chinese; `make messages` regenerates and compiles src/zhaoshang/locale/en.
"""

from __future__ import annotations

import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import zhaoshang

PACKAGE = Path(zhaoshang.__file__).resolve().parent
MESSAGES = PACKAGE / "locale" / "en" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]+")


# --- a tiny .po reader ------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                flush()
            continue
        if line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                flush()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without a keyword"
            kind, index = target
            value = _unquote(line)
            if kind == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, kind, getattr(entry, kind) + value)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            flush()
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            entry.msgstr[index] = _unquote(rest)
            target = ("msgstr", index)
        elif keyword in ("msgid", "msgid_plural", "msgctxt"):
            if keyword == "msgid":
                entry.line = number
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, 0)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush()
    return entries


def messages() -> list[Entry]:
    entries = read_po(PO)
    assert entries and entries[0].msgid == "", "the catalogue should start with its header"
    return entries[1:]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Any:
    # LocaleMiddleware activates the request's language for the thread; later tests expect the default.
    yield
    translation.deactivate()


# --- the catalogue ----------------------------------------------------------------------------------------


def test_the_header_is_final_and_has_english_plurals() -> None:
    header = read_po(PO)[0]
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_every_message_is_translated_without_fuzzy_flags_and_keeps_its_placeholders() -> None:
    entries = messages()
    assert len(entries) > 100
    problems = []
    for entry in entries:
        where = f"django.po:{entry.line} {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy")
        expected_forms = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms:
            problems.append(f"{where}: forms {sorted(entry.msgstr)} instead of {expected_forms}")
        wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            if not text.strip():
                problems.append(f"{where}: msgstr[{index}] is empty")
            elif placeholders(text) != wanted:
                problems.append(f"{where}: msgstr[{index}] has {placeholders(text)}, msgid has {wanted}")
            elif CJK.search(text):
                problems.append(f"{where}: msgstr[{index}] still has Chinese: {text!r}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_matches_the_po() -> None:
    """A stale django.mo (the .po edited, `make messages` not run) shows here."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        if entry.msgid_plural is None:
            got = {
                0: compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            }
        else:
            got = {
                index: compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt is not None
                else compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                for index, n in ((0, 1), (1, 2))
            }
        if got != entry.msgstr:
            stale.append(f"{entry.msgid!r}: .mo has {got}, .po has {entry.msgstr}")
    assert not stale, "django.mo is out of date; run `make messages`:\n" + "\n".join(stale)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogue_covers_every_string_in_the_source(
    tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    """Strings added to (or removed from) the code without `make messages` show here."""
    copy = tmp_path / "zhaoshang"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("locale", "static", "__pycache__"))
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], ignore_patterns=["static/*"], no_obsolete=True, verbosity=0)
    in_source = {entry.key for entry in read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")[1:]}
    in_catalogue = {entry.key for entry in messages()}
    missing, gone = in_source - in_catalogue, in_catalogue - in_source
    assert not missing, f"not in django.po; run `make messages` and translate: {sorted(map(str, missing))}"
    assert not gone, f"no longer in the source; run `make messages`: {sorted(map(str, gone))}"


# --- the catalogue in use ---------------------------------------------------------------------------------


def test_chinese_is_the_default(org: Any, client_for: Any) -> None:
    home = client_for("linzi_admin").get("/").content.decode()
    assert '<html lang="zh-hans"' in home and "首页" in home and "退出" in home and "Sign out" not in home


def _data_values(org: Any, username: str) -> list[str]:
    """Names people entered (districts, towns, parks, ...): they stay as written in any language."""
    from zhaoshang.core.models import City, Department, District, Park, Team, Town

    user = org["users"][username]
    # The language picker names each language in that language.
    values = [user.first_name, user.last_name, "简体中文"]
    profile = getattr(user, "profile", None)
    if profile is not None:
        values += [profile.title, str(profile.department or "")]
    for model in (City, District, Town, Park, Department, Team):
        for obj in model.objects.all():
            values += [str(obj), obj.name]
    from zhaoshang.chains.models import Chain, ChainGroup, Node
    from zhaoshang.enterprises.models import Enterprise

    for model in (ChainGroup, Chain, Node, Enterprise):
        for obj in model.objects.all():
            values += [str(obj), obj.name]
    from zhaoshang.enterprises.models import TargetEntry

    # What officers typed about their target firms (the next step of a follow-up) is data too.
    values += [t.next_action for t in TargetEntry.objects.all()]
    values += [d.short_name for d in Department.objects.all()]
    values += [t.research_institution for t in Team.objects.all()]
    return sorted({v for v in values if v}, key=len, reverse=True)


def _untranslated(html: str, data: list[str]) -> list[str]:
    for value in data:
        html = html.replace(value, "")
    return sorted(set(CJK.findall(html)))


@pytest.mark.parametrize("username", ["linzi_admin", "city_admin"])
def test_english_after_choosing_it(org: Any, client_for: Any, username: str) -> None:
    client = client_for(username)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.url == "/"

    home = client.get("/").content.decode()
    assert '<html lang="en"' in home
    for text in ("Home", "Sign out", "Background jobs", "Towns/offices", "Parks", "Departments", "Teams"):
        assert text in home, text
    assert "首页" not in home and "退出" not in home

    parks = client.get(reverse("park_list")).content.decode()
    headers = ("Name", "Type", "Recognised chemical park", "Town/office", "Planned area (mu)", "District")
    for header in headers:
        assert f'<th scope="col">{header}</th>' in parks, header
    assert "齐鲁化学工业区" in parks and "Chemical park" in parks  # data as entered, choices translated

    data = _data_values(org, username)
    assert _untranslated(home, data) == [], "Chinese UI text left on the English home page"
    assert _untranslated(parks, data) == [], "Chinese UI text left on the English park list"
