"""Starting up loads no heavy library: a web worker (Django set up, the URLconf with every view imported) and a
management command (the system checks, the `jobs` command) import none of pandas, DuckDB, SciPy, PyArrow,
numpy, shapely, pyproj, networkx, openpyxl or python-docx; each loads where it is used (DESIGN.md, second round).

django-import-export's admin module would load openpyxl (and numpy) when imported; Django's admin imports every
app's admin module at start, so the admin's app config (`zhaoshang.web.apps.AdminConfig`) leaves that one out —
we use none of its admin classes. A test checks that the admin still lists our models. Timing is
bench/startup.py's business, not a test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "duckdb", "scipy", "pyarrow", "numpy", "shapely", "pyproj", "networkx", "openpyxl", "docx")

# Notes, for each heavy library, the modules on the stack when it was first imported (innermost first), then
# starts up as asked and prints what was loaded as JSON.
PROBE = """
import json, sys

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
def test_starting_up_loads_no_heavy_library(tmp_path: Path, mode: str) -> None:
    result = start(tmp_path, mode)
    assert result["loaded"] == [], f"first imported by {result['first']}"


@pytest.mark.usefixtures("as_test_actor")  # admin_client creates its superuser directly
def test_the_admin_still_lists_our_models_and_skips_import_export(admin_client: object) -> None:
    """Leaving import-export's admin module out must not lose an admin page of ours."""
    response = admin_client.get("/admin/")  # type: ignore[attr-defined]
    assert response.status_code == 200
    page = response.content.decode()
    for path in ("/admin/core/district/", "/admin/core/job/", "/admin/auth/user/"):
        assert path in page
    assert "import_export.admin" not in sys.modules
