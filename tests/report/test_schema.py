"""Real outputs of analyze, show and week validate against schema/lactlog-output.schema.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from lactlog.cli import app

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "lactlog-output.schema.json").read_text())
SAMPLE = ROOT / "sample_data"
runner = CliRunner()


def _validator(definition: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]})


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_schema_itself_is_valid() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    ("definition", "args"),
    [
        ("analyze", ["analyze", str(SAMPLE), "--json"]),
        ("analyze", ["analyze", str(SAMPLE), "--json", "--cp", "250", "--w-prime", "20000"]),
        ("show", ["show", str(SAMPLE / "2026-11-18-threshold-ride.fit"), "--json"]),
        ("week", ["week", str(SAMPLE), "--json"]),
    ],
)
def test_outputs_validate(definition: str, args: list[str]) -> None:
    document = _json(args)
    errors = sorted(_validator(definition).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert Draft202012Validator(SCHEMA).is_valid(document)


def test_ndjson_lines_are_the_same_records() -> None:
    result = runner.invoke(app, ["analyze", str(SAMPLE), "--ndjson"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    document = _json(["analyze", str(SAMPLE), "--json"])
    sessions = [line for line in lines if line["kind"] == "session"]
    assert len(sessions) == len(document["sessions"])
    session_validator = _validator("session")
    for line in sessions:
        record = {k: v for k, v in line.items() if k not in ("kind", "schema_version")}
        assert session_validator.is_valid(record)


def test_csv_has_one_row_per_session_and_no_nan() -> None:
    import csv
    import io

    result = runner.invoke(app, ["analyze", str(SAMPLE), "--csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(_json(["analyze", str(SAMPLE), "--json"])["sessions"])
    for row in rows:
        for value in row.values():
            if value:
                try:
                    assert not math.isnan(float(value))
                except ValueError:
                    pass
    assert "\x1b[" not in result.stdout and "[bold]" not in result.stdout
