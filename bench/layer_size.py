"""How much of Lambda's 250 MB the media tools layer and the code package take, with and without deno.

    python bench/layer_size.py [--layer build/layer/media-tools-arm64.zip] [--package build/dev/chalice/deployment.zip]

Reads the built zips (layers/build.py, `chalice package`; the layer is built when missing) and prints a Markdown
table of their unzipped sizes by part, what the layer would be without deno, and the room left under the limit.
"""

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 250 * 2**20  # a function and all its layers, unzipped
PARTS = (("bin/deno", "deno"), ("bin/ffmpeg", "ffmpeg"), ("python/yt_dlp/", "yt-dlp"), ("python/", "other Python"))


def parts(layer: Path) -> dict[str, int]:
    sizes = dict.fromkeys([name for _, name in PARTS], 0)
    with zipfile.ZipFile(layer) as archive:
        for info in archive.infolist():
            name = next(name for prefix, name in PARTS if info.filename.startswith(prefix))
            sizes[name] += info.file_size
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layer", type=Path, default=ROOT / "build" / "layer" / "media-tools-arm64.zip")
    parser.add_argument("--package", type=Path, default=None, help="deployment.zip (optional)")
    args = parser.parse_args()
    if not args.layer.exists():
        subprocess.run([sys.executable, str(ROOT / "layers" / "build.py"), "--out", str(args.layer.parent)], check=True)
    sizes = parts(args.layer)
    code = 0
    if args.package:
        with zipfile.ZipFile(args.package) as archive:
            code = sum(info.file_size for info in archive.infolist())
    total = sum(sizes.values())
    mb = 2**20
    print(f"\nmedia tools layer {args.layer.name}: {args.layer.stat().st_size / mb:.1f} MB zipped\n")
    print("| part | unzipped (MB) |")
    print("|---|---:|")
    for name, size in sizes.items():
        print(f"| {name} | {size / mb:.1f} |")
    print(f"| **layer with deno** | **{total / mb:.1f}** |")
    print(f"| layer without deno | {(total - sizes['deno']) / mb:.1f} |")
    if code:
        print(f"| code package | {code / mb:.1f} |")
    print(
        f"| room left under Lambda's 250 MB (with deno{', code' if code else ''}) | {(LIMIT - total - code) / mb:.1f} |"
    )
    return 0 if total + code < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
