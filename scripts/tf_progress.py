"""Progress of a running `terraform apply|destroy` read from its output on stdin (scripts/deploy_local.sh).

Prints resources done/total and the slowest resource still in flight, on one refreshed line when stderr is a
terminal, else one line every few seconds; at the end the total time and the slowest resources. Reads only;
the caller keeps the full log (tee).
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time

PLAN = re.compile(r"^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")
START = re.compile(r"^(?P<addr>\S+): (?:Creating|Modifying|Destroying|Reading)\.\.\.")
DONE = re.compile(
    r"^(?P<addr>\S+): (?:Creation|Modifications|Destruction|Read) complete after (?P<took>\S+)(?: \[|$)"
)
FAILED = re.compile(r"^│ Error: ")


def _seconds(took: str) -> float:
    """Terraform's durations: 0s, 55s, 1m5s, 1h2m3s."""
    total = 0.0
    for value, unit in re.findall(r"(\d+)([hms])", took):
        total += int(value) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


class Progress:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.total = 0
        self.done = 0
        self.in_flight: dict[str, float] = {}
        self.took: list[tuple[float, str]] = []
        self.errors = 0

    def feed(self, line: str) -> None:
        with self.lock:
            if m := PLAN.match(line):
                self.total = sum(int(g) for g in m.groups())
            elif m := START.match(line):
                self.in_flight.setdefault(m["addr"], time.monotonic())
            elif m := DONE.match(line):
                self.in_flight.pop(m["addr"], None)
                if not line.split(": ", 1)[1].startswith("Read"):
                    self.done += 1
                self.took.append((_seconds(m["took"]), m["addr"]))
            elif FAILED.match(line):
                self.errors += 1

    def status(self) -> str:
        with self.lock:
            now = time.monotonic()
            text = f"{now - self.t0:5.0f} s  {self.done}/{self.total or '?'} done"
            if self.in_flight:
                addr, since = min(self.in_flight.items(), key=lambda kv: kv[1])
                text += f", {len(self.in_flight)} in flight, slowest: {addr} ({now - since:.0f} s)"
            return text

    def summary(self, slowest: int) -> str:
        with self.lock:
            top = sorted(self.took, reverse=True)[:slowest]
            lines = [f"{self.done}/{self.total} resources in {time.monotonic() - self.t0:.1f} s"]
            if top:
                lines.append("slowest: " + ", ".join(f"{addr} {took:.0f} s" for took, addr in top))
            return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", default="apply")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between lines when not a terminal")
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()

    progress = Progress()
    tty = sys.stderr.isatty()
    finished = threading.Event()

    def report() -> None:
        interval = 1.0 if tty else args.every
        while not finished.wait(interval):
            line = f"[deploy-local] {args.label}: {progress.status()}"
            if tty:
                sys.stderr.write("\r\033[K" + line[:200])
            else:
                sys.stderr.write(line + "\n")
            sys.stderr.flush()

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    for raw in sys.stdin:
        progress.feed(raw.rstrip("\n"))
    finished.set()
    reporter.join()
    if tty:
        sys.stderr.write("\r\033[K")
    for line in progress.summary(args.slowest).splitlines():
        sys.stderr.write(f"[deploy-local] {args.label}: {line}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
