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
    """Compile every .py of the zip into it; how many pycs were added. Sources that do not compile are left as
    they are (some packages ship templates or other Pythons' files)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(archive) as source:
            source.extractall(root)
            before = set(source.namelist())
        compileall.compile_dir(
            root,
            ddir=LAMBDA_ROOT,
            quiet=2,
            workers=1,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        added = sorted(path.relative_to(root).as_posix() for path in root.rglob("*.pyc") if "__pycache__" in path.parts)
        added = [name for name in added if name not in before]
        with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as target:
            for name in added:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, (root / name).read_bytes())
    return len(added)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help="the deployment.zip `chalice package` wrote")
    args = parser.parse_args(argv)
    count = add_bytecode(args.archive)
    tag = sys.implementation.cache_tag
    print(f"{args.archive}: {count} {tag} pycs added ({os.path.getsize(args.archive):,} bytes)")


if __name__ == "__main__":
    main()
