"""Bytecode in the deployment package, so a cold start runs modules instead of compiling them.

    python -m infra.bytecode build/dev/chalice/deployment.zip

`chalice package` zips sources only (app.py, functions/, the dependencies' wheels), and Lambda unpacks them to a
read-only /var/task where Python can write no __pycache__: every cold start compiled every module it imported,
which cost more than importing boto3 (bench/api_cost.py). This adds `__pycache__/<name>.<tag>.pyc` next to each
source, as unchecked-hash pycs (valid without comparing source timestamps, which zip extraction does not keep
exactly). They are compiled by this interpreter, whose tag must be the runtime's for Lambda to use them (another
runtime ignores them): infra/package.py runs this module with the packaging python3.12.
"""

import argparse
import compileall
import os
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

LAMBDA_ROOT = "/var/task"  # where Lambda unpacks the package: the paths tracebacks show


def add_bytecode(archive: Path) -> int:
    """Compile every .py of the zip into it; how many pycs it holds then. Pycs already in the zip (`chalice
    package` ships the __pycache__ folders the packaging import wrote, checked by timestamp, which an unzipped
    package does not keep) are replaced. Sources that do not compile are left as they are (some packages ship
    templates or other Pythons' files)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(archive) as source:
            source.extractall(root)
            kept = [(info, source.read(info)) for info in source.infolist() if not _is_pyc(info.filename)]
        compileall.compile_dir(
            root,
            ddir=LAMBDA_ROOT,
            quiet=2,
            workers=1,
            force=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        compiled = sorted(path.relative_to(root).as_posix() for path in root.rglob("*.pyc") if _is_pyc(str(path)))
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for info, data in kept:
                target.writestr(info, data)
            for name in compiled:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, (root / name).read_bytes())
    return len(compiled)


def _is_pyc(name: str) -> bool:
    return name.endswith(".pyc") and "__pycache__" in Path(name).parts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="the deployment.zip `chalice package` wrote")
    args = parser.parse_args(argv)
    count = add_bytecode(args.archive)
    tag = sys.implementation.cache_tag
    print(f"{args.archive}: {count} {tag} pycs added ({os.path.getsize(args.archive):,} bytes)")


if __name__ == "__main__":
    main()
