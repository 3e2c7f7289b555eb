#!/usr/bin/env python3
"""Benchmark the thumbnail function's one-decode path against the seed 000 handler's approach.

A realistic 12-megapixel (4000x3000) JPEG is generated in memory (gradients + shapes + noise) and
turned into three thumbnails (200x200, 400x400, 800x800 boxes) by:

- ``one_decode``: ``functions/thumbnail/thumbnail_render.render_thumbnails`` (what the Lambda runs:
  one decode with a JPEG draft sized for the largest box, sizes chained largest to smallest,
  progressive/optimized JPEG output);
- ``seed_per_size``: what seed 000's handler does, once per size: ``Image.open`` +
  ``Image.thumbnail(size, LANCZOS)`` + ``save(quality=85)``. Note that ``Image.thumbnail`` applies a
  JPEG draft by itself, so this baseline is already much better than a full decode per size;
- ``full_decode_per_size``: the same without any draft (``reducing_gap=None``): a full 12 MP decode
  for every size, the naive worst case.

Each variant runs in its own Python process, so the peak-RSS figure is honest: it is the growth of
the process's peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs`` right before the run)
over its RSS at that moment (interpreter, Pillow and the JPEG bytes already loaded). Linux's
``ru_maxrss`` is not used because it survives ``exec`` and would report the parent's peak.
``tracemalloc`` only sees Python-heap allocations (bytes buffers), not Pillow's pixel buffers, and
is reported for completeness. Nothing is asserted about speed.

Usage: ``.venv/bin/python scripts/bench_thumbnail.py [--repeat N]``; importable: ``run() -> dict``.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
THUMBNAIL_DIR = ROOT / "functions" / "thumbnail"
SHARED_LAYER_DIR = ROOT / "layers" / "shared" / "python"  # pipeline_shared, a layer in Lambda
SIZES: list[tuple[int, int]] = [(200, 200), (400, 400), (800, 800)]
WIDTH, HEIGHT = 4000, 3000
MAX_PIXELS = 40_000_000
VARIANTS = ("one_decode", "seed_per_size", "full_decode_per_size")


def make_jpeg(width: int = WIDTH, height: int = HEIGHT, quality: int = 90) -> bytes:
    """A photo-like JPEG: smooth gradients, some hard edges and sensor-like noise."""
    from PIL import Image, ImageDraw

    red = Image.linear_gradient("L").resize((width, height))
    green = Image.radial_gradient("L").resize((width, height))
    blue = Image.linear_gradient("L").rotate(90).resize((width, height))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    for i in range(40):
        x, y = (i * 997) % width, (i * 631) % height
        draw.ellipse(
            (x, y, x + 300 + i * 7, y + 200 + i * 5), fill=((i * 53) % 256, (i * 97) % 256, (i * 31) % 256)
        )
    noise = Image.effect_noise((width, height), 48).convert("RGB")
    image = Image.blend(image, noise, 0.18)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _thumbnail_import_path() -> None:
    for path in (SHARED_LAYER_DIR, THUMBNAIL_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def _one_decode(data: bytes) -> list[bytes]:
    _thumbnail_import_path()
    from thumbnail_render import render_thumbnails

    return [t.body for t in render_thumbnails(data, SIZES, max_pixels=MAX_PIXELS)]


def _per_size(data: bytes, reducing_gap: float | None) -> list[bytes]:
    from PIL import Image

    out = []
    for size in SIZES:  # the seed handler's body, once per size
        image = Image.open(io.BytesIO(data))
        image.thumbnail(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=85)
        out.append(buf.getvalue())
    return out


def _variant(name: str) -> Callable[[bytes], list[bytes]]:
    if name == "one_decode":
        return _one_decode
    if name == "seed_per_size":
        return lambda data: _per_size(data, 2.0)  # Image.thumbnail's default reducing_gap
    if name == "full_decode_per_size":
        return lambda data: _per_size(data, None)
    raise ValueError(f"unknown variant {name!r}")


def _proc_status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> int:
    """Reset the peak-RSS mark to the current RSS when the kernel allows it; return the baseline in KiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    current = _proc_status_kib("VmRSS")
    hwm = _proc_status_kib("VmHWM")
    if current is None or hwm is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return hwm  # == current after a successful reset; otherwise the honest earlier peak


def _peak_rss() -> int:
    peak = _proc_status_kib("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(name: str, data: bytes, repeat: int) -> dict[str, Any]:
    """Run one variant in this process: memory on the first (cold) run, then timed runs."""
    fn = _variant(name)
    import PIL.Image  # noqa: F401  (imported before the RSS baseline)

    if name == "one_decode":
        _thumbnail_import_path()
        import thumbnail_render  # noqa: F401

    rss_before = _reset_peak_rss()
    tracemalloc.start()
    outputs = fn(data)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = _peak_rss()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(data)
        timings.append((time.perf_counter() - start) * 1000)
    return {
        "ms_per_image": round(statistics.median(timings), 1),
        "ms_min": round(min(timings), 1),
        "peak_rss_delta_mb": round((rss_after - rss_before) / 1024, 1),  # KiB -> MiB
        "tracemalloc_peak_mb": round(traced_peak / 2**20, 1),
        "output_bytes": [len(o) for o in outputs],
    }


def run(repeat: int = 3) -> dict[str, Any]:
    """Generate the image, run every variant in its own subprocess, return the figures."""
    data = make_jpeg()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.jpg"
        source.write_bytes(data)
        for name in VARIANTS:
            proc = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--child",
                    name,
                    str(source),
                    "--repeat",
                    str(repeat),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[name] = json.loads(proc.stdout)
    ours = results["one_decode"]
    return {
        "image": {
            "width": WIDTH,
            "height": HEIGHT,
            "megapixels": WIDTH * HEIGHT / 1e6,
            "jpeg_bytes": len(data),
        },
        "sizes": [f"{w}x{h}" for w, h in SIZES],
        "repeat": repeat,
        "variants": results,
        "speedup_vs_seed_per_size": round(results["seed_per_size"]["ms_per_image"] / ours["ms_per_image"], 2),
        "speedup_vs_full_decode_per_size": round(
            results["full_decode_per_size"]["ms_per_image"] / ours["ms_per_image"], 2
        ),
        "peak_rss_ratio_seed_per_size_vs_one_decode": round(
            results["seed_per_size"]["peak_rss_delta_mb"] / max(ours["peak_rss_delta_mb"], 0.1), 2
        ),
    }


def _print(report: dict[str, Any]) -> None:
    image = report["image"]
    print(
        f"thumbnail bench: {image['width']}x{image['height']} JPEG ({image['jpeg_bytes'] / 2**20:.1f} MiB), "
        f"sizes {', '.join(report['sizes'])}, median of {report['repeat']} runs"
    )
    print(f"  {'variant':<22}{'ms/image':>10}{'peak RSS +MiB':>15}{'tracemalloc MiB':>17}")
    for name, figures in report["variants"].items():
        print(
            f"  {name:<22}{figures['ms_per_image']:>10}{figures['peak_rss_delta_mb']:>15}"
            f"{figures['tracemalloc_peak_mb']:>17}"
        )
    print(f"  speed-up vs seed_per_size:        {report['speedup_vs_seed_per_size']}x")
    print(f"  speed-up vs full_decode_per_size: {report['speedup_vs_full_decode_per_size']}x")
    print(f"  peak RSS, seed_per_size / one_decode: {report['peak_rss_ratio_seed_per_size_vs_one_decode']}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per variant (median reported)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "JPEG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, path = args.child
        print(json.dumps(measure(name, Path(path).read_bytes(), args.repeat)))
        return 0
    report = run(repeat=args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
