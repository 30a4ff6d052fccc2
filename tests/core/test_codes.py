"""USCC, administrative division and industry code validators."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import uscc

from zhaoshang.standards.codes import validate_adcode, validate_industry_code, validate_uscc
from zhaoshang.standards.parsers import ParseError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"
# The first is the example the brief quotes, the second stdnum's own doctest example; both must validate.
KNOWN_USCC = ["91110000802100433B", "91110000600037341L"]


def _message(function: object, value: object, **kwargs: object) -> str:
    assert callable(function)
    with pytest.raises(ParseError) as caught:
        function(value, **kwargs)
    assert caught.value.en and str(caught.value) == caught.value.zh
    return caught.value.zh


@pytest.mark.parametrize("code", KNOWN_USCC)
def test_known_uscc_is_valid(code: str) -> None:
    assert uscc.is_valid(code)
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    "written",
    [
        "91110000802100433b",
        " 9111 0000 8021 0043 3B ",
        "9111-0000-8021-00433B",
        "９１１１００００８０２１００４３３Ｂ",
        "91110000802100433B\u3000",
    ],
)
def test_uscc_is_compacted_and_upper_cased(written: str) -> None:
    assert validate_uscc(written) == "91110000802100433B"


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("91110000802100433", ["应为18位", "为17位"]),
        ("91110000802100433BB", ["应为18位", "为19位"]),
        ("A1110000802100433B", ["第1位“A”无效", "前8位应为数字"]),
        ("9111000080210043IB", ["第17位“I”无效", "不含 I、O、S、V、Z"]),
        ("91110000802100O33B", ["第15位“O”无效"]),
        ("91110000802100433C", ["校验位不符"]),
        ("91110000802100433", ["18位"]),
        (None, ["统一社会信用代码不能为空"]),
        ("  ", ["统一社会信用代码不能为空"]),
        (12345, ["应为18位", "为5位"]),
    ],
)
def test_uscc_errors_say_what_is_wrong(value: object, fragments: list[str]) -> None:
    message = _message(validate_uscc, value)
    for fragment in fragments:
        assert fragment in message


_BODIES = st.tuples(
    st.text(alphabet=DIGITS, min_size=8, max_size=8), st.text(alphabet=ALPHABET, min_size=9, max_size=9)
).map("".join)


@given(_BODIES)
def test_uscc_with_computed_check_character_is_valid(body: str) -> None:
    code = body + uscc.calc_check_digit(body)
    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code


@given(_BODIES, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_uscc_with_one_character_changed_fails(body: str, position: int, replacement: str) -> None:
    code = body + uscc.calc_check_digit(body)
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    message = _message(validate_uscc, changed)
    # The weights are non-zero modulo the prime 31, so every single substitution changes the check sum.
    expected = "前8位应为数字" if position < 8 and replacement not in DIGITS else "校验位不符"
    assert expected in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("370305", "370305"),
        (370305, "370305"),
        (370305.0, "370305"),
        (" 370305 ", "370305"),
        ("３７０３０５", "370305"),
        ("110000", "110000"),
        ("370300", "370300"),
    ],
)
def test_adcode_is_accepted(value: object, expected: str) -> None:
    assert validate_adcode(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("370399", "行政区划代码“370399”不存在"),
        ("999999", "行政区划代码“999999”不存在"),
        ("37030", "应为6位数字"),
        ("3703051", "应为6位数字"),
        ("37030a", "应为6位数字"),
        (370305.5, "应为6位数字"),
        (None, "行政区划代码不能为空"),
        ("", "行政区划代码不能为空"),
    ],
)
def test_adcode_is_refused(value: object, fragment: str) -> None:
    assert fragment in _message(validate_adcode, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2511", "2511"),
        (2511, "2511"),
        (2511.0, "2511"),
        ("251", "251"),
        ("25", "25"),
        ("C", "C"),
        ("c", "C"),
        (" 2511 ", "2511"),
        ("C2511", "2511"),
        ("c 3911", "3911"),
        ("0111", "0111"),
        (1, "01"),
        (3911, "3911"),
    ],
)
def test_industry_code_is_accepted(value: object, expected: str) -> None:
    assert validate_industry_code(value) == expected


@pytest.mark.parametrize(
    ("value", "level", "expected"),
    [
        (111, "class", "0111"),
        (111, "group", "111"),
        (11, "group", "011"),
        (11, "division", "11"),
        (1, "division", "01"),
        ("2511", "class", "2511"),
        ("251", "group", "251"),
        ("25", "division", "25"),
        ("C", "section", "C"),
    ],
)
def test_industry_code_of_a_level(value: object, level: str, expected: str) -> None:
    assert validate_industry_code(value, level=level) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "level", "fragments"),
    [
        ("C", "class", ["“C”（制造业）是门类", "需要小类代码"]),
        ("2511", "division", ["是小类", "需要大类代码"]),
        ("251", "class", ["是中类"]),
        ("25", "group", ["是大类", "需要中类代码"]),
        (2511, "group", ["“2511”", "是小类"]),
        ("9999", None, ["国民经济行业代码“9999”不存在"]),
        ("Z", None, ["“Z”不存在"]),
        ("25111", None, ["不存在"]),
        ("A2511", None, ["门类字母不符", "门类 C"]),
        (111, None, ["有歧义", "“111”", "“0111”", "文本"]),
        (11, None, ["有歧义", "“011”"]),
        (None, None, ["国民经济行业代码不能为空"]),
        ("", None, ["国民经济行业代码不能为空"]),
        (True, None, ["不存在"]),
    ],
)
def test_industry_code_is_refused(value: object, level: str | None, fragments: list[str]) -> None:
    message = _message(validate_industry_code, value, level=level)
    for fragment in fragments:
        assert fragment in message
