"""Words of the synthetic enterprise registry: firm names, business scopes, and USCC codes (vectorised).

Pure: numpy and pyarrow. Used by ``synth``; nothing here draws random numbers except through the
generator it is given, so a seed fixes every string.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from zhaoshang.analytics.classification.keywords import chain_keywords
from zhaoshang.standards.industries import industries

__all__ = [
    "SUFFIXES",
    "SYLLABLES",
    "industry_word",
    "join_strings",
    "place_prefix",
    "scope_texts",
    "strings_fixed_width",
    "uscc_codes",
]

IntArray = npt.NDArray[np.int64]


# Auspicious characters that Chinese trade names (字号) are built from.
SYLLABLES = tuple(
    "鑫华瑞泰恒盛源达丰宏安博金康利隆美明鹏齐润顺通万祥新信兴裕正中众卓嘉锦凯坤龙茂宁欣远志晟昊辰德东方"
    "海和弘汇佳捷科力联鲁迈诺普群荣森天伟文旭亚阳亿永优宇泽振智立创维航腾骏峰宸睿益诚"
)
SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")
_TAILS = {
    "C": ("的研发、生产、销售", "的生产与销售", "的技术开发与销售", "的制造、加工、销售"),
    "B": ("的开采、销售", "的开采与加工"),
    "F": ("的批发", "的销售", "的批发、零售"),
    "A": ("的种植、养殖与销售", "的生产、销售"),
    "*": ("服务", "；技术咨询", "；信息咨询服务", "等业务"),
}
_SCOPE_EXTRA = ("", "；货物进出口", "；技术进出口", "")

# Trade words by GB/T 4754 section and (for the industrial divisions) by division, used when a class name
# does not make a plausible trade word by itself.
_SECTION_WORDS = {
    "A": "农业",
    "B": "矿业",
    "C": "实业",
    "D": "能源",
    "E": "建设",
    "F": "商贸",
    "G": "物流",
    "H": "餐饮",
    "I": "信息技术",
    "J": "投资",
    "K": "置业",
    "L": "商务服务",
    "M": "科技",
    "N": "环境工程",
    "O": "生活服务",
    "P": "教育咨询",
    "Q": "医疗",
    "R": "文化传媒",
    "S": "社会服务",
    "T": "国际交流",
}
_DIVISION_WORDS = {
    "06": "煤业",
    "07": "石油",
    "08": "矿业",
    "09": "矿业",
    "13": "食品",
    "14": "食品",
    "15": "酒业",
    "17": "纺织",
    "18": "服饰",
    "19": "皮革",
    "20": "木业",
    "21": "家具",
    "22": "纸业",
    "23": "印务",
    "24": "文体用品",
    "25": "石化",
    "26": "化工",
    "27": "制药",
    "28": "化纤",
    "29": "橡塑",
    "30": "建材",
    "31": "钢铁",
    "32": "有色金属",
    "33": "金属制品",
    "34": "机械",
    "35": "装备",
    "36": "汽车",
    "37": "交通装备",
    "38": "电气",
    "39": "电子",
    "40": "仪器仪表",
    "41": "工艺品",
    "42": "再生资源",
    "43": "设备维修",
    "44": "电力",
    "45": "燃气",
    "46": "水务",
    "47": "建筑",
    "48": "建设工程",
    "49": "安装工程",
    "50": "装饰工程",
    "51": "贸易",
    "52": "商贸",
    "54": "运输",
    "58": "物流",
    "59": "仓储",
    "63": "通信",
    "64": "网络科技",
    "65": "软件",
    "70": "房地产",
    "72": "管理咨询",
    "73": "科技",
    "74": "技术服务",
}
_STRIP_SUFFIXES = ("制造", "加工", "生产", "批发", "零售", "服务", "业", "种植", "养殖", "饲养")


def _section(code: str) -> str:
    table = industries()
    current = table.get(code)
    while current is not None and current.parent is not None:
        current = table.get(current.parent)
    return current.code if current is not None else "C"


def _bare(name: str) -> str:
    """A class or group name without a leading "其他" and its generic ending (_STRIP_SUFFIXES)."""
    if name.startswith("其他"):
        name = name[2:]
    for suffix in _STRIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def industry_word(code: str) -> str:
    """A plausible trade word for a firm of this class ("工业机器人", "石化", "商贸")."""
    entry = industries().get(code)
    name = _bare(entry.name if entry is not None else "")
    if 2 <= len(name) <= 6 and not any(mark in name for mark in ("及", "、", "和", "其他", "未列明")):
        return name
    return _DIVISION_WORDS.get(code[:2], _SECTION_WORDS.get(_section(code), "实业"))


def place_prefix(county_name: str, city_name: str, province_name: str, adcode: str) -> str:
    """The place word that starts a firm's name: the city (淄博), the municipality (上海), or the county."""
    if adcode[:2] in ("11", "12", "31", "50"):
        return province_name[:2]
    for suffix in ("市", "地区", "盟"):
        if city_name.endswith(suffix) and len(city_name) - len(suffix) >= 2 and "辖" not in city_name:
            return city_name[: -len(suffix)]
    for suffix in ("自治县", "自治旗", "林区", "特区", "市", "县", "区", "旗"):
        if county_name.endswith(suffix) and len(county_name) - len(suffix) >= 2:
            return county_name[: -len(suffix)][:4]
    return county_name[:2]


def _product_words(name: str) -> list[str]:
    """Product words of a class or group name: "纺织品、针织品及原料批发" → 纺织品, 针织品, 原料."""
    name = _bare(name)
    for mark in ("及", "和", "与", "，"):
        name = name.replace(mark, "、")
    return [w for w in name.split("、") if len(w) >= 2 and "未列明" not in w]


def _scope_pool(code: str) -> list[str]:
    table = industries()
    pool = list(chain_keywords().get(code, ()))
    if len(pool) >= 2:
        return pool
    entry = table.get(code)
    group = table.get(entry.parent) if entry is not None and entry.parent else None
    words = _product_words(entry.name) if entry is not None else []
    words += _product_words(group.name) if group is not None else []
    words.append(industry_word(code))
    for word in words:
        if word not in pool:
            pool.append(word)
    # Last resorts, so that every pool has at least two words.
    for word in (_DIVISION_WORDS.get(code[:2], ""), _SECTION_WORDS.get(_section(code), ""), "相关产品"):
        if len(pool) >= 2:
            break
        if word and word not in pool:
            pool.append(word)
    return pool


def scope_texts(codes: Sequence[str], variants: int, rng: np.random.Generator) -> list[str]:
    """``variants`` business-scope texts per class, in ``codes`` order (row-major: code, then variant).

    Each lists 2–5 product keywords of the class (fewer only when the class has fewer): the demo chains'
    keywords where the class has them, else the product words of the class's and its group's names and its
    trade word; then a tail that suits the section (production, trade or services)."""
    texts: list[str] = []
    for code in codes:
        pool = _scope_pool(code)
        section = _section(code)
        tails = _TAILS.get(section, _TAILS["*"])
        for _ in range(variants):
            k = int(rng.integers(2, min(5, len(pool)) + 1)) if len(pool) > 2 else len(pool)
            picked = [pool[i] for i in sorted(rng.choice(len(pool), size=k, replace=False))]
            tail = tails[int(rng.integers(len(tails)))]
            extra = _SCOPE_EXTRA[int(rng.integers(len(_SCOPE_EXTRA)))] if section in "BCF" else ""
            texts.append("、".join(picked) + tail + extra)
    return texts


def strings_fixed_width(chars: npt.NDArray[np.uint8]) -> Any:
    """A pyarrow string array from an (n, w) array of ASCII bytes, without a Python string per row."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars).reshape(-1)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def join_strings(*parts: Any) -> Any:
    """Element-wise concatenation of pyarrow string arrays."""
    import pyarrow.compute as pc  # deferred: Arrow's compute kernels load only when names are generated

    return pc.binary_join_element_wise(*parts, "")


_USCC_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def uscc_codes(regions: npt.NDArray[np.uint8], serials: IntArray) -> Any:
    """USCC strings (GB 32100-2015) for firms registered by market regulators (登记管理部门 9, 企业 1).

    ``regions``: (n, 6) ASCII digits of the registering county's adcode; ``serials``: distinct integers
    < 10⁸ that become the 8-digit body of the organisation code, followed by its GB 11714 check character
    and the USCC check character. Distinct serials give distinct codes."""
    n = serials.shape[0]
    if n and (serials.min() < 0 or serials.max() >= 10**8):
        raise ValueError("serials must lie in [0, 10^8)")
    body = (serials[:, None] // (10 ** np.arange(7, -1, -1, dtype=np.int64))[None, :]) % 10
    org_check = (11 - (body @ _ORG_WEIGHTS) % 11) % 11  # 10 is written X, 11 → 0 (the modulo does it)
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = 9
    values[:, 1] = 1
    values[:, 2:8] = regions.astype(np.int64) - ord("0")
    values[:, 8:16] = body
    # GB 11714's X (10) is the USCC alphabet's 'X', whose index there is 29.
    values[:, 16] = np.where(org_check == 10, 29, org_check)
    check = (31 - (values @ _USCC_WEIGHTS) % 31) % 31
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = _USCC_ALPHABET[values]
    chars[:, 17] = _USCC_ALPHABET[check]
    return strings_fixed_width(chars)
