"""The national registry as the app sees it: one Parquet file (settings.NATIONAL_REGISTRY), its place × industry
matrices and the national complexity results, computed once per file version and kept in the process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from zhaoshang.analytics.complexity.engine import ComplexityResult
    from zhaoshang.analytics.complexity.relatedness import DistrictRelatedness
    from zhaoshang.analytics.registry.store import PlaceIndustryMatrix


class RegistryMissing(FileNotFoundError):
    pass


def registry_path() -> Path:
    path = Path(settings.NATIONAL_REGISTRY)
    if not path.is_file():
        raise RegistryMissing(
            _(
                "没有全国企业库文件 %(path)s。可用 zhaoshang registry generate 生成演示数据,"
                "或设置 ZHAOSHANG_NATIONAL_REGISTRY。"
            )
            % {"path": path}
        )
    return path


def registry_version() -> tuple[str, float]:
    path = registry_path()
    return str(path), path.stat().st_mtime


@lru_cache(maxsize=6)
def _matrix(path: str, mtime: float, level: str, value: str) -> PlaceIndustryMatrix:
    # deferred: DuckDB, PyArrow and SciPy load only when the registry is read
    from zhaoshang.analytics.registry.store import place_industry_matrix

    return place_industry_matrix(path, level=level, value=value)  # type: ignore[arg-type]


@lru_cache(maxsize=2)
def _complexity(path: str, mtime: float) -> ComplexityResult:
    from zhaoshang.analytics.complexity.engine import complexity_compute  # deferred: numpy and scipy

    # Relatedness comes from the national county × class panel, never from one county alone (DOMAIN.md §5).
    return complexity_compute(_matrix(path, mtime, "county", "firms").values)


def national_matrix(level: str = "county", value: str = "firms") -> PlaceIndustryMatrix:
    path, mtime = registry_version()
    return _matrix(path, mtime, level, value)


def national_relatedness(adcode: str) -> DistrictRelatedness:
    from zhaoshang.analytics.complexity.relatedness import district_relatedness  # deferred: numpy, scipy

    path, mtime = registry_version()
    return district_relatedness(
        _matrix(path, mtime, "county", "firms"), adcode, result=_complexity(path, mtime)
    )


def national_complexity() -> Any:
    path, mtime = registry_version()
    return _complexity(path, mtime)
