"""The generated plain-data FIT profile is fitparse's profile, and reading needs no fitparse."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import REPO_ROOT
from lactlog.io.fit.profile import enum_code, enum_name, field_spec, message_number, product_name


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_fit_profile", REPO_ROOT / "scripts" / "make_fit_profile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_profile_data_is_current_with_fitparse() -> None:
    generator = _generator()
    assert generator.TARGET.read_text(encoding="utf-8") == generator.render(), (
        "profile_data.py is out of date: run python scripts/make_fit_profile.py")


def test_lookups_give_the_sdk_values() -> None:
    # FIT SDK Profile.xlsx: record = 20, record.speed (6) has scale 1000, units m/s;
    # record.compressed_speed_distance (8) packs speed (12 bits, scale 100) and distance
    assert message_number("record") == 20
    speed = field_spec(20, 6)
    assert speed is not None and (speed.name, speed.scale, speed.offset) == ("speed", 1000.0, 0.0)
    packed = field_spec(20, 8)
    assert packed is not None
    assert [(c.target, c.bits, c.scale) for c in packed.components] == [
        ("speed", 12, 100.0), ("distance", 12, 16.0)]
    assert enum_name("sport", 1) == "running" and enum_code("event", "timer") == 0
    assert enum_name("sport", 250) == "250"
    # Garmin (manufacturer 1) product 3113 is the Forerunner 945 in the profile's garmin_product
    assert product_name(1, 3113) == "fr945"


def test_reading_a_fit_file_does_not_import_fitparse() -> None:
    script = (
        "import sys\n"
        "from lactlog.io import read\n"
        f"activities = read({str(REPO_ROOT / 'sample_data' / '2026-11-16-hiit-run.fit')!r})\n"
        "assert activities and activities[0].samples.shape[0] > 0\n"
        "print('fitparse' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
