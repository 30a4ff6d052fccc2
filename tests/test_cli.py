"""The `zhaoshang` console script: file commands run without setting Django up, the others through it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from zhaoshang.analytics.registry.words import uscc_codes

# Runs the console script's main() with the given arguments, then says whether Django's apps were loaded.
RUN = (
    "import sys, django.apps; from zhaoshang.cli import main; code = 0\n"
    "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
    "print('apps ready:', django.apps.apps.ready); sys.exit(code)"
)


def zhaoshang(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, **env},
    )


def test_complexity_runs_without_setting_django_up(tmp_path: Path) -> None:
    rows = [
        (2020, r, p, float(1 + (i * 7 + j * 3) % 5))
        for i, r in enumerate("ABCD")
        for j, p in enumerate("xyz")
    ]
    pd.DataFrame(rows, columns=["year", "region", "industry", "value"]).to_csv(
        tmp_path / "in.csv", index=False
    )
    done = zhaoshang("complexity", "in.csv", "-o", "out.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote 12 rows" in done.stdout and "apps ready: False" in done.stdout
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert len(out) == 12 and {"eci", "pci", "density", "coi", "cog"} <= set(out.columns)

    bad = zhaoshang("complexity", "missing.csv", "-o", "out.csv", cwd=tmp_path)
    assert bad.returncode == 1
    assert "找不到输入文件" in bad.stderr and "input file not found" in bad.stderr
    assert not (tmp_path / "out.csv").exists()


def test_coords_runs_without_setting_django_up(tmp_path: Path) -> None:
    (tmp_path / "points.csv").write_text("lng,lat\n117.1,36.8\n", encoding="utf-8")
    done = zhaoshang("coords", "--from", "gcj02", "--to", "wgs84", "--input", "points.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lng, lat = map(float, done.stdout.splitlines()[1].split(","))
    assert 0.003 < 117.1 - lng < 0.009 and 0.0 < 36.8 - lat < 0.003  # GCJ-02 is offset north-east in China
    assert "apps ready: False" in done.stdout


def test_registry_import_runs_without_setting_django_up(tmp_path: Path) -> None:
    regions = np.frombuffer(b"370305" * 2, dtype=np.uint8).reshape(2, 6)
    usccs = [str(code) for code in uscc_codes(regions, np.array([1234567, 7654321])).to_pylist()]
    (tmp_path / "firms.csv").write_text(
        "统一社会信用代码,企业名称,行业代码,区县代码,经营状态\n"
        f"{usccs[0]},淄博甲化工有限公司,2614,370305,存续\n"
        f"{usccs[1]},淄博乙机器人有限公司,3491,370305,注销\n",
        encoding="utf-8",
    )
    done = zhaoshang("registry", "import", "firms.csv", "-o", "registry.parquet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "apps ready: False" in done.stdout
    firms = pd.read_parquet(tmp_path / "registry.parquet")
    assert sorted(firms["uscc"]) == sorted(usccs) and set(firms["industry"]) == {"2614", "3491"}
    # Without -o, `info` reads the national registry the settings name (from the environment).
    national = tmp_path / "elsewhere" / "national.parquet"
    info = zhaoshang("registry", "info", cwd=tmp_path, ZHAOSHANG_NATIONAL_REGISTRY=str(national))
    assert info.returncode == 1 and f"没有全国企业库文件 {national}" in info.stderr


def test_other_commands_set_django_up(tmp_path: Path) -> None:
    done = zhaoshang("check", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout and "apps ready: True" in done.stdout
