"""Economic complexity core: oracle tests against ecomplexity 0.5.3 (compat mode), properties of the default
mode, and the external check on real world trade data (skipped when the data file is absent)."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zhaoshang.analytics.complexity import eigen as complexity_eigen
from zhaoshang.analytics.complexity import engine as cx
from zhaoshang.analytics.complexity import table as complexity_table
from zhaoshang.analytics.complexity.engine import ComplexityError, ComplexityWarning, complexity_compute
from zhaoshang.analytics.complexity.panel import OUTPUT_COLUMNS, complexity_panel

ecomplexity_mod = pytest.importorskip("ecomplexity")

COLS = {"time": "year", "loc": "region", "prod": "industry", "val": "value"}
TOL = 1e-9
DATA_DIR = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", "/work/shared/data"))


def reference(data: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    # ecomplexity warns and prints (e.g. the exception of its ``except`` branch) for degenerate years.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        out: pd.DataFrame = ecomplexity_mod.ecomplexity(
            data, COLS, rca_mcp_threshold=threshold, check_logsupermodularity=False, verbose=False
        )
    return out


def reference_proximity(data: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # it prints every year
        warnings.simplefilter("ignore")
        out: pd.DataFrame = ecomplexity_mod.proximity(data, COLS)
    return out


def ours(data: pd.DataFrame, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        return complexity_panel(data, time="year", loc="region", prod="industry", val="value", **kwargs)


def assert_close(a: Any, b: Any, what: str) -> None:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, what
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    assert (nan_a == nan_b).all(), f"{what}: NaN cells differ at {np.flatnonzero(nan_a != nan_b)[:5]}"
    diff = np.abs(a[~nan_a] - b[~nan_a])
    assert diff.size == 0 or diff.max() <= TOL, f"{what}: max |diff| {diff.max():.3g}"


def ill_posed_years(ref: pd.DataFrame) -> set[Any]:
    """Years whose ECI/PCI (or COI) no implementation can reproduce: a degenerate second eigenvalue, an ECI
    uncorrelated with diversity (the sign is a coin toss), or a COI whose spread is rounding noise that
    ecomplexity's z-score blows up. Computed independently of our code, from ecomplexity's own M."""
    bad: set[Any] = set()
    grid = ref[ref["mcp"].notna()].drop_duplicates(["year", "region", "industry"])
    for year, g in grid.groupby("year"):
        m = g.pivot(index="region", columns="industry", values="mcp").to_numpy(dtype=float)
        # ecomplexity solves the eigenproblem on the places and products with diversity and ubiquity > 0 only
        # (its ECI, PCI and COG are then NaN through the mean, but its COI still rests on that eigenvector).
        rows, cols = m.sum(axis=1) > 0, m.sum(axis=0) > 0
        m = m[rows][:, cols]
        if m.shape[0] < 2 or m.shape[1] < 2:
            continue  # nothing to solve: deterministic NaN, compared in full
        d, u = m.sum(axis=1), m.sum(axis=0)
        a = m / np.sqrt(d)[:, None] / np.sqrt(u)[None, :]
        values, vectors = np.linalg.eigh(a.T @ a)
        below = values[-3] if values.size >= 3 else -np.inf
        if m.shape[0] < m.shape[1]:
            below = max(below, 0.0)
        if min(values[-1] - values[-2], values[-2] - below) < 1e-6:
            bad.add(year)
            continue
        kp = vectors[:, -2] / np.sqrt(u)
        kc = (m @ kp) / d
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.corrcoef(d, kc)[
                0, 1
            ]  # NaN for constant diversity: ecomplexity is all NaN, compared in full
        if kc.std() < 1e-9 * max(np.abs(kc).max(), 1e-300) or abs(r) < 1e-6:
            bad.add(year)
            continue
        density = g.pivot(index="region", columns="industry", values="density").to_numpy(dtype=float)
        density = density[rows][:, cols]
        coi = ((density * (1 - m)) * kp).sum(axis=1)
        if coi.std() < 1e-7 * max(np.abs(coi).max(), 1e-300):
            bad.add(year)
    return bad


def assert_same_as_reference(data: pd.DataFrame, threshold: float = 1.0) -> None:
    ref = reference(data, threshold)
    got = ours(data, compat="ecomplexity", threshold=threshold).table
    assert len(got) == len(ref)
    for c in ("region", "industry"):
        assert (got[c].astype(str).to_numpy() == ref[c].astype(str).to_numpy()).all(), c
    for c in ("year", "value", "extra"):
        if c in ref.columns:
            assert_close(got[c], ref[c], c)
    bad = ill_posed_years(ref)
    ok = ~ref["year"].isin(bad).to_numpy()
    for c in OUTPUT_COLUMNS:
        mask = ok if c in ("eci", "pci", "coi", "cog") else np.ones(len(ref), dtype=bool)
        assert_close(got[c].to_numpy()[mask], ref[c].to_numpy()[mask], c)


# --- oracle tests: compat mode against ecomplexity ------------------------------------------------------

# Values are place size × industry size × noise, like real activity: the presence pattern is then mostly
# connected, so that most years' eigenproblems are well posed and ECI/PCI are really compared. Sizes from a
# short list and a noise of exactly 1 in many cells give RCA ties at exactly 1.
SIZES = st.sampled_from([1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 40.0])
NOISE = st.one_of(st.just(1.0), st.sampled_from([0.5, 2.0]), st.floats(0.3, 3.0))


@st.composite
def panels(draw: Any) -> pd.DataFrame:
    """Small panels with ties, missing cells, zero places/industries, duplicate keys, missing values, years
    out of order and an extra column that ecomplexity carries through its merge."""
    years = draw(st.lists(st.sampled_from([2003, 2001, 2002, 2010]), min_size=1, max_size=3, unique=True))
    n_loc = draw(st.integers(3, 8))
    n_prod = draw(st.integers(3, 7))
    locs = [f"{370300 + 7 * i:06d}" for i in range(n_loc)]
    prods = [f"{111 * (j + 1) % 10000:04d}" for j in range(n_prod)]
    rows = []
    for year in years:
        loc_size = {loc: draw(SIZES) for loc in locs}
        prod_size = {prod: draw(SIZES) for prod in prods}
        zero_loc = draw(st.sampled_from([None, None, *locs]))
        zero_prod = draw(st.sampled_from([None, None, *prods]))
        for loc in locs:
            for prod in prods:
                if draw(st.integers(0, 5)) == 0:
                    continue  # a missing cell
                value = round(loc_size[loc] * prod_size[prod] * draw(NOISE), 1)
                rows.append((year, loc, prod, 0.0 if zero_loc == loc or zero_prod == prod else value))
    if rows and draw(st.booleans()):
        for i in draw(st.lists(st.integers(0, len(rows) - 1), max_size=3)):
            year, loc, prod, value = rows[i]
            rows.append((year, loc, prod, draw(st.sampled_from([value, value, 7.0]))))
    if rows and draw(st.integers(0, 4)) == 0:
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = (*rows[i][:3], np.nan)
    order = draw(st.permutations(range(len(rows))))
    data = pd.DataFrame([rows[i] for i in order], columns=["year", "region", "industry", "value"])
    data["extra"] = np.arange(len(data)) * 10
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=panels(), threshold=st.sampled_from([1.0, 1.0, 0.8, 1.3]))
def test_compat_equals_ecomplexity_on_random_panels(data: pd.DataFrame, threshold: float) -> None:
    if data.empty:
        return
    assert_same_as_reference(data, threshold)


@settings(max_examples=15, deadline=None)
@given(data=panels())
def test_compat_proximity_equals_ecomplexity(data: pd.DataFrame) -> None:
    if data.empty:
        return
    ref = reference_proximity(data)
    got = ours(data, compat="ecomplexity", proximity=True).proximity
    assert list(got.columns) == ["year", "industry_1", "industry_2", "proximity"]
    assert len(got) == len(ref)
    assert (got["year"].to_numpy() == ref["year"].to_numpy()).all()
    for c in ("industry_1", "industry_2"):
        assert (got[c].astype(str).to_numpy() == ref[c].astype(str).to_numpy()).all()
    assert_close(got["proximity"], ref["proximity"], "proximity")


@pytest.mark.filterwarnings("ignore::zhaoshang.analytics.complexity.engine.ComplexityWarning")
def test_compat_known_quirks() -> None:
    """The documented oddities of ecomplexity, kept on purpose in compat mode."""
    x = np.array([[5.0, 1, 0, 2], [0, 3, 4, 1], [2, 0, 6, 3], [1, 4, 1, 0]])
    res = complexity_compute(x, compat="ecomplexity")
    assert np.allclose(np.diag(res.proximity), 1.0)  # φ_pp = 1
    # Two places with nothing present (no ``except`` branch): ECI, PCI and COG are NaN for the whole year,
    # because ECI's mean is NaN.
    y = np.array([[5.0, 5, 5, 5], [5, 5, 5, 5], [9, 4, 1, 2], [2, 8, 6, 1], [1, 3, 9, 7], [6, 1, 2, 9]])
    res_high = complexity_compute(y, compat="ecomplexity", threshold=1.5)
    assert (res_high.diversity == 0).sum() == 2
    assert np.isnan(res_high.eci).all() and np.isnan(res_high.pci).all() and np.isnan(res_high.cog).all()
    r, c = np.nonzero(y)
    long = pd.DataFrame({"year": 2000, "region": r.astype(str), "industry": c.astype(str), "value": y[r, c]})
    assert_same_as_reference(long, threshold=1.5)
    with pytest.raises(ComplexityError):
        complexity_compute(x, compat="ecomplexity", strict=True)
    with pytest.raises(ComplexityError):
        complexity_compute(x, compat="ecomplexity", self_proximity=False)


def test_compat_single_zero_diversity_makes_everything_nan() -> None:
    """Exactly one place with diversity 0 sends ecomplexity through its ``except`` branch."""
    rows = [
        (2000, loc, prod, v)
        for loc, vals in zip("abcd", [[9, 1, 1], [1, 9, 1], [1, 1, 9], [3, 3, 3]], strict=True)
        for prod, v in zip("xyz", vals, strict=True)
    ]
    data = pd.DataFrame(rows, columns=["year", "region", "industry", "value"])
    assert_same_as_reference(data, threshold=1.5)
    table = ours(data, compat="ecomplexity", threshold=1.5).table
    assert table["coi"].isna().all() and table["eci"].isna().all()


def test_compat_at_arpack_size() -> None:
    """Above the dense-eigensolver limit the ARPACK path must still match ecomplexity to 1e-9."""
    rng = np.random.default_rng(3)
    x = np.ceil(
        rng.lognormal(0, 1.5, (700, 1)) * rng.lognormal(0, 1.5, (1, 620)) * rng.lognormal(0, 1, (700, 620))
    )
    x[rng.random(x.shape) < 0.6] = 0
    r, c = np.nonzero(x)
    data = pd.DataFrame(
        {
            "year": 2020,
            "region": [f"r{i:04d}" for i in r],
            "industry": [f"{j:04d}" for j in c],
            "value": x[r, c],
        }
    )
    assert_same_as_reference(data)


# --- default mode ----------------------------------------------------------------------------------------


def random_matrix(seed: int, shape: tuple[int, int] = (30, 20), zeros: float = 0.4) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    x = np.round(
        rng.lognormal(0, 1.2, shape[0])[:, None]
        * rng.lognormal(0, 1.2, shape[1])
        * rng.lognormal(0, 1, shape)
        * 10
    )
    x[rng.random(shape) < zeros] = 0
    return x


def test_default_self_proximity_excluded_and_optional() -> None:
    x = random_matrix(1)
    res = complexity_compute(x)
    assert (np.diag(res.proximity)[res.ubiquity > 0] == 0).all()
    with_self = complexity_compute(x, self_proximity=True)
    assert (np.diag(with_self.proximity)[with_self.ubiquity > 0] == 1).all()
    compat = complexity_compute(x, compat="ecomplexity")
    off = ~np.eye(x.shape[1], dtype=bool)
    assert_close(res.proximity[off], compat.proximity[off], "off-diagonal φ")
    # Including self-proximity reproduces ecomplexity's density exactly.
    assert_close(with_self.density, compat.density, "density with φ_pp = 1")


def test_default_formulas_by_brute_force() -> None:
    x = random_matrix(2, (12, 9), zeros=0.3)
    res = complexity_compute(x)
    m = res.mcp.astype(float)
    n_p = x.shape[1]
    phi = np.zeros((n_p, n_p))
    for p in range(n_p):
        for q in range(n_p):
            larger = max(m[:, p].sum(), m[:, q].sum())
            phi[p, q] = 0 if p == q or larger == 0 else (m[:, p] * m[:, q]).sum() / larger
    assert_close(res.proximity, phi, "φ")
    pci = np.nan_to_num(res.pci)
    for c in range(x.shape[0]):
        for p in range(n_p):
            density = (m[c] * phi[p]).sum() / phi[p].sum() if phi[p].sum() else np.nan
            assert_close(res.density[c, p], density, "density")
            cog = (1 - m[c, p]) * sum(
                (1 - m[c, q]) * phi[p, q] * pci[q] / phi[q].sum() for q in range(n_p) if phi[q].sum()
            )
            assert_close(res.cog[c, p], cog, "cog")
        coi = np.nansum(res.density[c] * (1 - m[c]) * pci)
        assert_close(res.coi[c], coi, "coi")


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), shape=st.tuples(st.integers(4, 25), st.integers(4, 25)))
@example(seed=222, shape=(4, 4))  # constant diversity, PCI uncorrelated with ubiquity: the sign is free
def test_default_eci_properties(seed: int, shape: tuple[int, int]) -> None:
    x = random_matrix(seed, shape, zeros=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        res = complexity_compute(x)
    active = res.diversity > 0
    if active.sum() < 2 or np.isnan(res.eci).all():
        return
    eci = res.eci[active]
    assert abs(eci.mean()) < 1e-9 and abs(eci.std() - 1) < 1e-9  # z-scored, ddof 0
    if np.std(res.diversity[active]) > 0:
        # Positive, unless ECI is uncorrelated with diversity and the sign falls back to PCI vs ubiquity.
        assert np.corrcoef(eci, res.diversity[active])[0, 1] > -1e-9
    # PCI shares ECI's scale: a place's ECI is the mean PCI of the industries it has.
    m = res.mcp[active].astype(float)
    pci = np.nan_to_num(res.pci)
    assert_close(eci, (m @ pci) / m.sum(axis=1), "ECI = mean PCI of present industries")
    # Permuting places and industries permutes the results.
    rp, cp = (
        np.random.default_rng(seed).permutation(shape[0]),
        np.random.default_rng(seed + 1).permutation(shape[1]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        perm = complexity_compute(x[rp][:, cp])
    if res.spectral_gap > 1e-6:
        # When ECI is uncorrelated with diversity and PCI with ubiquity, nothing in the matrix tells the
        # eigenvector's sign apart (a network with a mirror symmetry): only the sign may differ, together.
        sign = 1.0 if _sign_determined(res) else float(np.sign(np.nansum(perm.pci * res.pci[cp])))
        assert_close(perm.eci, sign * res.eci[rp], "permuted ECI")
        assert_close(perm.pci, sign * res.pci[cp], "permuted PCI")


def _sign_determined(res: cx.ComplexityResult) -> bool:
    places, industries = res.diversity > 0, res.ubiquity > 0
    pairs = ((res.eci[places], res.diversity[places]), (res.pci[industries], res.ubiquity[industries]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return any(abs(np.corrcoef(a, b)[0, 1]) > 1e-9 for a, b in pairs)


@pytest.mark.filterwarnings("ignore::zhaoshang.analytics.complexity.engine.ComplexityWarning")
def test_threshold_comparison_ge_and_gt() -> None:
    x = np.ones((4, 3))  # every RCA is exactly 1
    assert complexity_compute(x).mcp.all()
    assert not complexity_compute(x, strict=True).mcp.any()
    y = random_matrix(5)
    assert (complexity_compute(y, threshold=2.0).mcp == (cx.revealed_comparative_advantage(y) >= 2.0)).all()


def test_sparse_input_equals_dense() -> None:
    x = random_matrix(7, (40, 25))
    dense = complexity_compute(x)
    for sparse in (scipy.sparse.csr_array(x), scipy.sparse.coo_matrix(x)):
        got = complexity_compute(sparse)
        for name in (
            "rca",
            "mcp",
            "diversity",
            "ubiquity",
            "eci",
            "pci",
            "proximity",
            "density",
            "coi",
            "cog",
        ):
            assert_close(getattr(got, name), getattr(dense, name), name)


def test_zero_totals_are_nan_and_do_not_disturb_the_rest() -> None:
    x = random_matrix(11, (15, 10), zeros=0.2)
    padded = np.zeros((17, 12))
    padded[1:16, 1:11] = x
    base, res = complexity_compute(x), complexity_compute(padded)
    for i in (0, 16):
        assert np.isnan(res.rca[i]).all() and np.isnan(res.eci[i]) and np.isnan(res.coi[i])
        assert res.diversity[i] == 0 and not res.mcp[i].any() and np.isnan(res.density[i]).all()
    for j in (0, 11):
        assert np.isnan(res.pci[j]) and res.ubiquity[j] == 0 and np.isnan(res.cog[:, j]).all()
    assert not res.place_kept[0] and not res.industry_kept[11]
    for name in ("rca", "density", "cog"):
        assert_close(getattr(res, name)[1:16, 1:11], getattr(base, name), name)
    assert_close(res.eci[1:16], base.eci, "eci")
    assert_close(res.pci[1:11], base.pci, "pci")


def test_arpack_path_equals_dense_path(monkeypatch: pytest.MonkeyPatch) -> None:
    x = random_matrix(13, (650, 610), zeros=0.5)
    sparse_path = complexity_compute(x)
    monkeypatch.setattr(complexity_eigen, "DENSE_EIGEN_LIMIT", 10_000)
    dense_path = complexity_compute(x)
    assert_close(sparse_path.eci, dense_path.eci, "eci")
    assert_close(sparse_path.pci, dense_path.pci, "pci")


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
@pytest.mark.parametrize("shape", [(3, 3), (0, 3), (3, 0), (1, 4), (4, 1)])
def test_degenerate_shapes_give_nan_not_errors(shape: tuple[int, int], compat: Any) -> None:
    x = np.ones(shape) if 1 in shape else np.zeros(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ComplexityWarning)
        res = complexity_compute(x, compat=compat)
    assert res.rca.shape == shape and res.proximity.shape == (shape[1], shape[1])
    assert np.isnan(res.eci).all() and np.isnan(res.pci).all()


def test_bad_input_and_warnings() -> None:
    with pytest.raises(ComplexityError) as err:
        complexity_compute(np.array([[1.0, -1.0], [2.0, 3.0]]))
    assert err.value.en and "负值" in str(err.value)
    with pytest.raises(ComplexityError):
        complexity_compute(np.array([[1.0, np.inf], [2.0, 3.0]]))
    with pytest.raises(ComplexityError):
        complexity_compute(np.ones(3))
    x = random_matrix(3)
    with_nan = x.copy()
    with_nan[x == 0] = np.nan
    assert_close(complexity_compute(with_nan).eci, complexity_compute(x).eci, "NaN read as 0")
    blocks = np.kron(np.eye(2), [[3.0, 1], [1, 2], [2, 2]])  # two disconnected blocks: λ₂ = λ₁ = 1
    with pytest.warns(ComplexityWarning):
        complexity_compute(blocks)


# --- panel, default mode ---------------------------------------------------------------------------------


def test_panel_default_rows_and_labels() -> None:
    data = pd.DataFrame(
        {
            "year": [2021, 2020, 2020, 2020, 2020, 2021, 2021, 2020],
            "region": ["370305", "370303", "370305", "370303", "370302", "370303", "370305", "370305"],
            "industry": ["0111", "0111", "2614", "2614", "0111", "2614", "2614", "0111"],
            "value": [3.0, 5, 1, 2, 0, 4, 4, 2],
        }
    )
    res = ours(data, proximity=True)
    t = res.table
    assert list(t.columns) == ["year", "region", "industry", "value", *OUTPUT_COLUMNS]
    # 2020: 3 places × 2 industries; 2021: 2 × 2; sorted by year, place, industry; missing cells are 0.
    assert len(t) == 10 and t["year"].tolist() == [2020] * 6 + [2021] * 4
    assert t["region"].astype(str).tolist()[:6] == [
        "370302",
        "370302",
        "370303",
        "370303",
        "370305",
        "370305",
    ]
    assert set(t["industry"].astype(str)) == {"0111", "2614"}
    zero_place = t[(t["year"] == 2020) & (t["region"] == "370302")]
    assert zero_place["value"].tolist() == [0.0, 0.0] and zero_place["eci"].isna().all()
    assert (zero_place["mcp"] == 0).all() and zero_place["rca"].isna().all()
    assert list(res.proximity.columns) == ["year", "industry_1", "industry_2", "proximity"]
    assert (res.proximity["industry_1"] != res.proximity["industry_2"]).all()
    assert (res.years, res.places, res.industries) == (2, 3, 2)


def test_panel_default_equals_core_per_year() -> None:
    rng = np.random.default_rng(5)
    frames = []
    for year in (2019, 2020):
        x = random_matrix(int(rng.integers(1000)), (9, 7), zeros=0.3)
        r, c = np.nonzero(x)
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "region": [f"p{i}" for i in r],
                    "industry": [f"i{j}" for j in c],
                    "value": x[r, c],
                }
            )
        )
    data = pd.concat(frames, ignore_index=True)
    t = ours(data).table
    for year, g in data.groupby("year"):
        x = g.pivot_table(index="region", columns="industry", values="value", fill_value=0.0)
        res = complexity_compute(x.to_numpy())
        part = t[t["year"] == year]
        assert_close(part["eci"].to_numpy().reshape(x.shape)[:, 0], res.eci, "eci")
        assert_close(part["cog"].to_numpy(), res.cog.ravel(), "cog")
        assert_close(part["density"].to_numpy(), res.density.ravel(), "density")


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
def test_panel_mapped_columns_equal_ordinary_ones(monkeypatch: pytest.MonkeyPatch, compat: Any) -> None:
    """Large panels get their output columns from private mappings, their pages mapped ahead by a background
    thread in small steps: forced here on a small panel, the table must be the same, byte for byte."""
    rng = np.random.default_rng(11)
    frames = []
    for year in (2020, 2021, 2022):
        x = random_matrix(int(rng.integers(1000)), (23, 17), zeros=0.3)
        r, c = np.nonzero(x)
        frames.append(pd.DataFrame({"year": year, "region": r, "industry": c, "value": x[r, c]}))
    data = pd.concat(frames, ignore_index=True)
    plain = ours(data, compat=compat).table
    monkeypatch.setattr(complexity_table, "MAPPED_COLUMN_BYTES", 0)
    monkeypatch.setattr(complexity_table, "PREFAULT_ROWS", 100)
    mapped = ours(data, compat=compat).table
    assert complexity_table._mapping_of(mapped["cog"].to_numpy()) is not None
    pd.testing.assert_frame_equal(mapped, plain, check_exact=True)


def test_panel_duplicates_and_errors() -> None:
    data = pd.DataFrame(
        {
            "year": [1, 1, 1, 1],
            "region": ["a", "a", "b", "b"],
            "industry": ["x", "x", "x", "y"],
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    assert ours(data).table["value"].tolist() == [3.0, 0.0, 3.0, 4.0]
    assert ours(data, duplicates="first").table["value"].tolist() == [1.0, 0.0, 3.0, 4.0]
    with pytest.raises(ComplexityError):
        ours(data, duplicates="error")
    with pytest.raises(ComplexityError):
        complexity_panel(data, time="yr")
    with pytest.raises(ComplexityError):
        ours(data.assign(value=["1", "2", "3", "x"]))
    with pytest.raises(ComplexityError):
        ours(data.assign(value=[1.0, -2.0, 3.0, 4.0]))


# --- external check: real world trade, SITC rev. 2, 1998–2000 ---------------------------------------------


@pytest.fixture(scope="module")
def world_trade() -> tuple[pd.DataFrame, pd.Series[float]]:
    trade_file = DATA_DIR / "world_trade_sitc2_1998_2000.csv"
    gdp_file = DATA_DIR / "world_gdp_pc_1998_2000.csv"
    if not trade_file.exists() or not gdp_file.exists():
        pytest.skip(f"world trade data not found in {DATA_DIR}")
    trade = pd.read_csv(trade_file, dtype={"country": str, "product": str})
    gdp = pd.read_csv(gdp_file, dtype={"country": str}).set_index("country")["value"]
    # The 128 largest exporters among the countries with a GDP figure (see docs/benchmarks-complexity.md).
    totals = trade.groupby("country")["value"].sum()
    top = totals[totals.index.isin(gdp.index)].nlargest(128).index
    return trade[trade["country"].isin(top)], gdp


def country_eci(table: pd.DataFrame) -> pd.Series[float]:
    return table.groupby("country", observed=True)["eci"].first().sort_values(ascending=False)


def test_world_trade_compat(world_trade: tuple[pd.DataFrame, pd.Series[float]]) -> None:
    trade, gdp = world_trade
    table = complexity_panel(
        trade, time="year", loc="country", prod="product", val="value", compat="ecomplexity"
    ).table
    eci = country_eci(table)
    assert [str(c) for c in eci.index[:5]] == ["jpn", "gbr", "deu", "usa", "che"]
    eci.index = eci.index.astype(str)
    joined = pd.concat([eci, np.log(gdp)], axis=1, join="inner")
    r = np.corrcoef(joined.iloc[:, 0], joined.iloc[:, 1])[0, 1]
    assert abs(r - 0.54) <= 0.03


def test_world_trade_default_mode(world_trade: tuple[pd.DataFrame, pd.Series[float]]) -> None:
    trade, _ = world_trade
    kwargs: dict[str, Any] = {"time": "year", "loc": "country", "prod": "product", "val": "value"}
    default = complexity_panel(trade, **kwargs).table
    compat = complexity_panel(trade, compat="ecomplexity", **kwargs).table
    # ECI does not depend on self-proximity, so both modes agree on it (and so on the top five).
    assert_close(default["eci"], compat["eci"], "eci")
    assert [str(c) for c in country_eci(default).index[:5]] == ["jpn", "gbr", "deu", "usa", "che"]
    # With self-proximity included the default mode's density is ecomplexity's.
    with_self = complexity_panel(trade, self_proximity=True, **kwargs).table
    assert_close(with_self["density"], compat["density"], "density with φ_pp = 1")
    top = ", ".join(str(c) for c in country_eci(default).index[:5])
    print(f"default mode, ECI top five: {top}")


@pytest.mark.parametrize("compat", [None, "ecomplexity"])
def test_products_by_blocks_of_rows_equal_the_whole_product(
    monkeypatch: pytest.MonkeyPatch, compat: Any
) -> None:
    # Density and COG multiply M by φ a block of rows at a time; a small matrix is a single block.
    x = random_matrix(11, (23, 9), zeros=0.3)
    whole = complexity_compute(x, compat=compat)
    hit = whole.mcp.astype(bool)
    right = np.random.default_rng(3).random((9, 9))
    expected = hit.astype(np.float64) @ right
    monkeypatch.setattr(cx, "_PRODUCT_BLOCK_BYTES", 8 * 9 * 2)  # two rows a block, the last one alone
    assert_close(cx._presence_product(hit, right, None), expected, "M @ right by blocks")
    into = np.full((23, 9), np.nan)
    assert cx._presence_product(hit, right, into) is into
    assert_close(into, expected, "M @ right into out")
    blocks = complexity_compute(x, compat=compat)
    for name in ("density", "coi", "cog", "eci", "pci"):
        assert_close(getattr(blocks, name), getattr(whole, name), name)
