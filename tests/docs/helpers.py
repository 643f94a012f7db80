"""Headless Chromium for the HTML tests (kept apart from the tests themselves)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import shutil
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# The flags of the issue: headless, and nothing that would reach for a network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Page:
    dom: str
    log: str

    def console_lines(self) -> list[str]:
        """Console messages and page errors Chromium logged (CSP refusals included)."""
        return [line for line in self.log.splitlines()
                if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


def with_script(page: Path, script: str, out: Path) -> Path:
    """A copy of `page` that also runs `script` after its own, allowed by the page's CSP."""
    text = page.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    text = re.sub(r"script-src '([^']+)'", rf"script-src '\1' 'sha256-{digest}'", text, count=1)
    text = text.replace("</body>", f"<script>{script}</script></body>")
    out.write_text(text, encoding="utf-8")
    return out


def load(page: Path, profile: Path, fragment: str = "", screenshot: Path | None = None,
         height: int = 1600) -> Page:
    """Load `page` once: the DOM after scripts ran, and Chromium's log with console output.

    Virtual time lets events the page queues (a `hashchange` after a click) run first.
    """
    url = page.resolve().as_uri() + fragment
    args = [chromium() or "chromium", *FLAGS, f"--user-data-dir={profile}",
            "--enable-logging=stderr", "--v=0", f"--window-size=1400,{height}",
            "--virtual-time-budget=5000"]
    if screenshot is not None:
        args.append(f"--screenshot={screenshot}")
    else:
        args.append("--dump-dom")
    proc = subprocess.run([*args, url], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return Page(proc.stdout, proc.stderr)


def png_colors(path: Path) -> Counter[tuple[int, int, int]]:
    """How many pixels of each RGB colour a screenshot has (8-bit RGB or RGBA PNG, the
    form Chromium writes). Decoded here: the test environment has no imaging library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    prev = bytearray(stride)
    counts: Counter[tuple[int, int, int]] = Counter()
    for y in range(height):
        start = y * (stride + 1)
        kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:  # Sub: a running sum per channel
            for c in range(bpp):
                row[c::bpp] = bytes(v & 255 for v in itertools.accumulate(row[c::bpp]))
        elif kind == 2:  # Up
            row = bytearray((a + b) & 255 for a, b in zip(row, prev, strict=True))
        elif kind in (3, 4):  # Average, Paeth: byte by byte
            for i in range(stride):
                left = row[i - bpp] if i >= bpp else 0
                up = prev[i]
                if kind == 3:
                    row[i] = (row[i] + (left + up) // 2) & 255
                    continue
                corner = prev[i - bpp] if i >= bpp else 0
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + pred) & 255
        counts.update(zip(row[0::bpp], row[1::bpp], row[2::bpp], strict=True))
        prev = row
    return counts
