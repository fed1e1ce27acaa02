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
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.runtime.prefect_server import PrefectServer, ServerError

DEPLOYMENT_NAME = "scheduled-re-extraction"


@dataclass(frozen=True)
class ServeOptions:
    """What ``pipeline serve`` needs: where to read and write, how often, and which server to start.

    ``run`` holds the keyword arguments every scheduled run passes to
    :func:`pipeline.flows.extract_corpus` (``dask_address``, ``lock_wait``, ...).
    """

    raw: Path
    out: Path
    interval: float = 300.0
    host: str = "127.0.0.1"
    port: int = 4200
    ui: bool = True
    run: dict = field(default_factory=dict)

    def flow_parameters(self) -> dict:
        parameters = {"raw_dir": str(Path(self.raw).resolve()), "out_dir": str(Path(self.out).resolve()), "progress": False}
        parameters.update({k: v for k, v in self.run.items() if v is not None})
        return parameters


def serve(options: ServeOptions) -> int:
    """Entry point of ``pipeline serve``: returns the exit code."""
    if not Path(options.raw).is_dir():
        print(f"error: raw directory not found: {options.raw}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C, until the runner installs its own handler
    server = None
    try:
        if not os.environ.get("PREFECT_API_URL"):
            server = PrefectServer(options.host, options.port, ui=options.ui)
            server.start()
            os.environ["PREFECT_API_URL"] = server.api_url
            print(f"Prefect server {server.url} (pid {server.process.pid}, UI {'on' if options.ui else 'off'}), "
                  f"log {server.log_path}", flush=True)
        _serve_defaults(options.interval)
        _serve_flow(options)
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


def _serve_flow(options: ServeOptions) -> None:
    """What ``flow.serve`` does, plus one run at once: a fresh ``make serve`` should not wait an interval."""
    # Imported only now: Prefect reads PREFECT_API_URL when it is first imported.
    import asyncio

    from prefect.deployments import run_deployment
    from prefect.deployments.runner import EntrypointType
    from prefect.runner import Runner

    from pipeline.flows import extract_corpus

    parameters = options.flow_parameters()
    runner = Runner(name=DEPLOYMENT_NAME, limit=1)  # one run at a time; the output lock would serialise them anyway
    deployment_id = runner.add_flow(
        extract_corpus, name=DEPLOYMENT_NAME, interval=options.interval, parameters=parameters,
        entrypoint_type=EntrypointType.MODULE_PATH,  # runs find the flow wherever the command was started
    )
    # Ctrl-C stops serve as SIGTERM does, through the runner's graceful stop (it cancels the run in
    # flight and its polling loops, and start() returns; a second Ctrl-C exits at once). asyncio's own
    # Ctrl-C only cancels the main task, which the runner's task group can absorb: under load a
    # serve once went on running flows for a minute after it.
    signal.signal(signal.SIGINT, runner.handle_sigterm)
    run_deployment(deployment_id, timeout=0)
    print(f"serving {extract_corpus.name}/{DEPLOYMENT_NAME}: {parameters['raw_dir']} -> {parameters['out_dir']} "
          f"now and every {options.interval:g}s; Ctrl-C stops", flush=True)
    asyncio.run(runner.start())


def _serve_defaults(interval: float) -> None:
    """Runs report their logs to the server (the UI shows them), and short intervals are honoured."""
    env = os.environ
    env.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    env.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")
    env.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", str(max(1, min(10, int(interval // 2)))))


def _interrupt(signum, frame):
    raise KeyboardInterrupt
