"""`python -m sandbox`: serve every vendor simulator on one port (plus a TLS port)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from sandbox.core.config import SandboxConfig, parse_scale
from sandbox.core.registry import available_systems
from sandbox.core.server import SandboxServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="plain HTTP port (0: any free one)")
    parser.add_argument("--tls-port", type=int, default=8766, help="TLS port (0: any free one)")
    parser.add_argument("--no-tls", action="store_true", help="serve plain HTTP only")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("TOOTHPICK_DATA_DIR", "data")) / "sandbox",
        help="where the TLS certificate is kept",
    )
    parser.add_argument(
        "--scale",
        action="append",
        default=[],
        help="records per object: N, OBJECT=N or SYSTEM.OBJECT=N (repeatable)",
    )
    parser.add_argument(
        "--system",
        action="append",
        default=None,
        help=f"serve only these ({', '.join(available_systems())})",
    )
    parser.add_argument("--public-url", default=None, help="advertised plain URL (behind a proxy)")
    parser.add_argument(
        "--public-tls-url", default=None, help="advertised TLS URL (behind a proxy)"
    )
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--latency",
        action="store_true",
        default=os.environ.get("SANDBOX_LATENCY", "").lower() in ("1", "true", "realistic", "on"),
        help="answer at the vendors' real latency and enforce their limits "
        "(also SANDBOX_LATENCY=realistic; see sandbox/README.md)",
    )
    parser.add_argument(
        "--ready-json", action="store_true", help="print one JSON line with the URLs once serving"
    )
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        host=args.host,
        port=args.port,
        tls_port=None if args.no_tls else args.tls_port,
        data_dir=args.data_dir,
        systems=tuple(args.system) if args.system else None,
        scale=parse_scale(args.scale),
        public_url=args.public_url,
        latency=args.latency,
        public_tls_url=args.public_tls_url,
        log_level=args.log_level,
    )


def banner(server: SandboxServer) -> str:
    urls = server.sandbox.urls
    lines = [f"ToothPick vendor sandbox on {urls.http}" + (f" and {urls.tls}" if urls.tls else "")]
    if urls.ca_path:
        lines.append(f"  TLS CA certificate (trust it, or verify=False): {urls.ca_path}")
    lines.append(f"  control API: {urls.http}/__sandbox__/   (tenant credentials are listed there)")
    for tenant in server.sandbox.tenants():
        lines.append(f"  {tenant.system}/{tenant.name}: {tenant.config.description}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        server = SandboxServer(config_from(args))
        server.bind()
    except (OSError, ValueError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    urls = server.sandbox.urls
    if args.ready_json:
        ready = {
            "http": urls.http,
            "tls": urls.tls,
            "ca_path": str(urls.ca_path) if urls.ca_path else None,
        }
        print(json.dumps(ready), flush=True)
    else:
        print(banner(server), flush=True)
    server.run_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
