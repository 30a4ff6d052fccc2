"""`zhaoshang schedule`: JSON and table output, dates, the default template, exit code 2 on bad input.

Plans within the calendar package's years never ask for the database: pytest-django would fail any query,
which is the point (planners run the command on their own files, before or without `migrate`). Plans that reach
a later year read the holiday notices an administrator may have entered, so those tests have a database.
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


def test_calendar_before_the_rules_exits_2(tmp_path: Path) -> None:
    assert "2000" in str(fails(write(tmp_path, VECTOR), "--start", "1999-06-01"))


TEN_DAYS = {"steps": [{"id": "A", "name": "受理", "duration": 10}]}


@pytest.mark.django_db
def test_a_plan_into_2027_is_provisional_and_skips_the_spring_festival(tmp_path: Path) -> None:
    result = json.loads(run(write(tmp_path, TEN_DAYS), "--format", "json", "--start", "2027-02-01"))
    # 除夕 2027-02-05 to 02-10 off (初一/初二 on the weekend made up on 9–10日): the tenth working day is 02-18.
    assert (result["start_date"], result["finish_date"]) == ("2027-02-01", "2027-02-18")
    assert result["provisional"] is True and result["provisional_years"] == [2027]
    assert len(result["warnings"]) == 1 and "2027" in result["warnings"][0]
    assert result["warnings"][0].startswith("含暂定假日(国务院通知未发布)")
    table = run(write(tmp_path, TEN_DAYS), "--start", "2027-02-01")
    assert "完成 2027-02-18" in table and "⚠ 含暂定假日(国务院通知未发布)" in table
    # Within the published years nothing is provisional.
    known = json.loads(run(write(tmp_path, TEN_DAYS), "--format", "json", "--start", "2024-03-01"))
    assert known["provisional"] is False and known["warnings"] == []


@pytest.mark.django_db
def test_an_entered_notice_replaces_the_provisional_days(tmp_path: Path, as_test_actor: Any) -> None:
    import datetime

    from zhaoshang.core.models import CalendarAdjustment

    # An invented notice: 2027-02-05 to 02-13 off, Sunday 02-14 worked.
    for day in range(5, 14):
        CalendarAdjustment.objects.create(date=datetime.date(2027, 2, day), kind="off", notice="测试通知")
    CalendarAdjustment.objects.create(date=datetime.date(2027, 2, 14), kind="work", notice="测试通知")
    result = json.loads(run(write(tmp_path, TEN_DAYS), "--format", "json", "--start", "2027-02-01"))
    # 02-01..04 (4), Sunday 02-14 (5), 02-15..19 (10).
    assert result["finish_date"] == "2027-02-19"
    assert result["provisional"] is False and result["warnings"] == []


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
