"""Attachments stream in constant memory, whatever their size.

Runs in a fresh interpreter so that the peak RSS it reports is this test's own
and not left over from whatever ran before (e.g. a 256 MiB Argon2id test).
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import hashlib, io, json, resource, sys, tempfile, tracemalloc
import crypto

SIZE = 64 * 1024 * 1024

class Generated(io.RawIOBase):
    # Pseudo-random bytes made on the fly; hashes what it hands out.
    def __init__(self, size):
        self.left = size
        self.block = hashlib.sha512(b"seed").digest() * 1024  # 64 KiB
        self.offset = 0
        self.sha = hashlib.sha256()
    def readable(self):
        return True
    def readinto(self, buffer):
        n = min(len(buffer), self.left, len(self.block) - self.offset)
        piece = self.block[self.offset:self.offset + n]
        buffer[:n] = piece
        self.sha.update(piece)
        self.left -= n
        self.offset = (self.offset + n) % len(self.block) or 7
        return n

class HashSink:
    def __init__(self):
        self.sha = hashlib.sha256()
        self.size = 0
    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        return len(data)

key = crypto.ReportKey.generate()
warm = io.BytesIO()  # a first small round trip, so imports and pools are not counted
crypto.encrypt_attachment(key, io.BytesIO(b"x"), warm, name="w", content_type="t", size=1)
crypto.decrypt_attachment(key, io.BytesIO(warm.getvalue()), HashSink())
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
tracemalloc.start()
with tempfile.TemporaryFile() as stored:
    source = Generated(SIZE)
    written = crypto.encrypt_attachment(
        key, source, stored, name="big.bin", content_type="application/octet-stream", size=SIZE)
    stored.seek(0)
    sink = HashSink()
    info = crypto.decrypt_attachment(key, stored, sink)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
json.dump({
    "written": written, "size": info.size, "out": sink.size,
    "same": source.sha.digest() == sink.sha.digest(),
    "traced_peak": peak, "rss_growth": rss_after - rss_before,
}, sys.stdout)
"""


def test_64_mib_round_trip_in_constant_memory() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, check=True, timeout=120
    )
    figures = json.loads(result.stdout)
    size = 64 * 1024 * 1024
    assert figures["size"] == figures["out"] == size
    assert figures["written"] == size + 1024 * 16 + 101 + 272
    assert figures["same"]
    # A handful of 64 KiB chunks at a time, against 64 MiB of data.
    assert figures["traced_peak"] < 2 * 1024 * 1024, figures
    assert figures["rss_growth"] < 16 * 1024 * 1024, figures
