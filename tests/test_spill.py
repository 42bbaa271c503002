"""lactlog.spill: the first pass's activities kept on disk for the second, within a budget, and
removed at the end; the batch's results are the same with or without it."""

from __future__ import annotations

from pathlib import Path

import pytest

import lactlog.spill
from lactlog.batch import analyse_paths
from lactlog.io import read
from lactlog.spill import MemorySlot, SpillSlot, spill_slots

SAMPLE = Path(__file__).parent.parent / "sample_data"
RIDE = SAMPLE / "2026-11-18-threshold-ride.fit"


def test_a_slot_gives_back_what_was_saved_once(tmp_path: Path) -> None:
    activities = read(RIDE)
    slot = SpillSlot(tmp_path / "0.pickle", 64 * 2**20)
    slot.save(activities)
    loaded = slot.load()
    assert loaded is not None and len(loaded) == len(activities)
    assert loaded[0].meta == activities[0].meta
    assert loaded[0].table("samples")["power_w"].tolist() == \
        activities[0].table("samples")["power_w"].tolist()
    assert slot.load() is None  # taken: the file is gone


def test_activities_beyond_the_share_are_not_spilled(tmp_path: Path) -> None:
    slot = SpillSlot(tmp_path / "0.pickle", 1_000)
    slot.save(read(RIDE))
    assert slot.load() is None and not slot.path.exists()


def test_the_budget_is_shared_and_the_directory_removed_even_on_error(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), spill_slots(4, tmp_path / "cache") as slots:
        directory = slots[0].path.parent
        assert directory.is_dir() and len(slots) == 4
        assert directory.parent == tmp_path / "cache" and directory.stat().st_mode & 0o077 == 0
        assert sum(s.max_bytes for s in slots) <= lactlog.spill.SPILL_BUDGET_BYTES
        slots[0].save(read(RIDE))
        raise KeyboardInterrupt
    assert not directory.exists() and list((tmp_path / "cache").iterdir()) == []


def test_a_batch_reads_each_file_once_and_gives_the_results_of_two_reads(
    monkeypatch: pytest.MonkeyPatch, file_reads: list[str]
) -> None:
    reads = file_reads
    files = [RIDE, SAMPLE / "2026-11-16-hiit-run.fit"]
    spilled = analyse_paths(files, merge=False, jobs=1)
    assert sorted(reads) == sorted(f.name for f in files)
    reads.clear()
    monkeypatch.setattr(lactlog.spill, "SPILL_BUDGET_BYTES", 0)  # every file beyond its share
    read_twice = analyse_paths(files, merge=False, jobs=1)
    assert sorted(reads) == sorted(f.name for f in files for _ in range(2))
    assert spilled.sessions == read_twice.sessions


def test_a_batch_of_one_file_keeps_it_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_reads: list[str]
) -> None:
    with spill_slots(1, tmp_path / "cache") as slots:
        assert [type(s) for s in slots] == [MemorySlot]
        activities = read(RIDE)
        slots[0].save(activities)
        assert slots[0].load() is activities and slots[0].load() is None  # taken
    assert not (tmp_path / "cache").exists()  # no spill directory, nothing pickled
    kept = analyse_paths([RIDE], jobs=1)
    assert file_reads == [RIDE.name]
    file_reads.clear()
    monkeypatch.setattr(lactlog.spill, "spill_slots", lambda n, folder: spill_slots(0, folder))
    assert analyse_paths([RIDE], jobs=1).sessions == kept.sessions  # as when read twice
    assert file_reads == [RIDE.name, RIDE.name]


def test_a_damaged_spill_is_read_again_not_failed(tmp_path: Path) -> None:
    slot = SpillSlot(tmp_path / "0.pickle", 64 * 2**20)
    slot.path.write_bytes(b"not a pickle")
    assert slot.load() is None and not slot.path.exists()
    slot.save([lambda: None])  # cannot be pickled: nothing written
    assert not slot.path.exists()
