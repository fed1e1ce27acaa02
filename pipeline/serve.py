"""``make serve``: the flow as a Prefect deployment that re-runs on an interval schedule.

Each scheduled run is an ordinary run of :func:`pipeline.flows.extract_corpus`: it picks up what
was added to, changed in or removed from ``raw/`` and, thanks to the per-document cache, only
extracts those documents. Every run is in Prefect's run history and UI.

Scheduling needs a real Prefect server: against Prefect's temporary ("ephemeral") server
``flow.serve`` only warns "Cannot schedule flows on an ephemeral server" and never runs. So unless
``PREFECT_API_URL`` names a server, this module starts ``prefect server start`` on loopback (SQLite
in the project-local ``PREFECT_HOME``), waits until it answers, serves the flow, and on Ctrl-C or
SIGTERM stops the runner first and the server last. In production, point ``PREFECT_API_URL`` at a
shared server backed by PostgreSQL (``PREFECT_API_DATABASE_CONNECTION_URL``); see the README.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pipeline.prefect_server import die_with_parent

DEPLOYMENT_NAME = "scheduled-re-extraction"
SERVER_START_TIMEOUT = float(os.environ.get("PIPELINE_SERVER_START_TIMEOUT", 180))
SERVER_STOP_TIMEOUT = 20.0


class ServerError(RuntimeError):
    """The Prefect server could not be started."""


def serve(args) -> int:
    """Entry point of ``pipeline serve`` (see :func:`pipeline.cli.add_serve_command` for the options)."""
    if not args.raw.is_dir():
        print(f"error: raw directory not found: {args.raw}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C, until the runner installs its own handler
    server = None
    try:
        if not os.environ.get("PREFECT_API_URL"):
            server = PrefectServer(args.host, args.port, ui=not args.no_ui)
            server.start()
            os.environ["PREFECT_API_URL"] = server.api_url
            print(f"Prefect server {server.url} (pid {server.process.pid}, UI {'off' if args.no_ui else 'on'}), "
                  f"log {server.log_path}", flush=True)
        _serve_defaults(args.interval)
        _serve_flow(args)
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()
    print("serve: stopped", flush=True)
    return 0


def _serve_flow(args) -> None:
    """What ``flow.serve`` does, plus one run at once: a fresh ``make serve`` should not wait an interval."""
    # Imported only now: Prefect reads PREFECT_API_URL when it is first imported.
    import asyncio

    from prefect.deployments import run_deployment
    from prefect.deployments.runner import EntrypointType
    from prefect.runner import Runner

    from pipeline.cli import incremental_kwargs
    from pipeline.flows import extract_corpus

    parameters = {"raw_dir": str(args.raw.resolve()), "out_dir": str(args.out.resolve()), "progress": False}
    parameters.update({k: v for k, v in incremental_kwargs(args).items() if v is not None})
    runner = Runner(name=DEPLOYMENT_NAME, limit=1)  # one run at a time; the output lock would serialise them anyway
    deployment_id = runner.add_flow(
        extract_corpus, name=DEPLOYMENT_NAME, interval=args.interval, parameters=parameters,
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs find the flow wherever the command was started
    )
    run_deployment(deployment_id, timeout=0)
    print(f"serving {extract_corpus.name}/{DEPLOYMENT_NAME}: {parameters['raw_dir']} -> {parameters['out_dir']} "
          f"now and every {args.interval:g}s; Ctrl-C stops", flush=True)
    asyncio.run(runner.start())


def _serve_defaults(interval: float) -> None:
    """Runs report their logs to the server (the UI shows them), and short intervals are honoured."""
    env = os.environ
    env.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    env.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")
    env.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", str(max(1, min(10, int(interval // 2)))))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class PrefectServer:
    """``prefect server start`` as a child process in its own session (Ctrl-C reaches us, not it)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4200, ui: bool = True):
        self.host, self.port, self.ui = host, port, ui
        self.url = f"http://{host}:{port}"
        self.api_url = f"{self.url}/api"
        self.home = Path(os.environ.get("PREFECT_HOME") or Path.cwd() / ".prefect").resolve()
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        if _port_open(self.host, self.port):
            raise ServerError(
                f"{self.host}:{self.port} is already in use. If a Prefect server is running there, use it "
                f"with PREFECT_API_URL={self.api_url}; otherwise pass another --port."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port)],
                env=server_environment(self.home, self.ui), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.process.poll() is not None:
                raise ServerError(f"the Prefect server exited with code {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"the Prefect server did not answer within {timeout:.0f}s; see {self.log_path}")
            time.sleep(0.5)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = SERVER_STOP_TIMEOUT) -> None:
        """SIGTERM to the server's process group (it has workers), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def server_environment(home: Path, ui: bool) -> dict[str, str]:
    """The server's environment: ours, without the batch-run switches that would stop it scheduling.

    :func:`pipeline.settings.configure_prefect` turns the server services off for one-off batch runs
    on the temporary server; a process started from one (a test, a flow) inherits that, and a
    server without its scheduler never runs a schedule. This server runs Prefect's standard services.
    """
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("PREFECT_SERVER_SERVICES_") and k.endswith("_ENABLED"))}
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_HOME"] = str(home)
    if not (env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or env.get("PREFECT_API_DATABASE_CONNECTION_URL")):
        # Not the prefect.db that batch runs' temporary servers open: two servers on one SQLite file lock each other.
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{home / 'serve.db'}"
    env["PREFECT_SERVER_UI_ENABLED"] = "true" if ui else "false"
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    return env


def _port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0
