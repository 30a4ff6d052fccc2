"""Starting up loads no heavy library: a web worker (Django set up, the URLconf with every view imported) and a
management command (the system checks, the `jobs` command) import none of pandas, DuckDB, SciPy, PyArrow,
numpy, shapely, pyproj, networkx, openpyxl or python-docx; each loads where it is used (DESIGN.md, second round).

One exception is the library's, not ours: django-import-export's admin module, which Django's admin imports at
start like every app's, reads its spreadsheet formats when imported and so loads openpyxl (and numpy, which
openpyxl imports when installed). The first two tests allow exactly that, and check who imported them; the third
leaves that module out, so that whatever our code loads shows, even a library the admin module loaded first.
Timing is bench/startup.py's business, not a test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "duckdb", "scipy", "pyarrow", "numpy", "shapely", "pyproj", "networkx", "openpyxl", "docx")
BY_IMPORT_EXPORT = {"openpyxl", "numpy"}

# Notes, for each heavy library, the modules on the stack when it was first imported (innermost first), then
# starts up as asked and prints what was loaded as JSON.
PROBE = """
import json, sys, types

HEAVY = set(sys.argv[2].split(","))
first: dict[str, list[str]] = {}


class Recorder:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HEAVY and top not in first and top not in sys.modules:
            frame, chain = sys._getframe(1), []
            while frame is not None:
                module = frame.f_globals.get("__name__", "")
                if not module.startswith(("importlib", "_frozen")) and module not in chain[-1:]:
                    chain.append(module)
                frame = frame.f_back
            first[top] = chain
        return None


sys.meta_path.insert(0, Recorder())
if "without-import-export-admin" in sys.argv[1]:
    sys.modules["import_export.admin"] = types.ModuleType("import_export.admin")

import django

django.setup()
if "web" in sys.argv[1]:
    import zhaoshang.urls  # noqa: F401  (every view, as a worker's first request does)
if "command" in sys.argv[1]:
    from django.core.management import call_command, get_commands, load_command_class

    call_command("check")  # the checks every command runs first: URLs, templates, models
    load_command_class(get_commands()["jobs"], "jobs")
loaded = sorted(name for name in HEAVY if name in sys.modules)
print(json.dumps({"loaded": loaded, "first": {name: first.get(name, []) for name in loaded}}))
"""


def start(tmp_path: Path, mode: str) -> dict[str, object]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhaoshang.settings", "ZHAOSHANG_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("mode", ["web", "command"])
def test_starting_up_loads_no_heavy_library_of_ours(tmp_path: Path, mode: str) -> None:
    result = start(tmp_path, mode)
    loaded, first = result["loaded"], result["first"]
    assert isinstance(loaded, list) and isinstance(first, dict)
    assert set(loaded) <= BY_IMPORT_EXPORT, f"loaded at start: {loaded}; first imported by {first}"
    for name in loaded:
        chain = first[name]
        assert "import_export.admin" in chain, f"{name} first imported by {chain}"
        assert not [module for module in chain if module.startswith("zhaoshang")], f"{name}: {chain}"


def test_without_import_export_admin_nothing_heavy_loads(tmp_path: Path) -> None:
    result = start(tmp_path, "web,command,without-import-export-admin")
    assert result["loaded"] == [], f"first imported by {result['first']}"
