"""Reading a vendor's or a market-regulation bureau's firm extract: headers, wording and normalisation rules.

Pure: no Django. ``importer`` applies these rules to a whole file in DuckDB; here are the parts
people argue about, each testable alone:

* ``recognise_headers``: which input column feeds which registry column (the usual Chinese headers of
  vendor extracts, the schema's own English names, and ``--map`` overrides);
* ``status_normalise``: 开业/在营/正常 → 在业, 存续（在营、开业、在册） → 存续, 已注销 → 注销, 吊销未注销 → 吊销;
* ``normalise_sql``: the DuckDB query that turns the text cells into registry values and says what is wrong
  with each (an error kind; ``error_message`` turns it into a sentence for people). Vectorised SQL, so ten
  million rows are normalised without a Python loop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from zhaoshang.standards.codes import validate_adcode, validate_industry_code, validate_uscc
from zhaoshang.standards.parsers import ParseError

__all__ = [
    "ACTIVE",
    "DEFAULTS",
    "FIELD_LABELS",
    "HEADER_ALIASES",
    "INPUT_FIELDS",
    "REQUIRED",
    "HeaderMatch",
    "error_message",
    "field_steps",
    "normalise_sql",
    "header_key",
    "recognise_headers",
    "status_normalise",
]

CapitalUnit = Literal["yuan", "wan"]

# Registry columns read from the input; city and province are derived from the county code.
INPUT_FIELDS = (
    "uscc", "name", "adcode", "industry", "registered_capital", "insured_employees", "founded", "status",
    "listed", "specialised", "high_tech", "top500", "abnormal", "dishonest", "branches_24m",
    "investments_24m", "employee_growth", "lng", "lat", "scope",
)  # fmt: skip
REQUIRED = ("uscc", "name", "adcode", "status")  # and industry or scope

FIELD_LABELS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "adcode": "区县代码",
    "industry": "行业代码",
    "registered_capital": "注册资本",
    "insured_employees": "参保人数",
    "founded": "成立日期",
    "status": "登记状态",
    "listed": "上市",
    "specialised": "专精特新",
    "high_tech": "高新技术企业",
    "top500": "500强",
    "abnormal": "经营异常",
    "dishonest": "失信被执行人",
    "branches_24m": "近24月新设分支",
    "investments_24m": "近24月对外投资",
    "employee_growth": "参保人数增长率",
    "lng": "经度",
    "lat": "纬度",
    "scope": "经营范围",
}

# Alternatives in order of preference: when a file has two of them (登记状态 and 经营状态), the first wins.
HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码", "uscc", "creditcode"),
    "name": ("企业名称", "公司名称", "市场主体名称", "主体名称", "名称", "企业名", "name"),
    "adcode": (
        "区县代码", "所属区县代码", "区县编码", "所属区县编码", "县区代码", "行政区划代码", "所属行政区划代码",
        "区划代码", "所属区划代码", "行政区划编码", "adcode",
    ),
    "industry": (
        "国标行业代码", "国标行业小类代码", "行业小类代码", "国民经济行业代码", "所属行业代码", "行业代码",
        "行业编码", "所属行业编码", "industry",
    ),
    "registered_capital": ("注册资本", "注册资金", "注册资本金额", "registeredcapital"),
    "insured_employees": ("参保人数", "社保人数", "参保人员数", "缴纳社保人数", "insuredemployees"),
    "founded": ("成立日期", "成立时间", "设立日期", "注册日期", "成立年月", "founded"),
    "status": ("登记状态", "经营状态", "企业状态", "企业登记状态", "登记状况", "状态", "status"),
    "listed": ("上市", "是否上市", "上市企业", "上市公司", "listed"),
    "specialised": ("专精特新", "是否专精特新", "专精特新企业", "specialised"),
    "high_tech": ("高新技术企业", "是否高新技术企业", "高新企业", "高新", "hightech"),
    "top500": ("500强", "五百强", "是否500强", "top500"),
    "abnormal": ("经营异常", "经营异常名录", "是否经营异常", "异常名录", "abnormal"),
    "dishonest": ("失信被执行人", "失信", "是否失信被执行人", "是否失信", "dishonest"),
    "branches_24m": ("近24月分支", "近24月新设分支", "近24个月新设分支机构数", "近24个月分支机构数", "branches24m"),
    "investments_24m": ("近24月投资", "近24月对外投资", "近24个月对外投资数", "investments24m"),
    "employee_growth": ("参保增长", "参保人数增长率", "参保人数同比", "参保人数同比增长", "employeegrowth"),
    "lng": ("经度", "lng", "lon", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "scope": ("经营范围", "业务范围", "scope"),
}  # fmt: skip

# Values of the columns a file may lack: neutral, so that a missing column neither helps nor hurts a firm.
DEFAULTS: Mapping[str, str] = {
    "industry": "NULL::VARCHAR",
    "registered_capital": "NULL::DOUBLE",
    "insured_employees": "0::INTEGER",
    "founded": "NULL::DATE",
    "listed": "false",
    "specialised": "false",
    "high_tech": "false",
    "top500": "false",
    "abnormal": "false",
    "dishonest": "false",
    "branches_24m": "0::INTEGER",
    "investments_24m": "0::INTEGER",
    "employee_growth": "NULL::DOUBLE",
    "lng": "NULL::DOUBLE",
    "lat": "NULL::DOUBLE",
    "scope": "NULL::VARCHAR",
}

_UNIT = re.compile(r"[(（]\s*(万元|元|亿元|人|%|万元人民币|元人民币)\s*[)）]$")


def header_key(text: str) -> str:
    """A header as compared: NFKC, no spaces, underscores or hyphens, lower case, no unit in brackets."""
    plain = unicodedata.normalize("NFKC", text).strip().lower()
    plain = re.sub(r"[\s_\-]+", "", plain)
    return re.sub(r"\((万元|元|亿元|人|%|万元人民币|元人民币)\)$", "", plain)


@dataclass
class HeaderMatch:
    columns: dict[str, str] = field(default_factory=dict)  # registry field → input header
    missing_required: list[str] = field(default_factory=list)  # labels, e.g. 企业名称
    missing_optional: list[str] = field(default_factory=list)  # registry fields
    unused: list[str] = field(default_factory=list)  # input headers nobody reads
    ignored: list[str] = field(default_factory=list)  # second candidates, e.g. 经营状态 beside 登记状态
    capital_unit: CapitalUnit | None = None  # from a header such as 注册资本(元)


def recognise_headers(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> HeaderMatch:
    """Which input column feeds each registry field. ``overrides`` (header → field) win over the aliases.

    Raises ValueError (Chinese message) for an override naming an unknown field or a missing header."""
    match = HeaderMatch()
    taken: set[str] = set()
    for header, target in (overrides or {}).items():
        if target not in INPUT_FIELDS:
            raise ValueError(f"--map {header}={target}: 没有列 {target}，可用: {', '.join(INPUT_FIELDS)}")
        if header not in headers:
            raise ValueError(f"--map {header}={target}: 文件中没有“{header}”列")
        match.columns[target] = header
        taken.add(header)
    keys = {header: header_key(header) for header in headers}
    for target in INPUT_FIELDS:
        candidates = [
            h for alias in HEADER_ALIASES[target] for h in headers if keys[h] == alias and h not in taken
        ]
        if target not in match.columns and candidates:
            match.columns[target] = candidates[0]
        match.ignored.extend(h for h in dict.fromkeys(candidates) if h != match.columns.get(target))
        taken.update(candidates)
    match.unused = [h for h in headers if h not in taken]
    match.missing_required = [FIELD_LABELS[f] for f in REQUIRED if f not in match.columns]
    if "industry" not in match.columns and "scope" not in match.columns:
        match.missing_required.append("行业代码或经营范围")
    match.missing_optional = [f for f in INPUT_FIELDS if f not in match.columns and f not in REQUIRED]
    capital = match.columns.get("registered_capital")
    if capital is not None:
        unit = _UNIT.search(unicodedata.normalize("NFKC", capital).strip())
        if unit is not None and unit[1].startswith("万元"):
            match.capital_unit = "wan"
        elif unit is not None and unit[1].startswith("元"):
            match.capital_unit = "yuan"
    return match


# --- status -------------------------------------------------------------------------------------------

ACTIVE = ("存续", "在业")
_OPEN = frozenset(
    ("在业", "开业", "在营", "正常", "营业", "在册", "正常营业", "正常经营", "在营在册", "登记成立", "成立", "确立",
     "有效")
)  # fmt: skip


def status_normalise(text: str | None) -> tuple[str | None, bool]:
    """(registry status, recognised). 存续/在业/注销/吊销 for the usual wordings; anything else comes back
    as written (without spaces) and unrecognised, which the registry counts as inactive; None when empty."""
    if text is None:
        return None, False
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not plain:
        return None, False
    bare = re.sub(r"[()（）\[\]【】]", "", plain)
    if bare.startswith("存续"):
        return "存续", True
    if bare in _OPEN or bare.rstrip("企业") in _OPEN:
        return "在业", True
    if "吊销" in bare:
        # 吊销,已注销 is closed for good; 吊销未注销 (the licence revoked, the firm not deregistered) is 吊销.
        closed = "注销" in bare.replace("未注销", "").replace("吊销", "")
        return ("注销" if closed else "吊销"), True
    if "注销" in bare and "未注销" not in bare:
        return "注销", True
    return plain, False


# --- per-field SQL ------------------------------------------------------------------------------------

_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-,%"
_FULL = "".join(chr(ord(c) + 0xFEE0) for c in _HALF)  # ０１２…ＡＢＣ…ａｂｃ…．－，％
_BLANKS = " \t\r\n\u3000\u00a0"
_NULL_WORDS = (
    "-",
    "--",
    "---",
    "—",
    "——",
    "/",
    "无",
    "暂无",
    "未公开",
    "不公开",
    "null",
    "none",
    "nan",
    "n/a",
    "#n/a",
)
_TRUE_WORDS = ("是", "1", "true", "t", "y", "yes", "有", "√", "已上市", "上市")
_FALSE_WORDS = ("否", "0", "false", "f", "n", "no", "未上市", "非上市")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_SECTION_OF = "classes"  # the DuckDB table (code, section) of GB/T 4754-2017 classes


def _in(words: Iterable[str]) -> str:
    return "(" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


_TEXTS = ("name", "scope", "status")  # kept as written, only trimmed
Steps = list[dict[str, str]]


def _uscc_valid(code: str) -> str:
    """GB 32100-2015: 8 digits, 10 characters of the alphabet, and the check character (as stdnum)."""
    terms = " + ".join(
        f"(strpos('{_USCC_ALPHABET}', {code}[{i + 1}]) - 1) * {w}" for i, w in enumerate(_USCC_WEIGHTS)
    )
    return (
        f"(regexp_full_match({code}, '[0-9]{{8}}[{_USCC_ALPHABET}]{{10}}') AND "
        f"strpos('{_USCC_ALPHABET}', {code}[18]) - 1 = (31 - ({terms}) % 31) % 31)"
    )


def _number(text: str) -> str:
    return f"CASE WHEN regexp_full_match({text}, '{_NUMBER}') THEN CAST({text} AS DOUBLE) END"


def _count_steps(name: str, c: str, v: str, upper: str) -> Steps:
    plain, bad = f"{name}__p", f"{name}__b"
    return [
        {plain: f"regexp_replace(replace({c}, ',', ''), '(人|家|个|笔)$', '')"},
        {v: _number(plain)},
        {bad: f"({c} IS NOT NULL AND coalesce({v} < 0 OR {v} >= {upper}, true))"},
    ]


def field_steps(name: str, capital_unit: CapitalUnit = "wan") -> Steps:
    """How registry field ``name`` is computed from the text column ``raw_<name>``, as steps of column
    definitions; each step uses only columns of the steps before it, and the last defines ``<name>`` (the
    value) and ``e_<name>`` (NULL, or an error kind that ``error_message`` explains).

    Steps, not one nested expression: DuckDB evaluates a column of an inner query once, while a repeated
    sub-expression is evaluated again at every use (ten times slower on these rules). ``adcode`` and
    ``industry`` need the tables ``counties(adcode)`` and ``classes(code, section)``; the industry value is
    NULL (without an error) for an unusable code: such firms are classified by their scope instead."""
    t, h, c, v = (f"{name}__{x}" for x in "thcv")
    steps: Steps = [{t: f"nullif(trim(raw_{name}, '{_BLANKS}'), '')"}]
    error = f"e_{name}"
    if name in _TEXTS:
        kind = "NULL" if name == "scope" else f"CASE WHEN {t} IS NULL THEN 'empty' END"
        return [*steps, {name: t, error: kind}]
    # Full-width digits and letters become half-width (only cells that have one pay for translate, which is slow),
    # and the words vendors put in empty cells (-, 无, 暂无, 未公开, …) become NULL.
    steps.append(
        {
            h: f"CASE WHEN regexp_matches({t}, '[！-～]') THEN translate({t}, '{_FULL}', '{_HALF}') ELSE {t} END"
        }
    )
    steps.append({c: f"CASE WHEN lower({h}) IN {_in(_NULL_WORDS)} THEN NULL ELSE {h} END"})
    code = f"{name}__code"
    as_code = f"regexp_replace(upper(replace(replace({c}, ' ', ''), '-', '')), '\\.0+$', '')"
    if name == "uscc":
        steps.append({code: as_code})
        kind = f"CASE WHEN {c} IS NULL THEN 'empty' WHEN NOT {_uscc_valid(code)} THEN 'invalid' END"
        return [*steps, {name: code, error: kind}]
    if name == "adcode":
        # 370305000000 (统计用区划代码, 12 digits) names the same county as 370305.
        steps.append({code: f"regexp_replace({as_code}, '^([0-9]{{6}})000000$', '\\1')"})
        kind = (
            f"CASE WHEN {c} IS NULL THEN 'empty' "
            f"WHEN {code} NOT IN (SELECT adcode FROM counties) THEN 'invalid' END"
        )
        return [*steps, {name: code, error: kind}]
    if name == "industry":
        # A section letter (C3491) must be the class's own; a 3-digit class lost its leading zero (111).
        letter, padded, pattern = f"{name}__l", f"{name}__d", "'^([A-T]?)([0-9]{3,4})$'"
        steps.append({code: as_code})
        steps.append(
            {
                letter: f"regexp_extract({code}, {pattern}, 1)",
                padded: f"lpad(nullif(regexp_extract({code}, {pattern}, 2), ''), 4, '0')",
            }
        )
        usable = (
            f"CASE WHEN {padded} IN (SELECT code FROM classes) AND ({letter} = '' OR "
            f"{letter} || {padded} IN (SELECT section || code FROM classes)) THEN {padded} END"
        )
        return [*steps, {name: usable, error: "NULL"}]
    if name == "registered_capital":
        text, amount, scale = f"{name}__p", f"{name}__a", f"{name}__s"
        bare = "1" if capital_unit == "wan" else "0.0001"
        steps.append({text: f"replace({c}, ',', '')"})
        steps.append(
            {
                amount: f"TRY_CAST(regexp_extract({text}, '^{_NUMBER}') AS DOUBLE)",
                scale: f"CASE WHEN regexp_full_match({text}, '{_NUMBER}') THEN {bare} "
                f"WHEN regexp_matches({text}, '^{_NUMBER}\\s*亿') THEN 10000 "
                f"WHEN regexp_matches({text}, '^{_NUMBER}\\s*万') THEN 1 "
                f"WHEN regexp_matches({text}, '^{_NUMBER}\\s*元') THEN 0.0001 END",
            }
        )
        steps.append({v: f"{amount} * {scale}"})
        return [
            *steps,
            {name: v, error: f"CASE WHEN {c} IS NOT NULL AND coalesce({v} < 0, true) THEN 'number' END"},
        ]
    if name in ("insured_employees", "branches_24m", "investments_24m"):
        steps += _count_steps(name, c, v, "2e9")
        bad = f"{name}__b"
        value = f"CASE WHEN {bad} THEN 0 ELSE CAST(round(coalesce({v}, 0)) AS INTEGER) END"
        return [*steps, {name: value, error: f"CASE WHEN {bad} THEN 'count' END"}]
    if name in ("lng", "lat"):
        steps += _count_steps(name, c, v, "1e9")
        bad, limit = f"{name}__b", 180 if name == "lng" else 90
        steps[-1] = {bad: f"({c} IS NOT NULL AND coalesce(abs({v}) > {limit}, true))"}
        return [
            *steps,
            {
                name: f"CASE WHEN {bad} THEN NULL ELSE {v} END",
                error: f"CASE WHEN {bad} THEN 'coordinate' END",
            },
        ]
    if name == "employee_growth":
        plain, percent = f"{name}__p", f"{name}__pct"
        steps.append(
            {
                plain: f"replace(replace({c}, ',', ''), '%', '')",
                percent: f"coalesce(contains({c}, '%'), false)",
            }
        )
        steps.append({v: f"{_number(plain)} / CASE WHEN {percent} THEN 100 ELSE 1 END"})
        return [*steps, {name: v, error: f"CASE WHEN {c} IS NOT NULL AND {v} IS NULL THEN 'number' END"}]
    if name == "founded":
        # 2020-01-05, 2020/1/5, 2020.1.5, 2020年1月5日, 20200105, 2020-01-05 00:00:00; 2020年1月 is the 1st.
        iso, text = f"{name}__iso", f"{name}__p"
        steps.append(
            {
                iso: f"TRY_CAST({c} AS DATE)",
                text: f"regexp_replace(regexp_replace(regexp_replace(regexp_replace({c}, '[ T].*$', ''), "
                "'[年月/.]', '-', 'g'), '日$', ''), '-$', '')",
            }
        )
        parsed = f"CAST(try_strptime({text}, ['%Y-%m-%d', '%Y%m%d', '%Y-%m']) AS DATE)"
        steps.append({v: f"CASE WHEN {iso} IS NOT NULL THEN {iso} ELSE {parsed} END"})
        return [*steps, {name: v, error: f"CASE WHEN {c} IS NOT NULL AND {v} IS NULL THEN 'date' END"}]
    if name in ("listed", "specialised", "high_tech", "top500", "abnormal", "dishonest"):
        word = f"{name}__w"
        steps.append({word: f"lower({c})"})
        bad = f"{c} IS NOT NULL AND {word} NOT IN {_in(_TRUE_WORDS + _FALSE_WORDS)}"
        return [
            *steps,
            {
                name: f"coalesce({word} IN {_in(_TRUE_WORDS)}, false)",
                error: f"CASE WHEN {bad} THEN 'bool' END",
            },
        ]
    raise ValueError(f"unknown registry field {name}")


def normalise_sql(
    source: str, columns: Mapping[str, str], capital_unit: CapitalUnit = "wan", *, numbered: bool = True
) -> str:
    """The query that normalises ``source`` (a table): ``columns`` maps the registry fields read to the
    source's column names (already quoted). Its result: ``_row`` (spreadsheet numbering, the header is row 1:
    the table's ``rowid``, i.e. its insertion order, + 2), ``raw_<f>`` of the fields read (the cell as written),
    ``<f>`` and ``e_<f>`` of the fields read, and the ``DEFAULTS`` of the others.

    ``rowid`` rather than ``row_number() OVER ()``: a window over the whole input runs on one thread, and the
    layers above it with it; numbered by ``rowid`` the normalisation of ten million rows runs on every core."""
    raw = ", ".join(f"{column} AS raw_{name}" for name, column in columns.items())
    number = "rowid + 2" if numbered else "1"
    query = f"SELECT {number} AS _row, {raw} FROM {source}"
    plans = {name: field_steps(name, capital_unit) for name in columns}
    for depth in range(max((len(p) for p in plans.values()), default=0)):
        # Fields with fewer steps finish early; every field's last step comes in the last layer.
        layer = {}
        longest = max(len(p) for p in plans.values())
        for plan in plans.values():
            offset = longest - len(plan)
            if depth >= offset:
                layer.update(plan[depth - offset])
        query = f"SELECT *, {', '.join(f'{e} AS {n}' for n, e in layer.items())} FROM ({query})"
    out = ["_row"]
    for name in columns:
        out += [f"raw_{name}", name, f"e_{name}"]
    out += [f"{default} AS {name}" for name, default in DEFAULTS.items() if name not in columns]
    return f"SELECT {', '.join(out)} FROM ({query})"


def _parse_error(check: Callable[[str], object], value: str) -> str:
    try:
        check(value)
    except ParseError as error:
        return error.zh
    return ""


def error_message(name: str, kind: str, value: str | None, first_row: int | None = None) -> str:
    """The sentence for people (Chinese) that goes with an error kind of ``field_sql`` or of the import
    (``unclassified``, ``duplicate`` with the row that is kept)."""
    label = FIELD_LABELS.get(name, name)
    shown = value if value is not None else ""
    if kind == "empty":
        return f"{label}不能为空"
    if name == "uscc" and kind == "invalid":
        return _parse_error(validate_uscc, shown) or f"统一社会信用代码“{shown}”无效"
    if name == "adcode" and kind == "invalid":
        text = re.sub(r"\.0+$", "", shown.strip())
        return _parse_error(validate_adcode, text) or f"“{shown}”不是区县代码（GB/T 2260）"
    if name == "industry" and kind == "unclassified":
        reason = (
            _parse_error(lambda v: validate_industry_code(v, "class"), shown) if shown else "没有行业代码"
        )
        return f"{reason or f'行业代码“{shown}”不可用'}，经营范围中也没有可归入小类的关键词"
    if kind == "number":
        return f"{label}“{shown}”不是有效的数值"
    if kind == "count":
        return f"{label}“{shown}”不是有效的非负整数"
    if kind == "date":
        return f"{label}“{shown}”不是可识别的日期（如 2020-01-05、2020年1月5日）"
    if kind == "bool":
        return f"{label}“{shown}”应为 是/否、1/0、true/false 或 Y/N"
    if kind == "coordinate":
        return f"{label}“{shown}”不是有效的坐标"
    if kind == "duplicate":
        return f"统一社会信用代码与第 {first_row} 行重复：保留第 {first_row} 行，本行不写入"
    return f"{label}“{shown}”无效"
