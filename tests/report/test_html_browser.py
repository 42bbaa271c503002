"""The report of sample_data/ opened in headless Chromium, as a person would look at it.

Two runs of Debian's ``chromium`` (skipped with a reason when it is not installed; ``.ci/run``
installs it where it can), both with every host name mapped to nothing and a proxy that does
not exist, so a request could not leave the machine even if the page made one:

1. the report as written: a screenshot (kept in the test's temp dir as ``report.png``, the CI
   artefact), which must not be blank — decoded with a small PNG reader (zlib), no Pillow —
   and no console message at all (a blocked or failed load would log one: the page's
   Content-Security-Policy ``default-src 'none'`` turns any attempt into a console error);
2. a copy with a measuring script (the only change: the policy allows that inline script):
   each chart's rendered size, the drawn length of its lines, and the Resource Timing entries
   (every fetched resource; there must be none), written into the DOM that ``--dump-dom``
   prints.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lactlog.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p),
                None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (Debian: apt-get install -y chromium; .ci/run "
    "installs it when run as root with apt-get)")

WINDOW = (1000, 2400)

MEASURE = """<script>
addEventListener("load", () => {
  const charts = [...document.querySelectorAll("svg.chart")].map(svg => {
    const box = svg.getBoundingClientRect();
    const paths = [...svg.querySelectorAll("path")];
    return {label: svg.getAttribute("aria-label"), width: box.width, height: box.height,
            attr_width: +svg.getAttribute("width"), shapes: svg.querySelectorAll("*").length,
            path_length: paths.reduce((sum, p) => sum + p.getTotalLength(), 0)};
  });
  const out = {charts, resources: performance.getEntriesByType("resource").map(e => e.name),
               title: document.title};
  const pre = document.createElement("pre");
  pre.id = "measured";
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>"""


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
               "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}",
               "--enable-logging=stderr", "--v=0",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", *args]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(tmp)})


def _console(stderr: str) -> list[str]:
    """Chromium's log lines of page console messages (errors, CSP violations, failed loads)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "net::ERR" in line]


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit truecolour PNG (colour types 2, 6),
    with the five scanline filters undone (PNG spec, section 9): None, Sub (a running sum per
    channel) and Up with numpy, Average and Paeth byte by byte."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    rows: list[bytes] = []
    previous = np.zeros(stride, dtype=np.uint8)
    for kind, filtered in zip(raw[:, 0], raw[:, 1:], strict=True):
        if kind == 0:
            line = filtered.copy()
        elif kind == 1:  # Sub: x + left, i.e. a running sum of each channel (mod 256)
            line = (np.cumsum(filtered.reshape(width, bpp), axis=0, dtype=np.uint64) % 256
                    ).astype(np.uint8).reshape(stride)
        elif kind == 2:  # Up
            line = filtered + previous
        else:
            line = bytearray(filtered.tobytes())
            up = previous.tobytes()
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                corner = up[i - bpp] if i >= bpp else 0
                if kind == 3:  # Average
                    line[i] = (line[i] + (left + up[i]) // 2) & 0xFF
                else:  # Paeth
                    p = left + up[i] - corner
                    pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
                    line[i] = (line[i] + pred) & 0xFF
            line = np.frombuffer(bytes(line), dtype=np.uint8)
        rows.append(line.tobytes())
        previous = line
    return width, height, rows


def test_png_reader_on_a_hand_made_image() -> None:
    # 2 × 5 RGB, one row per filter, decoded by hand (PNG spec, section 9):
    red, green = bytes([255, 0, 0]), bytes([0, 255, 0])
    rows = [b"\x00" + red + green,                  # None
            b"\x01" + red + bytes([1, 255, 0]),     # Sub: (1,255,0) + red = green (mod 256)
            b"\x02" + bytes(6),                      # Up: the row above
            # Average: R 128 + (0 + 255) // 2 = 255; then R 128 + (255 + 0) // 2 = 255,
            # G 255 + (0 + 255) // 2 = 382 = 126 (mod 256)
            b"\x03" + bytes([128, 0, 0]) + bytes([128, 255, 0]),
            b"\x04" + bytes(6)]                      # Paeth: each byte's predictor is "up"
    ihdr = struct.pack(">IIBBBBB", 2, 5, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) \
        + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    width, height, decoded = read_png(png)
    assert (width, height) == (2, 5)
    assert decoded[:3] == [red + green] * 3
    assert decoded[3] == red + bytes([255, 126, 0])
    # Paeth, pixel 1 R: left 0, up 255, corner 0 -> p 255, nearest up; pixel 2 G: left 0,
    # up 126, corner 0 -> p 126, nearest up (R: all 255, left): the row above again
    assert decoded[4] == decoded[3]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    out = base / "season.html"
    env = {"LACTLOG_CACHE_DIR": str(base / "cache"), "LACTLOG_CONFIG": str(base / "p.toml")}
    result = CliRunner().invoke(app, ["report", str(SAMPLE), "-o", str(out), "--jobs", "1"],
                                env=env)
    assert result.exit_code == 0, result.stderr
    return out


def test_report_screenshot_is_not_blank_and_the_console_silent(report: Path) -> None:
    # at half scale (a 1000 × 2400 CSS-px page in 500 × 1200 pixels): the pure-Python PNG
    # reader then takes a fraction of a second
    shot = report.parent / "report.png"
    started = time.perf_counter()
    run = _chromium(report.parent, f"--screenshot={shot}", "--force-device-scale-factor=0.5",
                    report.as_uri())
    seconds = time.perf_counter() - started
    assert shot.is_file(), run.stderr[-2000:]
    assert _console(run.stderr) == []
    width, height, rows = read_png(shot.read_bytes())
    assert (width, height) == (WINDOW[0] // 2, WINDOW[1] // 2)
    bpp = len(rows[0]) // width
    pixels = [row[i:i + 3] for row in rows for i in range(0, len(row), bpp)]
    white = sum(p == b"\xff\xff\xff" for p in pixels)
    assert white / len(pixels) < 0.95, "the screenshot is (nearly) blank"
    colours = set(pixels)
    assert len(colours) > 50  # text, lines, bars of several colours
    # filled shapes in their exact colours: the weekly bar (#c0392b), the daily load bars
    # (#aab7c4), Seiler's zone 1 (#5dade2)
    for colour in ("c0392b", "aab7c4", "5dade2"):
        assert bytes.fromhex(colour) in colours, colour
    print(f"screenshot {shot} ({width} x {height}) in {seconds:.1f} s")


def test_report_charts_render_at_their_size_without_requests(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert policy in html
    measured = report.parent / "measured.html"
    measured.write_text(html.replace(policy, policy + "; script-src 'unsafe-inline'")
                        .replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    run = _chromium(report.parent, "--dump-dom", measured.as_uri())
    assert _console(run.stderr) == []
    found = re.search(r'<pre id="measured">(.*?)</pre>', run.stdout, re.DOTALL)
    assert found, run.stderr[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                        .replace("&lt;", "<").replace("&gt;", ">"))
    assert result["resources"] == []
    charts = result["charts"]
    labels = [c["label"] for c in charts]
    for label in ("performance management chart: daily load, CTL, ATL, TSB",
                  "minutes at or above threshold per week", "Heart rate over time"):
        assert label in labels
    for chart in charts:  # drawn at their width (the page is wider than any chart)
        assert chart["width"] == pytest.approx(chart["attr_width"], abs=1), chart
        assert chart["height"] > 40 and chart["shapes"] > 3, chart
    pmc = charts[labels.index("performance management chart: daily load, CTL, ATL, TSB")]
    assert pmc["path_length"] > 500  # CTL, ATL, TSB lines across the chart
    heart = [c for c in charts if c["label"] == "Heart rate over time"]
    assert len(heart) >= 4 and all(c["path_length"] > 300 for c in heart)
