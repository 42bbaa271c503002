"""XML policy and memory bound of the TCX and GPX readers (issue 14, classes 5 and 6).

* No DTD, whatever the encoding: a DOCTYPE/ENTITY is refused inside expat, so a UTF-16 file
  without a byte-order mark cannot slip an entity past a byte pattern.
* The sniffer reads the root element, so a name inside a comment is not a format.
* Depth, token and text limits of :mod:`lactlog.io.xmlstream`; session and lap caps.
* Memory: the worst cases of :mod:`lactlog.testing.hostile_xml`, each read in a forked child
  under ``RLIMIT_AS`` (1 GiB above what the child had mapped), give a result or one clear
  LactlogError within seconds, and the read's peak RSS stays within the bound README states
  (8 x the decoded size + 64 MiB; measured at most 1.4 x).

Time budget: about 15 s (most of it the subprocess).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO_ROOT
from lactlog.cli import app
from lactlog.errors import CorruptFileError, LactlogError, UnsupportedFormatError
from lactlog.io import read, read_bytes
from lactlog.io import tcx as tcx_module
from lactlog.io.common import RawInput
from lactlog.io.gpx import read_gpx
from lactlog.io.tcx import read_tcx
from lactlog.io.xmlstream import CHUNK_BYTES, MAX_DEPTH, MAX_TEXT_CHARS, MAX_TOKEN_BYTES
from lactlog.testing import hostile_xml

RUNNER = Path(__file__).with_name("xml_worst_runner.py")
#: Address space the child may map beyond what it had [bytes].
ADDRESS_LIMIT = 2**30
#: The stated bound: peak RSS of one read above the process before it [bytes].
def memory_bound(decoded_bytes: int) -> int:
    return 8 * decoded_bytes + 64 * 2**20


TCX_ONE = (
    "<TrainingCenterDatabase><Activities><Activity Sport='Running'><Lap><Track><Trackpoint>"
    "<Time>2024-01-01T00:00:00Z</Time><HeartRateBpm><Value>140</Value></HeartRateBpm>"
    "</Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>"
)
GPX_ONE = (
    "<gpx version='1.1' creator='x'><trk><trkseg><trkpt lat='1' lon='2'>"
    "<time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>"
)
_DOCTYPES = {
    "internal entity": '<!DOCTYPE {root} [<!ENTITY e "x">]>',
    "external entity": '<!DOCTYPE {root} [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "parameter entity": '<!DOCTYPE {root} [<!ENTITY % p SYSTEM "http://x/y.dtd"> %p;]>',
    "external DTD": '<!DOCTYPE {root} SYSTEM "http://example.com/x.dtd">',
    "bare DOCTYPE": "<!DOCTYPE {root}>",
    "after a comment": "<!-- hi --><!DOCTYPE {root} [<!ENTITY e 'x'>]>",
}
_ENCODINGS = {  # how the document is written: codec, XML declaration, leading bytes
    "utf-8": ("utf-8", '<?xml version="1.0" encoding="UTF-8"?>', b""),
    "utf-8 BOM": ("utf-8", '<?xml version="1.0"?>', b"\xef\xbb\xbf"),
    "utf-16-le no BOM": ("utf-16-le", "", b""),
    "utf-16-be no BOM": ("utf-16-be", "", b""),
    "utf-16-le BOM": ("utf-16-le", '<?xml version="1.0" encoding="UTF-16"?>', b"\xff\xfe"),
    "utf-16-be BOM": ("utf-16-be", '<?xml version="1.0" encoding="UTF-16"?>', b"\xfe\xff"),
    "latin-1": ("latin-1", '<?xml version="1.0" encoding="ISO-8859-1"?>', b""),
}


def _encoded(text: str, encoding: str) -> bytes:
    codec, declaration, prefix = _ENCODINGS[encoding]
    return prefix + (declaration + text).encode(codec)


@pytest.mark.parametrize("encoding", list(_ENCODINGS))
@pytest.mark.parametrize("doctype", list(_DOCTYPES))
@pytest.mark.parametrize(("suffix", "body", "root"), [
    (".tcx", TCX_ONE, "TrainingCenterDatabase"), (".gpx", GPX_ONE, "gpx"),
])  # fmt: skip
def test_any_dtd_is_refused_in_any_encoding(
    tmp_path: Path, suffix: str, body: str, root: str, doctype: str, encoding: str
) -> None:
    data = _encoded(_DOCTYPES[doctype].format(root=root) + body.replace("140", "&e;"), encoding)
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    with pytest.raises(UnsupportedFormatError, match="DOCTYPE/ENTITY declaration"):
        read(path)
    reader = read_tcx if suffix == ".tcx" else read_gpx  # the readers refuse on their own too
    with pytest.raises(UnsupportedFormatError, match="DOCTYPE/ENTITY declaration"):
        reader(RawInput.from_bytes(path.name, data))


@pytest.mark.parametrize("encoding", list(_ENCODINGS))
def test_documents_in_any_encoding_are_read(encoding: str) -> None:
    for name, body in (("x.tcx", TCX_ONE), ("x.gpx", GPX_ONE)):
        activities = read_bytes(_encoded(body, encoding), name)
        assert len(activities) == 1 and len(activities[0].samples) == 1


def test_entity_bomb_in_gzip_is_refused_and_caches_nothing(tmp_path: Path) -> None:
    """Issue 14: 35 kB of .tcx.gz amplified within expat's limit reached 3 GB RSS and stored a
    750 MB cache row; now it is refused before any expansion, and nothing is cached."""
    _, data = hostile_xml.entity_amplification_tcx(4 * 2**20)
    path = tmp_path / "amplified.tcx.gz"
    path.write_bytes(gzip.compress(data))
    result = CliRunner().invoke(app, ["analyze", "--json", str(path)])
    assert result.exit_code == 1
    assert "DOCTYPE/ENTITY" in result.stderr and "Traceback" not in result.output
    cache = Path(os.environ["LACTLOG_CACHE_DIR"])
    cached = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file())
    assert cached < 1_000_000


def test_a_name_in_a_comment_is_not_a_format(tmp_path: Path) -> None:
    for text in (
        "<?xml version='1.0'?><!-- <TrainingCenterDatabase> --><html></html>",
        "<!-- <gpx> --><?pi TrainingCenterDatabase?><kml/>",
    ):
        path = tmp_path / "x.tcx"
        path.write_text(text)
        with pytest.raises(UnsupportedFormatError, match=r"root is <(html|kml)>, neither TCX"):
            read(path)


def test_nesting_beyond_the_limit_is_refused() -> None:
    inside = "<e>" * (MAX_DEPTH - 6) + "</e>" * (MAX_DEPTH - 6)  # just within: read
    assert read_bytes(GPX_ONE.replace("<time>", inside + "<time>").encode(), "x.gpx")
    deeper = "<e>" * MAX_DEPTH + "</e>" * MAX_DEPTH
    with pytest.raises(CorruptFileError, match=f"nested deeper than {MAX_DEPTH} levels"):
        read_bytes(TCX_ONE.replace("<Time>", deeper + "<Time>").encode(), "x.tcx")


def test_deep_nesting_in_gzip_is_refused_at_once() -> None:
    """Issue 14: a 102 kB .tcx.gz of deep nesting reached 4.4 GB in 20 s."""
    _, data = hostile_xml.deep_tcx(100 * 2**20)
    packed = gzip.compress(data, compresslevel=9)
    assert len(packed) < 200_000
    with pytest.raises(CorruptFileError, match="nested deeper"):
        read_bytes(packed, "deep.tcx.gz")


def test_limits_are_one_line_naming_the_file(tmp_path: Path) -> None:
    _, data = hostile_xml.deep_tcx(2**20)
    path = tmp_path / "deep.tcx.gz"
    path.write_bytes(gzip.compress(data))
    result = CliRunner().invoke(app, ["analyze", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    message = f"TCX XML nested deeper than {MAX_DEPTH} levels (exports nest about 10)"
    assert errors == [f"error: {path}: {message}; refusing to read it"]


def test_token_and_text_limits() -> None:
    value = "x" * (MAX_TOKEN_BYTES + CHUNK_BYTES)
    long_tag = GPX_ONE.replace("creator='x'", f"creator='{value}'")
    with pytest.raises(CorruptFileError, match="tag or comment longer than 4 MiB"):
        read_bytes(long_tag.encode(), "x.gpx")
    name = "N" * (3 * MAX_TEXT_CHARS)
    creator = f"<Creator><Name>{name}</Name></Creator></Activity>"
    (activity,) = read_bytes(TCX_ONE.replace("</Activity>", creator).encode(), "x.tcx")
    assert activity.meta.product == name[:MAX_TEXT_CHARS]


def test_sessions_and_laps_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tcx_module, "MAX_LAPS", 2)
    activity = TCX_ONE.split("<Activities>")[1].split("</Activities>")[0]
    laps = activity.replace("<Lap>", "<Lap/><Lap/><Lap>")  # three laps, the points in the last
    text = f"<TrainingCenterDatabase><Activities>{laps * 5}</Activities></TrainingCenterDatabase>"
    activities = read_tcx(RawInput.from_bytes("x.tcx", text.encode()), max_sessions=3)
    assert len(activities) == 3
    assert all(len(a.laps) == 2 and len(a.samples) == 1 for a in activities)
    assert any("first 3 <Activity> elements" in w and "2 more were left out" in w
               for w in activities[0].meta.warnings)
    assert any("only the first 2 laps" in w for w in activities[0].meta.warnings)


#: (case, size [bytes]): refusals are instant, so those are big; the rest is parsed in full.
WORST_CASES = [
    ("deep_tcx", 64 * 2**20),
    ("deep_gpx", 64 * 2**20),
    ("huge_attribute_gpx", 64 * 2**20),
    ("huge_text_tcx", 64 * 2**20),
    ("entity_amplification_tcx", 64 * 2**20),
    ("entity_bomb_tcx", 0),
    ("entity_bomb_utf16le_tcx", 0),
    ("entity_bomb_utf16be_gpx", 0),
    ("comment_only_tcx", 0),
    ("many_comments_gpx", 16 * 2**20),
    ("flat_elements_tcx", 2**20),
    ("tiny_points_tcx", 2 * 2**20),
    ("tiny_points_gpx", 2 * 2**20),
    ("untimed_points_gpx", 2**20),
    ("many_laps_tcx", 2**20),
]
#: What each case must give: an outcome prefix.
EXPECTED = {
    "deep_tcx": "CorruptFileError: TCX XML nested deeper",
    "deep_gpx": "CorruptFileError: GPX XML nested deeper",
    "huge_attribute_gpx": "CorruptFileError: XML with a tag or comment longer",
    "huge_text_tcx": "EmptyFileError",
    "entity_amplification_tcx": "UnsupportedFormatError: XML file with a DOCTYPE",
    "entity_bomb_tcx": "UnsupportedFormatError: XML file with a DOCTYPE",
    "entity_bomb_utf16le_tcx": "UnsupportedFormatError: XML file with a DOCTYPE",
    "entity_bomb_utf16be_gpx": "UnsupportedFormatError: XML file with a DOCTYPE",
    "comment_only_tcx": "UnsupportedFormatError: an XML file whose root is <html>",
    "many_comments_gpx": "EmptyFileError",
    "flat_elements_tcx": "ok 1 sessions",
    "tiny_points_tcx": "ok 1 sessions",
    "tiny_points_gpx": "ok 1 sessions",
    "untimed_points_gpx": "ok 1 sessions",
    "many_laps_tcx": "ok 1 sessions",
}


@pytest.fixture(scope="module")
def worst_case_reports() -> dict[str, dict]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT / "src")}
    reports: dict[str, dict] = {}
    for size in sorted({s for _, s in WORST_CASES}):
        cases = [c for c, s in WORST_CASES if s == size]
        done = subprocess.run(
            [sys.executable, str(RUNNER), str(size), str(ADDRESS_LIMIT), *cases],
            capture_output=True, text=True, timeout=300, env=env, check=True,
        )
        for line in done.stdout.splitlines():
            report = json.loads(line)
            reports[report["case"]] = report
    return reports


@pytest.mark.parametrize("case", [c for c, _ in WORST_CASES])
def test_worst_case_under_an_address_space_limit(worst_case_reports: dict, case: str) -> None:
    report = worst_case_reports[case]
    assert report["outcome"].startswith(EXPECTED[case]), report
    assert report["seconds"] < 10, report
    assert report["read_peak_rss_bytes"] <= memory_bound(report["decoded_bytes"]), report


def test_gpx_tracks_are_capped() -> None:
    track = GPX_ONE.split("<gpx version='1.1' creator='x'>")[1].split("</gpx>")[0]
    text = f"<gpx>{track * 4}</gpx>"
    activities = read_gpx(RawInput.from_bytes("x.gpx", text.encode()), max_sessions=2)
    assert len(activities) == 2
    assert "first 2 <trk> elements of the file were read; 2 more" in activities[0].meta.warnings[-1]


def test_every_worst_case_is_covered() -> None:
    assert {c for c, _ in WORST_CASES} | {"many_activities_tcx"} == set(hostile_xml.WORST_CASES)
    assert set(EXPECTED) == {c for c, _ in WORST_CASES}


def test_worst_cases_only_raise_lactlog_errors() -> None:
    """In process, small: the same documents never raise anything else."""
    for case, build in hostile_xml.WORST_CASES.items():
        name, data = build(4096)
        try:
            read_bytes(data, name)
        except LactlogError:
            pass
        assert case
