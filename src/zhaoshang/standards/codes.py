"""Validators for the standard codes in government spreadsheets: USCC, GB/T 2260 and GB/T 4754-2017.

Each returns the code in its canonical text form or raises ParseError with a message for people.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from stdnum.cn import uscc
from stdnum.exceptions import InvalidFormat, InvalidLength, ValidationError

from zhaoshang.standards.divisions import division
from zhaoshang.standards.industries import IndustryCode, ancestors, industry
from zhaoshang.standards.parsers import ParseError

IndustryLevel = Literal["section", "division", "group", "class"]

# GB 32100-2015 leaves out I, O, S, V and Z so that they cannot be mistaken for 1, 0, 5, U and 2.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_LEVEL_ZH = {"section": "门类", "division": "大类", "group": "中类", "class": "小类"}
_LEVEL_WIDTH = {"division": 2, "group": 3, "class": 4}


def _code_text(value: object) -> str:
    """The code as text, without any whitespace; whole numbers from Excel cells lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def validate_uscc(value: object) -> str:
    """The 18-character 统一社会信用代码 (upper case, no spaces or hyphens) if its check digit is right."""
    # compact() also drops the hyphens some people type between the parts.
    code = uscc.compact(_code_text(value))
    if not code:
        raise ParseError("统一社会信用代码不能为空", "The unified social credit code is missing")
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ParseError(
            f"统一社会信用代码应为18位，“{code}”为{len(code)}位",
            f"A unified social credit code has 18 characters; '{code}' has {len(code)}",
        ) from None
    except InvalidFormat:
        position, bad = next(
            (i, c) for i, c in enumerate(code) if c not in (_USCC_ALPHABET[:10] if i < 8 else _USCC_ALPHABET)
        )
        raise ParseError(
            f"统一社会信用代码“{code}”第{position + 1}位“{bad}”无效：前8位应为数字，"
            "其余为数字或大写字母（不含 I、O、S、V、Z）",
            f"Character {position + 1} ('{bad}') of the unified social credit code '{code}' is invalid: the "
            "first 8 are digits, the rest digits or capital letters other than I, O, S, V and Z",
        ) from None
    except ValidationError:
        raise ParseError(
            f"统一社会信用代码“{code}”校验位不符，请核对是否有抄错的字符",
            f"The check character of the unified social credit code '{code}' does not match; look for a typo",
        ) from None


def validate_adcode(value: object) -> str:
    """The 6-digit GB/T 2260 administrative division code, which must be in the shipped table."""
    code = _code_text(value)
    if not code:
        raise ParseError("行政区划代码不能为空", "The administrative division code is missing")
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ParseError(
            f"行政区划代码应为6位数字，“{code}”不是",
            f"An administrative division code has 6 digits; '{code}' does not",
        )
    if division(code) is None:
        raise ParseError(
            f"行政区划代码“{code}”不存在", f"There is no administrative division with code '{code}'"
        )
    return code


def _describe(entry: IndustryCode) -> str:
    return f"{_LEVEL_ZH[entry.level]}“{entry.code}”（{entry.name}）"


def _from_number(number: int, level: IndustryLevel | None) -> str:
    """Restore the leading zero that a number cell drops from codes under divisions 01–09."""
    digits = str(number)
    if level in _LEVEL_WIDTH:
        return digits.zfill(_LEVEL_WIDTH[level])
    found = [entry for entry in (industry(digits), industry("0" + digits)) if entry is not None]
    if len(found) > 1:
        raise ParseError(
            f"行业代码 {number} 有歧义：可能是{_describe(found[0])}，也可能是{_describe(found[1])}；"
            "请把单元格设为文本后填写，以免丢掉开头的 0",
            f"The industry code {number} is ambiguous: it may be '{found[0].code}' or '{found[1].code}'; "
            "format the cell as text so that a leading 0 is kept",
        )
    return found[0].code if found else digits


def validate_industry_code(value: object, level: IndustryLevel | None = None) -> str:
    """A GB/T 4754-2017 code ("C", "25", "251", "2511"), optionally required to be of one level.

    Numbers get their lost leading zero back (111 with level="class" is "0111"). A class may be written
    with its section letter, as many documents do ("C2511" is "2511").
    """
    if isinstance(value, bool):
        code = str(value)
    elif isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        code = _from_number(int(value), level)
    else:
        code = _code_text(value).upper()
    if not code:
        raise ParseError("国民经济行业代码不能为空", "The industry code is missing")
    if re.fullmatch(r"[A-T][0-9]{2,4}", code) and industry(code[1:]) is not None:
        section = ancestors(code[1:])[0]
        if section.code != code[0]:
            raise ParseError(
                f"行业代码“{code}”的门类字母不符：{code[1:]} 属于门类 {section.code}（{section.name}）",
                f"The section letter of the industry code '{code}' is wrong: {code[1:]} is in section "
                f"{section.code}",
            )
        code = code[1:]
    entry = industry(code)
    if entry is None:
        raise ParseError(
            f"国民经济行业代码“{code}”不存在（GB/T 4754-2017）",
            f"There is no industry code '{code}' in GB/T 4754-2017",
        )
    if level is not None and entry.level != level:
        raise ParseError(
            f"行业代码“{code}”（{entry.name}）是{_LEVEL_ZH[entry.level]}，此处需要{_LEVEL_ZH[level]}代码",
            f"The industry code '{code}' is a {entry.level}, but a {level} code is needed here",
        )
    return code


# 投资项目在线审批监管平台 project code: year-area-industry-kind-serial, e.g. 2024-370305-26-03-012345. The area is
# the code of the handling authority (a county, a city, a province or a development zone's statistical code);
# the industry is the GB/T 4754 division (2 digits); the kind is 01 审批, 02 核准 or 03 备案.
_PROJECT_CODE = re.compile(r"([0-9]{4})-([0-9]{6})-([0-9]{2})-(0[1-3])-([0-9]{6})")


def validate_project_code(value: object) -> str:
    """The national investment project code (项目代码) in its canonical hyphenated form."""
    code = _code_text(value).replace("—", "-").replace("－", "-")
    if not code:
        raise ParseError("项目代码不能为空", "The project code is missing")
    found = _PROJECT_CODE.fullmatch(code)
    if found is None:
        raise ParseError(
            f"项目代码应为“年份-6位区划代码-2位行业代码-01/02/03-6位流水号”，如 2024-370305-26-03-012345，“{code}”不是",
            "A project code reads year-area(6)-industry(2)-01/02/03-serial(6), "
            f"e.g. 2024-370305-26-03-012345; '{code}' does not",
        )
    year = int(found.group(1))
    if not 2000 <= year <= 2100:
        raise ParseError(
            f"项目代码“{code}”的年份{year}不合理", f"The year {year} of project code '{code}' is implausible"
        )
    return code


def validate_zone_code(value: object, city_adcode: str) -> str:
    """A functional zone's 6-digit statistical code: inside its city's code range, never a GB/T 2260 division.

    The national statistics bureau numbers development zones beside the counties (e.g. the 7x/9x codes of
    高新区 and 经开区); GB/T 2260 does not list them."""
    code = _code_text(value)
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ParseError(
            f"功能区代码应为6位数字，“{code}”不是", f"A functional zone code has 6 digits; '{code}' does not"
        )
    if not code.startswith(city_adcode[:4]):
        raise ParseError(
            f"功能区代码“{code}”须以所属城市代码前4位“{city_adcode[:4]}”开头",
            f"The functional zone code '{code}' must start with its city's '{city_adcode[:4]}'",
        )
    if division(code) is not None:
        raise ParseError(
            f"“{code}”是行政区划代码，功能区须用统计用代码（如高新区、经开区的代码）",
            f"'{code}' is an administrative division; a functional zone takes its statistical code",
        )
    return code
