"""Ingest throughput of the public site: sealed tips over HTTP into SQLite, against bare Flask.

    .venv/bin/python bench/ingest.py [--seconds 10] [--connections 16] [--config 2x4 ...]

For each gunicorn configuration (``WxT``: W gthread workers of T threads, the
worker class `vigil serve` uses), two phases run one after the other:

- **Vigil**: a fresh instance in a temporary folder (SQLite, set up by
  ``reporting.cli.bootstrap.initialise`` with the minimal password cost), served by
  gunicorn in a separate process on 127.0.0.1 from ``Settings.from_env`` as
  `vigil serve` does, with ``VIGIL_POW_DIFFICULTY=0`` and the submission rate
  limit raised out of the way. Clients ``POST /api/reports`` with tips sealed
  beforehand (2-4 KiB bodies with goods and parties, each with its own receipt,
  lookup token and reporter key, wrapped to the instance's intake key), so no
  client crypto is measured. Each connection first fetches the tip form for
  its session cookie and CSRF token and then sends ``X-CSRFToken``, as the
  page's script does.
- **bare**: a Flask app whose one POST endpoint parses the same JSON and
  answers 201, nothing else, under the same gunicorn options, driven the same
  way with the same payloads.

The load comes from this process: ``--connections`` keep-alive HTTP/1.1
connections on one asyncio loop, each sending its next request as soon as
the last one was answered (a closed loop, so latency is roughly connections
divided by rate). Only answers within the measured window count; before it
there is a warm-up, after it the requests in flight are allowed to finish.
After a Vigil phase the server is killed (SIGKILL: an acknowledgement must not
depend on a graceful shutdown) and the database is read back: it must hold
exactly one report per 201, each with the body and both wraps that were sent.

Client and server share the machine's cores, as they would on a 2-core host
running a load test against itself; the table shows how much CPU each used.
Everything runs on loopback, stops by itself after about
``len(configs) * 2 * (warmup + seconds + ~3 s)``, and removes its temporary
folder and server processes on the way out, also on Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import http.client
import itertools
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

import crypto
from reporting.server import GunicornServer, PrivateLogger

HOST = "127.0.0.1"
FORM_PATH = "/tip"
SUBMIT_PATH = "/api/reports"
# Far above anything the bench can reach: the limiter's cost stays in the
# measurement, its refusals do not.
UNLIMITED = "1000000000 per hour"
DEFAULT_CONFIGS = ("2x4", "2x8", "4x2")
AIM_RATE = 500.0
AIM_RATIO = 0.5
RESPONSE_TIMEOUT = 30.0
# Other processes' CPU (in cores) above which a phase's figures are not clean.
NOISY_LOAD = 0.1
READY_TIMEOUT = 30.0

# ------------------------------------------------------------------ servers


@dataclass(frozen=True)
class ServerConfig:
    """``WxT``: W gthread workers of T threads; ``WxTr``: the same with SO_REUSEPORT."""

    workers: int
    threads: int
    reuse_port: bool = False

    @classmethod
    def parse(cls, text: str) -> ServerConfig:
        match = re.fullmatch(r"(\d+)x(\d+)(r?)", text)
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise argparse.ArgumentTypeError(
                f"expected WORKERSxTHREADS[r] such as 2x4 or 2x4r, not {text!r}"
            )
        return cls(int(match[1]), int(match[2]), bool(match[3]))

    def __str__(self) -> str:
        return f"{self.workers}x{self.threads}{'r' if self.reuse_port else ''}"

    def describe(self) -> str:
        text = f"{self.workers} gthread workers x {self.threads} threads"
        return text + (", SO_REUSEPORT" if self.reuse_port else "")

    def gunicorn_options(self, port: int) -> dict[str, object]:
        """reporting.server.serve's options, with this worker and thread count."""
        return {
            "bind": f"{HOST}:{port}",
            "workers": self.workers,
            "worker_class": "gthread",
            "threads": self.threads,
            # Each worker its own listening socket: the kernel spreads new
            # connections over them instead of the first worker to wake
            # taking them all.
            "reuse_port": self.reuse_port,
            "accesslog": None,
            "errorlog": "-",
            "logger_class": PrivateLogger,
            "loglevel": "warning",
            "preload_app": False,
        }


def bare_app() -> Flask:
    """The baseline: the same JSON parsed, 201, nothing stored, no session, no CSRF."""
    app = Flask(__name__)
    counter = itertools.count()

    @app.get(FORM_PATH)
    def form() -> ResponseReturnValue:
        return '<form><input type="hidden" name="csrf_token" value="bare"></form>'

    @app.post(SUBMIT_PATH)
    def submit() -> ResponseReturnValue:
        data = request.get_json()
        if not isinstance(data, dict) or "envelope" not in data:
            return jsonify(error="invalid_submission"), 400
        return jsonify(reference=f"BARE-{next(counter)}"), 201

    return app


def serve_main(kind: str, config: ServerConfig, port: int, ready: Path) -> None:
    """The server process: gunicorn in the foreground until it is killed.

    Each worker, once it has loaded the app, leaves a file named by its pid
    in `ready`: the load starts only when every worker is there, otherwise
    the first worker up takes every keep-alive connection for itself.
    """
    if kind == "vigil":
        from reporting.app import create_app
        from reporting.core.settings import Settings

        settings = Settings.from_env()

        def factory() -> Flask:
            return create_app(settings)
    else:
        factory = bare_app

    def post_worker_init(_worker: object) -> None:
        (ready / str(os.getpid())).touch()

    options = {**config.gunicorn_options(port), "post_worker_init": post_worker_init}
    GunicornServer(factory, options).run()


def _die_with_parent() -> None:
    """In the server process before exec: SIGKILL it if the bench process dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """A gunicorn arbiter and its workers in their own process group."""

    def __init__(self, kind: str, config: ServerConfig, env: dict[str, str], work: Path) -> None:
        self.port = free_port()
        self.workers = config.workers
        self.ready = work / "ready"
        self.ready.mkdir(parents=True)
        self.log_path = work / "server.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "serve",
                    kind,
                    str(config),
                    str(self.port),
                    str(self.ready),
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self) -> None:
        """Return once every worker has loaded the app and the form page answers."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log_tail()}")
            if len(list(self.ready.iterdir())) < self.workers:
                time.sleep(0.05)
                continue
            connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                connection.request("GET", FORM_PATH)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU of every process in the server's group, by pid."""
        return process_group_cpu(self.process.pid)

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Workers are reaped by init once the arbiter is gone; wait until they are.
        deadline = time.monotonic() + 5
        while process_group_cpu(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# ------------------------------------------------------------------ CPU accounting

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_group_cpu(pgid: int) -> dict[int, float]:
    usage = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # After the command: state, ppid, pgrp, ... utime (14th), stime (15th).
        if int(fields[2]) == pgid and fields[0] != "Z":
            usage[int(entry)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return usage


def machine_busy_cpu() -> float:
    """CPU seconds the whole machine has spent busy since boot, all cores together."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal: all but idle and iowait.
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------ payloads

COUNTRIES = (
    "Germany",
    "Türkiye",
    "United Arab Emirates",
    "Malaysia",
    "Armenia",
    "Kazakhstan",
    "Hong Kong",
    "Netherlands",
    "Georgia",
    "Kyrgyzstan",
    "Singapore",
    "Serbia",
)
ROLES = ("buyer", "consignee", "end_user", "freight_forwarder", "bank", "intermediary", "other")
GOODS = (
    ("Five-axis CNC machining centre, spindle and controller", "2B001"),
    ("Frequency changers for gas centrifuge motors", "3A225"),
    ("Carbon fibre prepreg, aerospace grade", "1C010"),
    ("High-precision angular contact ball bearings", "8482.10"),
    ("Digital oscilloscopes, 6 GHz bandwidth", "3A002"),
    ("Maraging steel bars, 300 grade", "1C116"),
    ("32-bit microcontrollers, automotive qualified", "8542.31"),
    ("Fibre-optic gyroscopes", "7A002"),
)
COMPANY_WORDS = ("Nord", "Trans", "Tech", "Global", "Precision", "Asia", "Logistics", "Trade")
STORY = (
    "the shipment was declared as spare parts but the crates carried the serial numbers of "
    "complete machines and the invoice named a consignee that had moved out of its listed "
    "address months before the order; the freight forwarder rerouted the containers through "
    "a free zone and paid the carrier from an account held by an intermediary; the end user "
    "statement was signed by a director who also signs for the buyer and the dates on the "
    "letter of credit do not match the bill of lading"
)
WORDS = STORY.split()


def tip_body(rng: random.Random, size: int) -> dict[str, object]:
    """A tip as the form makes it (reporting/public/forms.py), about `size` bytes of JSON."""

    def company() -> str:
        return (
            f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()} {rng.randint(1, 99)}"
        )

    goods = [
        {
            "description": description,
            "code": code,
            "quantity": f"{rng.randint(1, 400)} units",
            "value": f"EUR {rng.randint(10, 9000) * 100:,}",
        }
        for description, code in rng.sample(GOODS, rng.randint(1, 4))
    ]
    parties = [
        {"name": f"{company()} LLC", "country": rng.choice(COUNTRIES), "role": rng.choice(ROLES)}
        for _ in range(rng.randint(2, 6))
    ]
    body: dict[str, object] = {
        "form": "tip",
        "format": 1,
        "what_happened": "",
        "goods": goods,
        "parties": parties,
        "route": " -> ".join(rng.sample(COUNTRIES, 4)),
        "dates": f"Between {rng.randint(1, 28)} March and {rng.randint(1, 28)} June 2025",
        "payment": f"Letter of credit through a bank in {rng.choice(COUNTRIES)}, then cash",
        "how_known": "I prepared the shipping documents and saw the goods in the warehouse.",
        "conflicts": [f"{company()} contact"] if rng.random() < 0.3 else [],
    }
    words: list[str] = []
    room = size - len(json.dumps(body, ensure_ascii=False).encode())
    while room > 0:
        word = rng.choice(WORDS)
        words.append(word)
        room -= len(word) + 1
    body["what_happened"] = " ".join(words).capitalize() + "."
    return body


@dataclass(frozen=True)
class Payload:
    request_body: bytes  # the JSON of POST /api/reports
    lookup_hash: bytes  # what the server stores for the lookup token
    body: bytes  # the envelope's BODY record
    intake_wrap: bytes
    reporter_wrap: bytes
    plaintext_size: int


def seal_payloads(count: int, intake_key: crypto.PublicKey, seed: int = 1) -> list[Payload]:
    rng = random.Random(seed)
    payloads = []
    for _ in range(count):
        receipt = crypto.Receipt.generate()
        token = receipt.lookup_token()
        body = tip_body(rng, rng.randint(2048, 4096))
        _, envelope = crypto.seal_report(
            body, intake_key, receipt.reporter_private_key().public_key
        )
        data = {
            "intake_type": "tip",
            "envelope": envelope.to_json(),
            "lookup_token": crypto.b64encode(token),
        }
        payloads.append(
            Payload(
                request_body=json.dumps(data, separators=(",", ":")).encode(),
                lookup_hash=crypto.lookup_hash(token),
                body=envelope.body,
                intake_wrap=envelope.intake_wrap,
                reporter_wrap=envelope.reporter_wrap,
                plaintext_size=len(json.dumps(body, ensure_ascii=False).encode()),
            )
        )
    return payloads


# ------------------------------------------------------------------ instance


def instance_env(instance: Path, secret_key: str) -> dict[str, str]:
    """The environment of a bench instance, for initialise and for the server process."""
    return {
        **os.environ,
        "VIGIL_INSTANCE": str(instance),
        "VIGIL_PASSWORD_COST": "minimal",
        "VIGIL_POW_DIFFICULTY": "0",
        "VIGIL_LIMIT_SUBMISSIONS": UNLIMITED,
        "VIGIL_SECURE_COOKIES": "false",  # plain HTTP on loopback
        "VIGIL_COMPONENTS": "public",  # the process that faces the internet
        "VIGIL_SECRET_KEY": secret_key,
    }


def create_instance(instance: Path, secret_key: str) -> crypto.PublicKey:
    """`vigil init` in `instance`; returns the active intake public key read from the database."""
    from reporting.cli.bootstrap import initialise
    from reporting.core.db import create_db_engine
    from reporting.core.settings import Settings
    from reporting.intake.public_key import active_intake_key

    settings = Settings.from_env(instance_env(instance, secret_key))
    engine = create_db_engine(settings.database_url)
    try:
        initialise(engine, settings, passphrase="bench passphrase", admin_username="admin")
        with Session(engine) as session:
            return crypto.PublicKey(active_intake_key(session).public_key)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Durability:
    rows: int
    missing: int  # acknowledged, not stored
    unexpected: int  # stored, never acknowledged (a request cut off mid-flight may do this)
    unexplained: int  # unexpected and not among the cut-off requests
    damaged: int  # stored with a body or wrap other than what was sent

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexplained or self.damaged)


def verify_stored(
    instance: Path, payloads: Sequence[Payload], acknowledged: Sequence[int], uncertain: set[int]
) -> Durability:
    """Compare the reports in the instance's database with the acknowledged payloads."""
    from reporting.core.db import create_db_engine
    from reporting.core.models import HolderKind, Report, Wrap

    engine = create_db_engine(f"sqlite:///{instance / 'vigil.sqlite3'}")
    try:
        with Session(engine) as session:
            stored = {
                row.lookup_hash: row.body
                for row in session.execute(select(Report.lookup_hash, Report.body))
            }
            wraps: dict[tuple[bytes, HolderKind], bytes] = {
                (row.lookup_hash, row.holder_kind): row.wrapped_key
                for row in session.execute(
                    select(Report.lookup_hash, Wrap.holder_kind, Wrap.wrapped_key).join(
                        Wrap, Wrap.report_id == Report.id
                    )
                )
            }
    finally:
        engine.dispose()
    expected = {payloads[index].lookup_hash: payloads[index] for index in acknowledged}
    cut_off = {payloads[index].lookup_hash for index in uncertain}
    damaged = 0
    for lookup_hash, payload in expected.items():
        if lookup_hash in stored and (
            stored[lookup_hash] != payload.body
            or wraps.get((lookup_hash, HolderKind.INTAKE)) != payload.intake_wrap
            or wraps.get((lookup_hash, HolderKind.REPORTER)) != payload.reporter_wrap
        ):
            damaged += 1
    unexpected = stored.keys() - expected.keys()
    return Durability(
        rows=len(stored),
        missing=len(expected.keys() - stored.keys()),
        unexpected=len(unexpected),
        unexplained=len(unexpected - cut_off),
        damaged=damaged,
    )


# ------------------------------------------------------------------ HTTP client


class ProtocolError(Exception):
    pass


# What ends a connection: the request in flight is then of unknown fate.
NETWORK_ERRORS = (OSError, EOFError, TimeoutError, ProtocolError)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes

    @property
    def closes(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


async def read_response(reader: asyncio.StreamReader) -> Response:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"bad status line {lines[0][:60]!r}")
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value.split(";", 1)[0])
        elif name:
            headers[name] = value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")  # no trailers expected
        body = b"".join(chunk[:-2] for chunk in chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Response(int(parts[1]), headers, cookies, body)


CSRF_INPUT = re.compile(rb"<input[^>]*\bname=\"csrf_token\"[^>]*>")
VALUE = re.compile(rb"\bvalue=\"([^\"]*)\"")


@dataclass
class Phase:
    """One load phase's shared state and tallies (one asyncio loop, so no locks)."""

    payloads: Sequence[Payload]
    cycle: bool  # reuse payloads when they run out (only where nothing is stored)
    window_start: float
    window_end: float
    next_index: Iterator[int] = field(default_factory=itertools.count)
    exhausted_at: float | None = None
    latencies: list[float] = field(default_factory=list)
    window_statuses: Counter[int] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: dict[str, str] = field(default_factory=dict)
    acknowledged: list[int] = field(default_factory=list)
    uncertain: set[int] = field(default_factory=set)

    def take(self) -> int | None:
        index = next(self.next_index)
        if index < len(self.payloads):
            return index
        if self.cycle:
            return index % len(self.payloads)
        if self.exhausted_at is None:
            self.exhausted_at = time.perf_counter()
        return None

    def note_error(self, kind: str, sample: str) -> None:
        self.errors[kind] += 1
        self.error_samples.setdefault(kind, sample[:200])


class Connection:
    """One keep-alive client connection with its session cookie and CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.prefix = b""

    async def ensure_open(self, phase: Phase) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The open connection, or a new one; the first one fetches the form page."""
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            if self.token is None and not await self.handshake(phase, self.reader, self.writer):
                await self.close()
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        return self.reader, self.writer

    async def handshake(
        self, phase: Phase, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """GET the form for the session cookie and CSRF token; False if the server closed."""
        writer.write(
            f"GET {FORM_PATH} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            "Accept: text/html\r\n\r\n".encode()
        )
        response = await asyncio.wait_for(read_response(reader), RESPONSE_TIMEOUT)
        match = CSRF_INPUT.search(response.body)
        value = VALUE.search(match[0]) if match else None
        if response.status != 200 or value is None:
            phase.note_error("form page", f"{response.status} without a CSRF token")
            raise ProtocolError("no CSRF token on the form page")
        self.token = value[1].decode()
        self.take_cookies(response)
        self.build_prefix()
        return not response.closes

    def take_cookies(self, response: Response) -> None:
        """Keep the cookies the server sets."""
        for cookie in response.cookies:
            name, _, value = cookie.partition("=")
            self.cookies[name] = value

    def build_prefix(self) -> None:
        """The submission request up to its Content-Length value, for this session."""
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.prefix = (
            f"POST {SUBMIT_PATH} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Origin: http://{HOST}:{self.port}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + f"X-CSRFToken: {self.token}\r\nContent-Length: "
        ).encode()

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def run(self, phase: Phase) -> None:
        while time.perf_counter() < phase.window_end:
            try:
                reader, writer = await self.ensure_open(phase)
            except NETWORK_ERRORS as e:
                phase.note_error("connect", repr(e))
                await self.close()
                await asyncio.sleep(0.05)
                continue
            index = phase.take()
            if index is None:
                break
            body = phase.payloads[index].request_body
            started = time.perf_counter()
            try:
                writer.writelines((self.prefix, str(len(body)).encode(), b"\r\n\r\n", body))
                response = await asyncio.wait_for(read_response(reader), RESPONSE_TIMEOUT)
            except NETWORK_ERRORS as e:
                # The request may or may not have been stored.
                phase.uncertain.add(index)
                phase.note_error("connection lost mid-request", repr(e))
                await self.close()
                continue
            finished = time.perf_counter()
            phase.statuses[response.status] += 1
            if response.status == 201:
                phase.acknowledged.append(index)
            else:
                phase.note_error(f"HTTP {response.status}", response.body.decode(errors="replace"))
            if phase.window_start <= started and finished <= phase.window_end:
                phase.window_statuses[response.status] += 1
                if response.status == 201:
                    phase.latencies.append(finished - started)
            if response.cookies:
                self.take_cookies(response)
                self.build_prefix()
            if response.closes:
                await self.close()
        await self.close()


async def drive(
    port: int,
    payloads: Sequence[Payload],
    *,
    cycle: bool,
    connections: int,
    warmup: float,
    seconds: float,
    on_window: Callable[[bool], None],
) -> Phase:
    now = time.perf_counter()
    phase = Phase(
        payloads=payloads,
        cycle=cycle,
        window_start=now + warmup,
        window_end=now + warmup + seconds,
    )

    async def window_marks() -> None:
        await asyncio.sleep(max(0.0, phase.window_start - time.perf_counter()))
        on_window(True)
        await asyncio.sleep(max(0.0, phase.window_end - time.perf_counter()))
        on_window(False)

    marks = asyncio.create_task(window_marks())
    await asyncio.gather(*(Connection(port).run(phase) for _ in range(connections)))
    await marks
    return phase


# ------------------------------------------------------------------ phases


@dataclass
class Result:
    config: ServerConfig
    endpoint: str
    phase: Phase
    seconds: float  # the measured window, shortened if the payloads ran out
    window: float  # the measured window as planned, over which CPU is counted
    server_cpu: float
    worker_cpu: list[float]
    client_cpu: float
    machine_busy: float  # CPU seconds used by every process on the machine in the window
    durability: Durability | None = None

    @property
    def rate(self) -> float:
        return self.phase.window_statuses[201] / self.seconds

    def latency_ms(self, quantile: float) -> float:
        ordered = sorted(self.phase.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000

    @property
    def errors(self) -> int:
        return sum(self.phase.errors.values())

    @property
    def server_cpu_per_request_ms(self) -> float:
        answered = sum(self.phase.window_statuses.values())
        return self.server_cpu / answered * 1000 if answered else float("nan")

    @property
    def others_load(self) -> float:
        """Other processes' CPU during the window, in cores (they compete with the bench)."""
        return max(0.0, self.machine_busy - self.server_cpu - self.client_cpu) / self.window


def run_phase(
    endpoint: str,
    config: ServerConfig,
    env: dict[str, str],
    payloads: Sequence[Payload],
    args: argparse.Namespace,
    work: Path,
    servers: list[ServerProcess],
) -> Result:
    server = ServerProcess("vigil" if endpoint == "Vigil" else "bare", config, env, work)
    servers.append(server)
    try:
        server.wait_ready()
        marks: dict[bool, tuple[dict[int, float], float, tuple[float, float]]] = {}

        def on_window(opening: bool) -> None:
            marks[opening] = (server.cpu_seconds(), own_cpu(), machine_busy_cpu())

        phase = asyncio.run(
            drive(
                server.port,
                payloads,
                cycle=endpoint != "Vigil",
                connections=args.connections,
                warmup=args.warmup,
                seconds=args.seconds,
                on_window=on_window,
            )
        )
    finally:
        server.kill()
        servers.remove(server)
    (server_start, client_start, machine_start), (server_end, client_end, machine_end) = (
        marks[True],
        marks[False],
    )
    worker_cpu = [
        server_end[pid] - server_start.get(pid, 0.0)
        for pid in server_end
        if pid != server.process.pid
    ]
    end = (
        phase.window_end
        if phase.exhausted_at is None
        else min(phase.window_end, phase.exhausted_at)
    )
    return Result(
        config=config,
        endpoint=endpoint,
        phase=phase,
        seconds=max(1e-9, end - phase.window_start),
        window=phase.window_end - phase.window_start,
        server_cpu=sum(server_end.values()) - sum(server_start.values()),
        worker_cpu=sorted(worker_cpu, reverse=True),
        client_cpu=client_end - client_start,
        machine_busy=machine_end - machine_start,
    )


# ------------------------------------------------------------------ report


def filesystem_of(path: Path) -> str:
    best, kind = "", "?"
    for line in Path("/proc/mounts").read_text().splitlines():
        _, mount, fs_type, *_ = line.split()
        if str(path).startswith(mount) and len(mount) > len(best):
            best, kind = mount, fs_type
    return kind


HEADER = (
    f"  {'config':<6} {'endpoint':<8} {'subm/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
    f"{'201s':>7} {'errors':>6} {'srv CPU':>8} {'workers':>9} {'client':>7} {'others':>6}"
)


def print_row(result: Result) -> None:
    shares = "/".join(f"{cpu / result.window:.0%}" for cpu in result.worker_cpu)
    print(
        f"  {result.config!s:<6} {result.endpoint:<8} {result.rate:>8,.0f} "
        f"{result.latency_ms(0.50):>7.1f} {result.latency_ms(0.99):>7.1f} "
        f"{result.phase.statuses[201]:>7,} {result.errors:>6,} "
        f"{result.server_cpu_per_request_ms:>6.2f}ms {shares:>9} "
        f"{result.client_cpu / result.window:>7.0%} {result.others_load:>6.0%}",
        flush=True,
    )
    for kind, count in result.phase.errors.items():
        print(f"      {count:,} x {kind}: {result.phase.error_samples[kind]}")
    if result.phase.exhausted_at is not None:
        print("      ran out of pre-sealed payloads: window shortened; raise --payloads")
    if result.durability is not None:
        d = result.durability
        verdict = "OK" if d.ok else "FAILED"
        print(
            f"      durability {verdict}: {d.rows:,} rows for {result.phase.statuses[201]:,} "
            f"201s; {d.missing} missing, {d.damaged} damaged, {d.unexpected} unacknowledged "
            f"({d.unexplained} unexplained)"
        )


def print_summary(pairs: list[tuple[Result, Result]], results: list[Result]) -> bool:
    print("ratios (Vigil / bare, same configuration, same run)")
    for vigil, bare in pairs:
        print(
            f"  {vigil.config.describe():<34} {vigil.rate:>7,.0f} / {bare.rate:>7,.0f} "
            f"subm/s = {vigil.rate / bare.rate if bare.rate else 0:.2f}x"
        )
    vigil, bare = max(pairs, key=lambda pair: pair[0].rate)
    ratio = vigil.rate / bare.rate if bare.rate else 0.0
    durable = all(r.durability.ok for r in results if r.durability is not None)
    met = vigil.rate >= AIM_RATE and ratio >= AIM_RATIO and durable
    print(
        f"best: {vigil.config.describe()}: {vigil.rate:,.0f} acknowledged submissions/s "
        f"(aim >= {AIM_RATE:.0f}), {ratio:.2f}x bare (aim >= {AIM_RATIO}), "
        f"durability {'OK' if durable else 'FAILED'} -> {'aim met' if met else 'aim NOT met'}"
    )
    return met


# ------------------------------------------------------------------ main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured window per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured load before it")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--config",
        dest="configs",
        action="append",
        type=ServerConfig.parse,
        help=f"WORKERSxTHREADS, repeatable (default: {' '.join(DEFAULT_CONFIGS)})",
    )
    parser.add_argument(
        "--payloads", type=int, default=25_000, help="tips sealed beforehand (each used once)"
    )
    parser.add_argument("--tmpdir", type=Path, default=None, help="where the instance lives")
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="measure a phase again this often while other processes take CPU",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="seconds to wait before a phase for other processes to leave the CPUs idle",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    args.configs = args.configs or [ServerConfig.parse(text) for text in DEFAULT_CONFIGS]
    return args


def wait_for_quiet(limit: float) -> None:
    """Wait (at most `limit` seconds) until other processes leave the CPUs nearly idle."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = machine_busy_cpu()
        time.sleep(1.0)
        if machine_busy_cpu() - before < NOISY_LOAD:
            return


@dataclass
class Bench:
    args: argparse.Namespace
    root: Path
    servers: list[ServerProcess]
    template: Path
    secret_key: str
    payloads: list[Payload]
    phases: Iterator[int] = field(default_factory=itertools.count)
    # Every phase measured, kept ones and repeated ones: all must be durable.
    results: list[Result] = field(default_factory=list)

    def measure(self, endpoint: str, config: ServerConfig) -> Result:
        """One phase; measured again while other processes took CPU, up to --retries times.

        Returns the attempt that other processes disturbed least.
        """
        attempts: list[Result] = []
        while len(attempts) <= self.args.retries:
            if attempts:
                print(
                    f"      other processes took {attempts[-1].others_load:.0%} of a core: "
                    "measuring again"
                )
            wait_for_quiet(self.args.quiet_wait)
            work = self.root / f"{next(self.phases):02d}-{endpoint.lower()}-{config}"
            env = dict(os.environ)
            instance = work / "instance"
            if endpoint == "Vigil":
                shutil.copytree(self.template, instance)
                env = instance_env(instance, self.secret_key)
            result = run_phase(endpoint, config, env, self.payloads, self.args, work, self.servers)
            if endpoint == "Vigil":
                result.durability = verify_stored(
                    instance, self.payloads, result.phase.acknowledged, result.phase.uncertain
                )
                shutil.rmtree(instance)
            print_row(result)
            attempts.append(result)
            self.results.append(result)
            if result.others_load <= NOISY_LOAD:
                break
        return min(attempts, key=lambda attempt: attempt.others_load)


def bench(args: argparse.Namespace, root: Path, servers: list[ServerProcess]) -> bool:
    started = time.perf_counter()
    template = root / "template"
    secret_key = "bench-" + os.urandom(16).hex()
    intake_key = create_instance(template, secret_key)
    sealing = time.perf_counter()
    payloads = seal_payloads(args.payloads, intake_key)
    sealing = time.perf_counter() - sealing
    sizes = sorted(payload.plaintext_size for payload in payloads)
    wire = sum(len(payload.request_body) for payload in payloads) / len(payloads)

    print(f"Vigil ingest bench (Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version})")
    print(
        f"  machine: {os.cpu_count()} CPUs, shared by client and server; instance in {root} "
        f"({filesystem_of(root)}); SQLite WAL, synchronous=FULL (reporting/core/db.py)"
    )
    print(
        f"  server: gunicorn gthread as `vigil serve` (no access log), public site only, "
        f"proof of work off (VIGIL_POW_DIFFICULTY=0), submission limit {UNLIMITED}"
    )
    print(
        f"  client: {args.connections} keep-alive connections on one asyncio loop, session "
        f"cookie + X-CSRFToken from GET {FORM_PATH}; {args.warmup:g} s warm-up, "
        f"{args.seconds:g} s measured per phase"
    )
    print(
        f"  payloads: {len(payloads):,} tips sealed in {sealing:.1f} s beforehand, plaintext "
        f"{sizes[0]:,}-{sizes[-1]:,} B, {wire:,.0f} B of JSON on the wire each"
    )
    print(
        "  columns: srv CPU = server CPU per answered request; workers = each worker's CPU "
        "(1 core = 100%); client = this process's CPU; others = every other process's CPU"
    )
    print(HEADER)
    run = Bench(args, root, servers, template, secret_key, payloads)
    pairs = [(run.measure("Vigil", config), run.measure("bare", config)) for config in args.configs]
    busiest = max(result.others_load for pair in pairs for result in pair)
    if busiest > NOISY_LOAD:
        print(
            f"warning: other processes used up to {busiest:.0%} of a core during a phase; "
            "they compete with client and server: rerun on a quiet machine for clean figures"
        )
    met = print_summary(pairs, run.results)
    print(f"total {time.perf_counter() - started:.0f} s")
    return met


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["serve"]:
        serve_main(argv[1], ServerConfig.parse(argv[2]), int(argv[3]), Path(argv[4]))
        return 0
    args = parse_args(argv)

    def terminate(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    servers: list[ServerProcess] = []
    root = Path(tempfile.mkdtemp(prefix="vigil-ingest-", dir=args.tmpdir))
    try:
        return 0 if bench(args, root, servers) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.kill()
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
