"""Build the Lambda layer of the media jobs: yt-dlp, a static ffmpeg and deno, as build/layer/media-tools-ARCH.zip.

    python layers/build.py [--out build/layer] [--arch arm64|x86_64]

The architecture is the functions' (`lambda_architecture` of .chalice/config.json) unless --arch names another.
The wheels pinned by hash in layers/requirements.txt (one hash per architecture's wheel) are fetched from the
package index for the functions' runtime, python3.12 on Linux with glibc 2.34 on that architecture
(`pip download --platform manylinux_2_34_aarch64 ... --only-binary=:all:`), whatever this machine is, then
unpacked: python/ holds yt_dlp, yt_dlp_ejs, the PO token plugin and imageio_ffmpeg's Python code (Lambda puts
/opt/python on sys.path), bin/ffmpeg is imageio-ffmpeg's static binary and bin/deno deno's (IMAGEIO_FFMPEG_EXE and
DENO_EXE point at them: the adapter never searches PATH). Entries are sorted and stamped 1980-01-01, so the same
requirements give the same bytes. A build is reused while requirements.txt, this script and the architecture are
unchanged (the zip's .key file holds their hash). Prints the zip's path.
"""

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REQUIREMENTS = HERE / "requirements.txt"
CONFIG = ROOT / ".chalice" / "config.json"
MACHINES = {"x86_64": "x86_64", "arm64": "aarch64"}  # Lambda's architecture names -> wheel and binary names
PIP_DOWNLOAD = ("-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--require-hashes")
RUNTIME_PYTHON = "3.12"  # the functions' Lambda runtime (.chalice/config.json is packaged under this Python)
# pip 23 does not widen a manylinux_2_34 platform to the older tags it implies: every one is listed.
GLIBC_TAGS = ("manylinux_2_34", "manylinux_2_28", "manylinux_2_27", "manylinux2014")
UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda: a function and all its layers, unzipped
DENO_SCRIPT = "/scripts/deno"  # deno-<version>.data/scripts/deno: the wheel's binary
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def functions_architecture() -> str:
    return json.loads(CONFIG.read_text()).get("lambda_architecture", "x86_64")


def layer_name(architecture: str) -> str:
    return f"media-tools-{architecture}.zip"


def ffmpeg_prefix(architecture: str) -> str:
    return f"imageio_ffmpeg/binaries/ffmpeg-linux-{MACHINES[architecture]}"


def build_key(architecture: str) -> str:
    sources = REQUIREMENTS.read_bytes() + Path(__file__).read_bytes() + architecture.encode()
    return hashlib.sha256(sources).hexdigest()


def download_wheels(folder: Path, architecture: str) -> list[Path]:
    platform = [arg for tag in GLIBC_TAGS for arg in ("--platform", f"{tag}_{MACHINES[architecture]}")]
    python = ("--python-version", RUNTIME_PYTHON, "--implementation", "cp")
    subprocess.run(
        [sys.executable, *PIP_DOWNLOAD, *platform, *python, "-r", str(REQUIREMENTS), "-d", str(folder)],
        check=True,
    )
    return sorted(folder.glob("*.whl"))


def layer_path(wheel_entry: str, architecture: str) -> tuple[str, int] | None:
    """Where a file of a wheel goes in the layer and its mode; None for what the layer does not need."""
    top = wheel_entry.split("/", 1)[0]
    if top.startswith("deno-") and top.endswith(".data") and wheel_entry.endswith(DENO_SCRIPT):
        return "bin/deno", 0o755
    if top.endswith(".data") or wheel_entry.endswith("/"):  # man pages, shell completions
        return None
    if wheel_entry.startswith(ffmpeg_prefix(architecture)):
        return "bin/ffmpeg", 0o755
    if wheel_entry.startswith("imageio_ffmpeg/binaries/") and not wheel_entry.endswith(".py"):
        return None
    return f"python/{wheel_entry}", 0o644


def write_layer(wheels: list[Path], target: Path, architecture: str) -> int:
    """Zip the layer deterministically; its unzipped size in bytes."""
    entries = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                placed = layer_path(info.filename, architecture)
                if placed:
                    entries.append((placed[0], placed[1], wheel, info.filename))
    names = [name for name, *_ in entries]
    if len(names) != len(set(names)):
        raise SystemExit("two wheels put a file at the same place in the layer")
    for binary, source in (
        ("bin/ffmpeg", ffmpeg_prefix(architecture) + "*"),
        ("bin/deno", "deno-*.data" + DENO_SCRIPT),
    ):
        if binary not in names:
            raise SystemExit(f"no {source} in the wheels of {REQUIREMENTS}")
    size = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as layer:
        for name, mode, wheel, source in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with zipfile.ZipFile(wheel) as archive, archive.open(source) as src, layer.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            size += layer.getinfo(name).file_size
    return size


def build(out: Path, architecture: str) -> Path:
    name = layer_name(architecture)
    target, key_file = out / name, out / (name + ".key")
    key = build_key(architecture)
    if target.exists() and key_file.exists() and key_file.read_text().strip() == key:
        return target
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as work:
        partial = Path(work) / name
        size = write_layer(download_wheels(Path(work), architecture), partial, architecture)
        if size >= UNZIPPED_LIMIT:
            raise SystemExit(f"the layer unzips to {size / 2**20:.0f} MB, over Lambda's {UNZIPPED_LIMIT / 2**20:.0f}")
        partial.replace(target)
    key_file.write_text(key + "\n")
    return target


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "layer")
    parser.add_argument("--arch", choices=sorted(MACHINES), default=None, help="default: the functions' architecture")
    args = parser.parse_args(argv)
    print(build(args.out, args.arch or functions_architecture()))


if __name__ == "__main__":
    main()
