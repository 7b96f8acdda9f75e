"""`chalice package` under the functions' runtime Python (3.12), whatever Python the local run and tests use.

    python -m infra.package --stage dev OUT_DIR

Chalice names the Lambda runtime after the interpreter it runs under and downloads the wheels of the compiled
dependencies (argon2's cffi) for that interpreter's ABI: packaging from the 3.11 virtualenv would ship
python3.11 functions. So packaging runs chalice from a virtualenv of its own, build/package-venv, made with a
python3.12 (PACKAGE_PYTHON, else python3.12 on PATH, else pyenv's) and holding the chalice and boto3 of
requirements-dev.txt with the app's requirements.txt (chalice imports app.py to find its functions); it is made
once and reused while those pins are unchanged.
"""

import argparse
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PYTHON = "3.12"
LAMBDA_RUNTIME = f"python{RUNTIME_PYTHON}"
VENV = ROOT / "build" / "package-venv"


class NoRuntimePython(RuntimeError):
    """No python3.12 on this machine: the package cannot be built for the functions' runtime."""


def _version_of(executable: str) -> str | None:
    try:
        result = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def runtime_python() -> str:
    """A python3.12 executable; NoRuntimePython when there is none."""
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [
        os.environ.get("PACKAGE_PYTHON"),
        shutil.which(f"python{RUNTIME_PYTHON}"),
        *sorted(glob.glob(f"{pyenv}/versions/{RUNTIME_PYTHON}.*/bin/python{RUNTIME_PYTHON}"), reverse=True),
    ]
    for candidate in filter(None, candidates):
        if _version_of(candidate) == RUNTIME_PYTHON:
            return candidate
    raise NoRuntimePython(f"no python{RUNTIME_PYTHON} found (set PACKAGE_PYTHON to one)")


PACKAGING_TOOLS = ("chalice", "boto3", "botocore")  # of requirements-dev.txt


def packaging_pins() -> list[str]:
    """The pins the packaging virtualenv installs: the tools, then the app's own requirements."""
    tools = [
        line.split()[0]
        for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
        if line.split("==")[0] in PACKAGING_TOOLS
    ]
    if len(tools) != len(PACKAGING_TOOLS):
        raise RuntimeError(f"requirements-dev.txt must pin {', '.join(PACKAGING_TOOLS)}")
    app = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    return tools + [pin for pin in app if pin]


def package_venv() -> Path:
    """build/package-venv with the packaging pins under python3.12; its bin/ folder."""
    pins, stamp = packaging_pins(), VENV / ".installed"
    if stamp.exists() and stamp.read_text().split() == pins:
        return VENV / "bin"
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([runtime_python(), "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", *pins], check=True)
    stamp.write_text("\n".join(pins) + "\n")
    return VENV / "bin"


def chalice_package(stage: str, out: Path, project: Path = ROOT, env: dict | None = None):
    """Run `chalice package --stage STAGE OUT` for `project`; the finished process (check its returncode)."""
    bin_dir = package_venv()
    return subprocess.run(
        [str(bin_dir / "chalice"), "--project-dir", str(project), "package", "--stage", stage, str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def add_bytecode(archive: Path) -> str:
    """infra/bytecode.py on `archive`, run by the packaging virtualenv's python3.12 so the pycs are the runtime's
    (cpython-312); what it printed."""
    python = package_venv() / "python"
    command = [str(python), "-m", "infra.bytecode", str(archive)]
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, timeout=900).stdout


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", required=True)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    result = chalice_package(args.stage, args.out)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
