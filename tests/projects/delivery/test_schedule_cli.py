"""`zhaoshang schedule`: JSON and table output, dates, the default template, exit code 2 on bad input.

No test here asks for the database: pytest-django would fail any query, which is the point (planners run the
command on their own files, before or without `migrate`).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

VECTOR = {
    "steps": [
        {"id": "A", "name": "甲", "duration": 3, "predecessors": []},
        {"id": "B", "name": "乙", "duration": 3, "predecessors": ["A"]},
        {"id": "C", "name": "丙", "duration": 4, "predecessors": ["A"]},
        {"id": "D", "name": "丁", "duration": 6, "predecessors": ["A"]},
        {"id": "E", "name": "戊", "duration": 5, "predecessors": ["B", "C", "D"]},
    ]
}


def write(tmp_path: Path, data: Any, name: str = "template.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("schedule", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        run(*args)
    assert info.value.returncode == 2
    assert "\n" not in str(info.value).strip()
    return info.value


def test_json_output_of_the_vector(tmp_path: Path) -> None:
    result = json.loads(run(write(tmp_path, VECTOR), "--format", "json"))
    assert result["duration"] == 14
    assert result["serial_duration"] == 21
    assert result["compression"] == pytest.approx(1 - 14 / 21, abs=1e-4)
    assert result["critical_path"] == ["A", "D", "E"]
    steps = {s["id"]: s for s in result["steps"]}
    assert [s["id"] for s in result["steps"]] == ["A", "B", "C", "D", "E"]
    assert steps["B"] == {
        "id": "B",
        "name": "乙",
        "duration": 3,
        "es": 3,
        "ef": 6,
        "ls": 6,
        "lf": 9,
        "total_float": 3,
        "critical": False,
    }
    assert steps["C"]["total_float"] == 2 and steps["E"]["critical"] is True
    assert "finish_date" not in result


def test_start_date_on_chinese_workdays(tmp_path: Path) -> None:
    data = {
        "steps": [
            {"id": "A", "name": "受理", "duration": 3},
            {"id": "B", "duration": 1, "predecessors": ["A"]},
        ]
    }
    result = json.loads(run(write(tmp_path, data), "--format", "json", "--start", "2024-02-08"))
    steps = {s["id"]: s for s in result["steps"]}
    assert (steps["A"]["start_date"], steps["A"]["finish_date"]) == ("2024-02-08", "2024-02-18")
    assert (steps["B"]["start_date"], steps["B"]["finish_date"]) == ("2024-02-19", "2024-02-19")
    assert (result["start_date"], result["finish_date"]) == ("2024-02-08", "2024-02-19")
    days = json.loads(
        run(write(tmp_path, data), "--format", "json", "--start", "2024-02-08", "--calendar", "days")
    )
    assert days["finish_date"] == "2024-02-11"


def test_table_output_marks_critical_steps(tmp_path: Path) -> None:
    text = run(write(tmp_path, VECTOR), "--start", "2024-03-01")
    lines = text.splitlines()
    row = {name: next(line for line in lines if f" {name} " in line) for name in "ABCDE"}
    assert "★" in row["A"] and "★" in row["D"] and "★" in row["E"]
    assert "★" not in row["B"] and "★" not in row["C"]
    assert "关键路径：A → D → E" in text
    assert "工期 14 个工作日" in text and "2024-03-01" in text


def test_cycle_exits_2_naming_the_steps(tmp_path: Path) -> None:
    data = {
        "steps": [
            {"id": "A", "duration": 1},
            {"id": "B", "duration": 1, "predecessors": ["A", "D"]},
            {"id": "C", "duration": 1, "predecessors": ["B"]},
            {"id": "D", "duration": 1, "predecessors": ["C"]},
        ]
    }
    error = fails(write(tmp_path, data))
    assert "B → C → D → B" in str(error)


def test_unknown_predecessor_exits_2(tmp_path: Path) -> None:
    error = fails(write(tmp_path, {"steps": [{"id": "A", "duration": 1, "predecessors": ["S99"]}]}))
    assert "A" in str(error) and "S99" in str(error)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"steps": [', "JSON"),
        ('{"tasks": []}', "steps"),
        ('{"steps": [{"id": "A"}]}', "duration"),
        ('{"steps": [{"id": "A", "duration": -2}]}', "A"),
    ],
)
def test_malformed_input_exits_2(tmp_path: Path, content: str, fragment: str) -> None:
    assert fragment in str(fails(write(tmp_path, content)))


def test_missing_file_and_bad_date_exit_2(tmp_path: Path) -> None:
    assert "nope.json" in str(fails(str(tmp_path / "nope.json")))
    assert "2024/03/01" in str(fails(write(tmp_path, VECTOR), "--start", "2024/03/01"))
    fails()  # neither a file nor --default-template


def test_calendar_out_of_range_exits_2(tmp_path: Path) -> None:
    assert "2004" in str(fails(write(tmp_path, VECTOR), "--start", "2099-01-01"))


def test_default_template_round_trip(tmp_path: Path) -> None:
    template = json.loads(run("--default-template"))
    assert len(template["steps"]) == 14 and len(template["modules"]) == 6
    assert {"department", "legal_limit", "promised_limit", "milestone", "commitment"} <= set(
        template["steps"][0]
    )
    result = json.loads(run(write(tmp_path, template), "--format", "json"))
    assert (result["duration"], result["serial_duration"]) == (93, 115)
    legal = json.loads(run("--default-template", "--limit", "legal"))
    result = json.loads(run(write(tmp_path, legal, "legal.json"), "--format", "json"))
    assert (result["duration"], result["serial_duration"], result["compression"]) == (215, 315, 0.3175)
    fails("--default-template", write(tmp_path, VECTOR))
