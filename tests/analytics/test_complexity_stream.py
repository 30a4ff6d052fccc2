"""The streamed complexity table (``complexity_stream``) and the file-to-file run (``complexity_files``): the
chunks together are exactly ``complexity_panel``'s table, the files are the same whichever way they were
written, and a failure leaves no file."""

from __future__ import annotations

import os
import stat
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.complexity.engine import ComplexityError, ComplexityWarning
from zhaoshang.analytics.complexity.files import complexity_files, write_frames
from zhaoshang.analytics.complexity.panel import complexity_panel
from zhaoshang.analytics.complexity.stream import complexity_stream

KEYS = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}


@st.composite
def panels(draw: Any) -> pd.DataFrame:
    """Small panels: missing cells, sometimes a place or industry of zeros, a duplicate, a missing value,
    years out of order, numeric or text times."""
    years = draw(st.lists(st.sampled_from([2003, 2001, 2002, 2010]), min_size=1, max_size=3, unique=True))
    n_loc, n_prod = draw(st.integers(2, 9)), draw(st.integers(2, 7))
    locs = [f"{370300 + 7 * i:06d}" for i in range(n_loc)]
    prods = [f"{111 * (j + 1) % 10000:04d}" for j in range(n_prod)]
    rows = []
    zero_loc = draw(st.sampled_from([None, None, None, None, locs[-1]]))  # in the first year
    for year in years:
        for loc in locs:
            for prod in prods:
                if draw(st.integers(0, 4)) == 0:
                    continue
                value = 0.0 if (year, loc) == (years[0], zero_loc) else float(draw(st.integers(1, 60)))
                rows.append((year, loc, prod, value))
    rows = rows or [(years[0], locs[0], prods[0], 1.0)]
    if rows and draw(st.integers(0, 5)) == 0:
        rows.append(rows[draw(st.integers(0, len(rows) - 1))])
    if rows and draw(st.integers(0, 5)) == 0:
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = (*rows[i][:3], np.nan)
    order = draw(st.permutations(range(len(rows))))
    data = pd.DataFrame([rows[i] for i in order], columns=["year", "region", "industry", "value"])
    if draw(st.booleans()):
        data["year"] = data["year"].map(lambda y: f"Y{y}")
    return data


def quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return function(*args, **kwargs)


def streamed(data: pd.DataFrame, chunk_rows: int, **options: Any) -> tuple[pd.DataFrame, Any, int]:
    stream = quiet(complexity_stream, data, chunk_rows=chunk_rows, **KEYS, **options)
    if stream is None:
        return pd.DataFrame(), None, -1
    chunks = quiet(list, stream.chunks())
    assert all(len(c) <= max(chunk_rows, 7) for c in chunks)  # whole places, at most one wider than asked
    table = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    assert len(table) == stream.rows
    return table, stream.proximity(), len(chunks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=panels(),
    chunk_rows=st.sampled_from([1, 7, 20, 10_000]),
    compat=st.sampled_from([None, "ecomplexity"]),
    self_proximity=st.sampled_from([None, True]),
)
def test_chunks_are_the_panel_table(
    data: pd.DataFrame, chunk_rows: int, compat: Any, self_proximity: Any
) -> None:
    options: dict[str, Any] = {"compat": compat, "proximity": True}
    if compat is None:
        options["self_proximity"] = self_proximity
    whole = quiet(complexity_panel, data, **KEYS, **options)
    table, prox, n_chunks = streamed(data, chunk_rows, **options)
    if n_chunks < 0:
        # Only compat mode with rows outside ecomplexity's grid falls back: a duplicate, or a place or an
        # industry whose total is 0 in a year.
        assert compat is not None
        filled = data.fillna({"value": 0})
        assert (
            data.duplicated(["year", "region", "industry"]).any()
            or (filled.groupby(["year", "region"])["value"].sum() == 0).any()
            or (filled.groupby(["year", "industry"])["value"].sum() == 0).any()
        )
        return
    pd.testing.assert_frame_equal(table, whole.table)
    pd.testing.assert_frame_equal(prox, whole.proximity)


def test_compat_streams_a_clean_panel_and_not_one_that_needs_the_merge() -> None:
    data = pd.DataFrame(
        {"year": 2020, "region": ["a", "a", "b", "b", "c"], "industry": ["x", "y", "x", "y", "x"],
         "value": [3.0, 1.0, 1.0, 2.0, 5.0]}
    )  # fmt: skip
    assert complexity_stream(data, compat="ecomplexity") is not None
    zero = pd.concat(
        [data, pd.DataFrame({"year": [2020], "region": ["d"], "industry": ["x"], "value": [0.0]})]
    )
    assert complexity_stream(zero, compat="ecomplexity") is None  # d's row is an orphan of the merge
    assert complexity_stream(zero) is not None  # the default mode keeps d in the grid
    assert complexity_stream(data.assign(note="n"), compat="ecomplexity") is None  # carried along
    assert complexity_stream(data.iloc[:0]) is None


def panel_file(tmp_path: Path, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    places = [f"{370300 + i:06d}" for i in range(40)]
    classes = [f"{1000 + 37 * j:04d}" for j in range(25)]
    rows = [
        (year, place, code, float(rng.integers(1, 500)))
        for year in (2022, 2021)
        for place in places
        for code in classes
        if rng.random() < 0.6
    ]
    path = tmp_path / "in.csv"
    pd.DataFrame(rows, columns=list(KEYS.values())).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
@pytest.mark.parametrize("fmt", [".csv", ".parquet"])
def test_streamed_files_equal_the_whole_table_written_at_once(tmp_path: Path, compat: Any, fmt: str) -> None:
    source = panel_file(tmp_path)
    names = tuple(KEYS.values())
    done = complexity_files(
        source, tmp_path / f"out{fmt}", names, compat=compat, chunk_rows=100,
        proximity_target=tmp_path / f"prox{fmt}",
    )  # fmt: skip
    assert done.streamed and done.rows == 2 * 40 * 25 and (done.years, done.places) == (2, 40)
    whole = quiet(complexity_panel, pd.read_csv(source, dtype={"region": str, "industry": str}), compat=compat,
                  proximity=True)  # fmt: skip
    write_frames([whole.table], tmp_path / f"whole{fmt}")
    write_frames([whole.proximity], tmp_path / f"whole_prox{fmt}")
    if fmt == ".csv":
        assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
        assert (tmp_path / "prox.csv").read_bytes() == (tmp_path / "whole_prox.csv").read_bytes()
        assert (
            (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbfyear,region,")
        )  # one BOM, one header
        assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").count("year,region") == 1
    else:
        out = pd.read_parquet(tmp_path / "out.parquet")
        pd.testing.assert_frame_equal(out, pd.read_parquet(tmp_path / "whole.parquet"))
        assert out["industry"].astype(str).str.len().eq(4).all()  # codes stay text
        assert len(pd.read_parquet(tmp_path / "prox.parquet")) == len(whole.proximity)
    assert sorted(p.name for p in tmp_path.iterdir() if ".partial" in p.name) == []


def test_compat_file_that_needs_the_merge_is_written_whole(tmp_path: Path) -> None:
    source = panel_file(tmp_path)
    data = pd.read_csv(source, dtype={"region": str, "industry": str})
    data.loc[data["region"] == "370300", "value"] = 0.0  # a place of zeros: its rows are merge orphans
    data.to_csv(source, index=False)
    done = complexity_files(source, tmp_path / "out.csv", tuple(KEYS.values()), compat="ecomplexity")  # type: ignore[arg-type]
    assert not done.streamed
    out = pd.read_csv(tmp_path / "out.csv", dtype={"region": str})
    assert out.loc[out["region"] == "370300", "eci"].isna().all()
    assert len(out) == done.rows == 2 * 39 * 25 + int((data["region"] == "370300").sum())


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    def frames() -> Any:
        yield pd.DataFrame({"a": [1, 2]})
        raise ComplexityError("算不下去", "cannot go on")

    for name in ("out.csv", "out.parquet"):
        with pytest.raises(ComplexityError, match="算不下去"):
            write_frames(frames(), tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "out.csv").write_text("old")
    with pytest.raises(ComplexityError):
        write_frames(frames(), tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text() == "old"  # an earlier result stays until a new one is complete
    for name in ("none.csv", "none.parquet"):
        with pytest.raises(ComplexityError, match="没有可写出的行"):
            write_frames([], tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_write_failing_in_the_writer_thread_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    threads: list[str] = []
    write_table = pq.ParquetWriter.write_table

    def full_disk(self: Any, table: Any, *args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        if len(threads) == 3:
            raise OSError(28, "No space left on device")
        return write_table(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    produced: list[int] = []

    def frames() -> Any:
        for i in range(6):
            produced.append(i)
            yield pd.DataFrame({"a": [i, i + 1]})

    with pytest.raises(ComplexityError, match="No space left on device"):
        write_frames(frames(), tmp_path / "out.parquet")
    assert list(tmp_path.iterdir()) == []
    # Row groups are written off the main thread, and the next chunk waits for the one before it.
    assert all(name.startswith("parquet-writer") for name in threads)
    assert len(threads) == 3 and len(produced) <= 5


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
def test_parquet_input_gives_what_the_csv_gives(tmp_path: Path, compat: Any) -> None:
    source = panel_file(tmp_path)
    pd.read_csv(source, dtype={"region": str, "industry": str}).to_parquet(tmp_path / "in.parquet")
    names = tuple(KEYS.values())
    for name in ("in.csv", "in.parquet"):
        complexity_files(tmp_path / name, tmp_path / f"{name}.out.parquet", names, compat=compat)  # type: ignore[arg-type]
    from_csv = pd.read_parquet(tmp_path / "in.csv.out.parquet")
    from_parquet = pd.read_parquet(tmp_path / "in.parquet.out.parquet")
    pd.testing.assert_frame_equal(from_parquet, from_csv)
    assert list(from_parquet["region"].cat.categories) == sorted(from_parquet["region"].cat.categories)


def test_parquet_input_with_a_blank_code_or_number_codes(tmp_path: Path) -> None:
    data = pd.DataFrame(
        {"year": [2020, 2020, 2020], "region": ["370305", " ", "370303"], "industry": ["2614", "2614", "3511"],
         "value": [1.0, 2.0, 3.0]}
    )  # fmt: skip
    data.to_parquet(tmp_path / "blank.parquet")
    with pytest.raises(ComplexityError) as error:
        complexity_files(tmp_path / "blank.parquet", tmp_path / "out.csv")
    assert error.value.zh == "第 1 行的列 region 为空"  # the row's label in the file (0-based index)
    assert error.value.en == "row 1: column region is empty"
    assert not (tmp_path / "out.csv").exists()
    data.assign(region=[370305, 370302, 370303]).to_parquet(tmp_path / "numbers.parquet")
    with pytest.warns(ComplexityWarning, match="not unique"):  # each place has its own industry
        done = complexity_files(tmp_path / "numbers.parquet", tmp_path / "out.csv")
    assert done.rows == 3 * 2 and done.streamed
    assert set(pd.read_csv(tmp_path / "out.csv")["region"]) == {370302, 370303, 370305}


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
def test_categorical_keys_in_any_category_order_give_the_same_table(compat: Any) -> None:
    data = pd.DataFrame(
        {"year": [2021, 2020, 2020, 2020, 2021, 2021], "region": ["b", "c", "a", "b", "a", "c"],
         "industry": ["y", "x", "y", "x", "x", "y"], "value": [4.0, 1.0, 2.0, 3.0, 5.0, 6.0]}
    )  # fmt: skip
    as_text = quiet(complexity_panel, data, compat=compat).table
    shuffled = data.assign(
        year=pd.Categorical(data["year"], categories=[2021, 2020]),
        region=pd.Categorical(data["region"], categories=["c", "b", "a", "unused"]),
        industry=data["industry"].astype("category").cat.reorder_categories(["y", "x"]),
    )
    table = quiet(complexity_panel, shuffled, compat=compat).table
    assert list(table["region"].astype(str)[:4]) == ["a", "a", "b", "b"]  # ascending, as with text keys
    for column in as_text.columns:
        if column in ("year", "region", "industry"):
            assert list(table[column].astype(str)) == list(as_text[column].astype(str)), column
        else:
            pd.testing.assert_series_equal(table[column], as_text[column])


def test_output_gets_the_usual_permissions(tmp_path: Path) -> None:
    source = panel_file(tmp_path)
    old = os.umask(0o022)
    try:
        for name in ("out.csv", "out.parquet"):
            complexity_files(source, tmp_path / name)
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    finally:
        os.umask(old)
