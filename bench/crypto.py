"""Throughput and memory of the crypto package, with raw baselines from the same run.

    .venv/bin/python bench/crypto.py

Measures sealing and opening a 4 KiB report (the envelope path: one record
and two sealed-box wraps), and streaming a 100 MiB attachment from a generator
to a hashing sink in each direction, with peak memory. Baselines: one-shot
PyNaCl ``SecretBox`` over the same 100 MiB in memory, and plain SHA-256 over it,
so the streaming figures can be read as ratios. Takes well under a minute.
"""

import hashlib
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nacl.bindings import crypto_secretbox_easy, crypto_secretbox_open_easy
from nacl.secret import SecretBox

import crypto

MIB = 1024 * 1024
ATTACHMENT_SIZE = 100 * MIB
REPORT_ITERATIONS = 5000


class Generated(io.RawIOBase):
    """``size`` pseudo-random bytes produced on the fly (a repeating 64 KiB block)."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = os.urandom(65_536)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._left, len(self._block))
        buffer[:n] = self._block[:n]
        self._left -= n
        return n


class HashSink:
    """A sink that keeps nothing but a SHA-256."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return len(data)


def max_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def traced_peak(action: Callable[[], object]) -> int:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


rows: list[tuple[str, str, str]] = []


def row(name: str, figure: str, memory: str = "") -> None:
    rows.append((name, figure, memory))
    print(f"  {name:<44} {figure:>22} {memory:>24}", flush=True)


def bench_report() -> None:
    intake = crypto.PrivateKey.generate()
    reporter = crypto.Receipt.generate().reporter_private_key()
    body = {"summary": "x" * (4096 - 20)}
    _, envelope = crypto.seal_report(body, intake.public_key, reporter.public_key)

    def seal() -> None:
        for _ in range(REPORT_ITERATIONS):
            crypto.seal_report(body, intake.public_key, reporter.public_key)

    def open_() -> None:
        for _ in range(REPORT_ITERATIONS):
            crypto.open_report(envelope, intake, as_holder="intake")

    key = crypto.ReportKey.generate()
    record = crypto.seal_record(key, crypto.RecordKind.MESSAGE, body)

    def seal_record() -> None:
        for _ in range(REPORT_ITERATIONS):
            crypto.seal_record(key, crypto.RecordKind.MESSAGE, body)

    def open_record() -> None:
        for _ in range(REPORT_ITERATIONS):
            crypto.open_record(key, crypto.RecordKind.MESSAGE, record)

    for name, action in (
        ("seal_report, 4 KiB body (record + 2 wraps)", seal),
        ("open_report, 4 KiB body (unwrap + record)", open_),
        ("seal_record, 4 KiB", seal_record),
        ("open_record, 4 KiB", open_record),
    ):
        seconds = timed(action)
        row(
            name,
            f"{REPORT_ITERATIONS / seconds:,.0f} op/s",
            f"{seconds / REPORT_ITERATIONS * 1e6:,.0f} µs/op",
        )


def bench_attachment() -> tuple[float, float]:
    """Stream 100 MiB through encrypt and decrypt; returns both rates in MiB/s."""
    key = crypto.ReportKey.generate()
    kwargs = {
        "name": "big.bin",
        "content_type": "application/octet-stream",
        "size": ATTACHMENT_SIZE,
    }

    def encrypt_to(sink: object) -> None:
        crypto.encrypt_attachment(key, Generated(ATTACHMENT_SIZE), sink, **kwargs)  # type: ignore[arg-type]

    rss = max_rss()
    seconds = timed(lambda: encrypt_to(HashSink()))
    growth = max_rss() - rss
    encrypt_rate = ATTACHMENT_SIZE / MIB / seconds
    row(
        "encrypt_attachment 100 MiB -> hash",
        f"{encrypt_rate:,.0f} MiB/s",
        f"RSS +{growth / MIB:.1f} MiB",
    )

    with tempfile.TemporaryFile() as stored:
        encrypt_to(stored)

        def decrypt() -> None:
            stored.seek(0)
            crypto.decrypt_attachment(key, stored, HashSink())

        rss = max_rss()
        seconds = timed(decrypt)
        growth = max_rss() - rss
        decrypt_rate = ATTACHMENT_SIZE / MIB / seconds
        row(
            "decrypt_attachment 100 MiB file -> hash",
            f"{decrypt_rate:,.0f} MiB/s",
            f"RSS +{growth / MIB:.1f} MiB",
        )
        row(
            "  traced peak, encrypt",
            "",
            f"{traced_peak(lambda: encrypt_to(HashSink())) / 1024:,.0f} KiB",
        )
        row("  traced peak, decrypt", "", f"{traced_peak(decrypt) / 1024:,.0f} KiB")
    return encrypt_rate, decrypt_rate


def bench_baselines() -> tuple[float, float]:
    """The primitive without Vigil's framing; returns per-chunk seal and open rates in MiB/s."""
    data = os.urandom(65_536) * (ATTACHMENT_SIZE // 65_536)
    box = SecretBox(os.urandom(32))
    nonce = os.urandom(24)
    sealed = b""

    def seal() -> None:
        nonlocal sealed
        sealed = box.encrypt(data, nonce)

    seconds = timed(seal)
    row("baseline: SecretBox.encrypt, one shot", f"{ATTACHMENT_SIZE / MIB / seconds:,.0f} MiB/s")
    seconds = timed(lambda: box.decrypt(sealed))
    row("baseline: SecretBox.decrypt, one shot", f"{ATTACHMENT_SIZE / MIB / seconds:,.0f} MiB/s")
    # The same primitive over hot 64 KiB buffers, without our framing: the
    # fairest measure of what the attachment format itself costs.
    chunk = memoryview(data)[:65_536].tobytes()
    key, count = os.urandom(32), ATTACHMENT_SIZE // 65_536
    seconds = timed(lambda: [crypto_secretbox_easy(chunk, nonce, key) for _ in range(count)])
    seal_rate = ATTACHMENT_SIZE / MIB / seconds
    row("baseline: secretbox per 64 KiB chunk", f"{seal_rate:,.0f} MiB/s")
    boxed = crypto_secretbox_easy(chunk, nonce, key)
    seconds = timed(lambda: [crypto_secretbox_open_easy(boxed, nonce, key) for _ in range(count)])
    open_rate = ATTACHMENT_SIZE / MIB / seconds
    row("baseline: secretbox open per 64 KiB chunk", f"{open_rate:,.0f} MiB/s")
    seconds = timed(lambda: hashlib.sha256(data).digest())
    row("baseline: sha256, one shot", f"{ATTACHMENT_SIZE / MIB / seconds:,.0f} MiB/s")
    row("  (baselines hold the data in memory)", "", f"RSS peak {max_rss() / MIB:,.0f} MiB")
    return seal_rate, open_rate


def main() -> None:
    started = time.perf_counter()
    print(f"Vigil crypto bench (Python {sys.version.split()[0]}, libsodium via PyNaCl)")
    print(f"  {'what':<44} {'speed':>22} {'per op / memory':>24}")
    bench_report()
    # Streaming first, before the baselines hold 100 MiB in memory, so that
    # the peak-RSS growth measured here is the streaming code's own.
    encrypt_rate, decrypt_rate = bench_attachment()
    seal_rate, open_rate = bench_baselines()
    print("ratios (streamed attachment / bare secretbox per 64 KiB chunk, same run)")
    row("  encrypt", f"{encrypt_rate / seal_rate:.2f}x")
    row("  decrypt", f"{decrypt_rate / open_rate:.2f}x")
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
