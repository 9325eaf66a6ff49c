#!/usr/bin/env python3
"""The pdf-generator's cold start: process start to its first request for an event.

Builds the release binary (`cargo build --release -p pdf-generator`), then 21 times: starts a
fake Lambda Runtime API on 127.0.0.1 (an HTTP server thread that notes when the first
`GET /2018-06-01/runtime/invocation/next` arrives and never answers it), launches
`target/release/pdf-generator` against it with the environment Lambda gives a function, and
measures from just before the process is spawned to that request: everything `main` does
before it can serve (SDK config, S3 and SNS clients, fonts from the fonts layer at
PAPERFLOW_FALLBACK_FONTS, as deployed: DejaVu Sans read, checked and parsed, the fallbacks
listed) plus exec and loading. Prints the median, min and max. Target: median at most 30 ms.

It measures twice: with the whole layer, and with a folder of the layer's two DejaVu Sans faces
only (the function cannot start without them). The fallback fonts are only listed at start and
parsed when a document needs one of their faces, so the two medians should be within noise of
each other; the layer's size (files and zipped) is printed too.

Loopback only: the SDK's endpoint is an unused port on 127.0.0.1, credentials are dummies, and
nothing is called during the cold start anyway. Each process is killed by its PID.

    scripts/bench-cold-start.py              # build, then measure
    scripts/bench-cold-start.py --no-build   # measure the binary already built
"""

import argparse
import http.server
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21
TARGET_MS = 30.0
TIMEOUT_S = 10.0
NEXT = "/2018-06-01/runtime/invocation/next"
LAYER_FONTS = ROOT / "target" / "fonts-layer" / "fonts"
# The faces `paperflow fonts export` writes into the layer (paperflow_render::fonts::PRIMARY_FACES).
PRIMARY_FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


class RuntimeApi(http.server.ThreadingHTTPServer):
    """A fake Lambda Runtime API for one run: notes the first /next and holds it."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.first_next = None  # time.perf_counter() when the first /next arrived
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.init_error = None

    @property
    def port(self):
        return self.server_address[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        now = time.perf_counter()
        server = self.server
        if self.path == NEXT:
            if server.first_next is None:
                server.first_next = now
                server.arrived.set()
            # Never answer: the function stays parked on its first poll until it is killed.
            server.release.wait(TIMEOUT_S * 2)
            self.close_connection = True
            return
        self.send_error(404)

    def do_POST(self):
        # /runtime/init/error: the function could not start.
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self.server.init_error = f"{self.path}: {body}"
        self.server.arrived.set()
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def unused_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(runtime_port, endpoint_port, home, fonts):
    """What Lambda gives the function, pointed at loopback; nothing inherited but PATH."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # An empty home: no ~/.aws profile files, as in Lambda.
        "HOME": home,
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{runtime_port}",
        "AWS_LAMBDA_FUNCTION_NAME": "paperflow-pdf-generator",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/paperflow-pdf-generator",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench-cold-start",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_REGION": "eu-central-1",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "AKIDBENCHCOLDSTART00",
        "AWS_SECRET_ACCESS_KEY": "bench-cold-start-dummy-secret",
        "AWS_SESSION_TOKEN": "bench-cold-start-dummy-token",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{endpoint_port}",
        # Belt and braces: never ask an instance metadata service for anything.
        "AWS_EC2_METADATA_DISABLED": "true",
        "DOCUMENTS_BUCKET": "paperflow-documents",
        "DOCUMENT_EVENTS_TOPIC_ARN": "arn:aws:sns:eu-central-1:000000000000:document-events",
        # The pdf-requests queue's own DLQ, where misconfigured records go (required at start).
        "DEAD_LETTER_QUEUE_URL": "http://127.0.0.1:9/000000000000/pdf-requests-dlq",
        # The fonts layer, as deployed at /opt/fonts (scripts/build-fonts-layer.sh): DejaVu
        # Sans parsed at start, the fallbacks parsed only when a document needs one of them.
        "PAPERFLOW_FALLBACK_FONTS": str(fonts),
    }
    return env


def one_run(binary, home, log, fonts):
    """Milliseconds from spawning the process to its first /next."""
    server = RuntimeApi()
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    env = environment(server.port, unused_port(), home, fonts)
    process = None
    try:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(binary)], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
        if not server.arrived.wait(TIMEOUT_S):
            raise RuntimeError(f"no {NEXT} within {TIMEOUT_S:.0f} s")
        if server.init_error is not None:
            raise RuntimeError(f"the function failed to start: {server.init_error}")
        return (server.first_next - started) * 1000.0
    finally:
        if process is not None:
            process.kill()  # SIGKILL to this PID only
            process.wait()
        server.release.set()
        server.shutdown()
        server.server_close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use the binary already built")
    args = parser.parse_args()

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target_dir / "release" / "pdf-generator"
    if not args.no_build:
        subprocess.run(
            ["cargo", "build", "--release", "-p", "pdf-generator"], cwd=ROOT, check=True
        )
    if not binary.is_file():
        sys.exit(f"{binary} does not exist: build it first")
    if not all((LAYER_FONTS / face).is_file() for face in PRIMARY_FACES):
        sys.exit(f"{LAYER_FONTS} has no DejaVu Sans: run scripts/build-fonts-layer.sh (make tools)")

    print(
        f"pdf-generator cold start ({binary.stat().st_size / 1e6:.1f} MB binary), "
        f"process start → first {NEXT}, {RUNS} runs each:"
    )
    medians = {}
    with tempfile.TemporaryDirectory(prefix="paperflow-primary-faces-") as primary_only:
        for face in PRIMARY_FACES:
            shutil.copy(LAYER_FONTS / face, primary_only)
        for with_fallbacks, fonts in ((True, LAYER_FONTS), (False, Path(primary_only))):
            times = measure(binary, fonts)
            median = statistics.median(times)
            medians[with_fallbacks] = median
            verdict = "ok" if median <= TARGET_MS else "OVER"
            label = "the whole fonts layer  " if with_fallbacks else "DejaVu Sans faces only"
            print(
                f"  {label}  median {median:.1f} ms   min {min(times):.1f} ms   "
                f"max {max(times):.1f} ms   (target ≤ {TARGET_MS:.0f} ms: {verdict})"
            )
    print(f"  the fallbacks' cost at start: {medians[True] - medians[False]:+.1f} ms (median)")
    files, zipped = layer_size()
    print(f"  the layer: {files / 1e6:.2f} MB of files, {zipped / 1e6:.2f} MB zipped (zip -9)")


def measure(binary, fonts):
    """The cold starts of RUNS processes, in milliseconds."""
    times = []
    with tempfile.TemporaryDirectory(prefix="paperflow-cold-start-") as home:
        log_path = Path(home) / "function.log"
        with open(log_path, "wb") as log:
            for _ in range(RUNS):
                try:
                    times.append(one_run(binary, home, log, fonts))
                except RuntimeError as error:
                    log.flush()
                    print(f"cold start: {error}", file=sys.stderr)
                    print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
                    sys.exit(1)
    return times


def layer_size():
    """The bytes of the layer's files, and of the same files deflated into a zip as deployed."""
    files = sorted(path for path in LAYER_FONTS.iterdir() if path.is_file())
    with tempfile.TemporaryDirectory(prefix="paperflow-layer-") as scratch:
        archive = Path(scratch) / "layer.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as layer:
            for path in files:
                layer.write(path, f"fonts/{path.name}")
        zipped = archive.stat().st_size
    return sum(path.stat().st_size for path in files), zipped

if __name__ == "__main__":
    main()
