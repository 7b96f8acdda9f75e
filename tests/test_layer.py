"""layers/build.py: the media tools layer builds reproducibly, fits Lambda, and its yt-dlp, ffmpeg and deno run;
each architecture's layer holds that architecture's binaries.

The build pip-downloads its wheels from the package index (the only network it needs) into build/layer/, which
later runs reuse; the layer is then unpacked as Lambda does under /opt and run from there, by the functions'
runtime Python (3.12, infra/package.py finds it).
"""

import glob
import hashlib
import json
import os
import platform
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.package import VENV, package_venv, runtime_python
from tests.conftest import ROOT

BUILD = ROOT / "layers" / "build.py"
UNZIPPED_LIMIT = 250 * 1024 * 1024


# The layer whose binaries this machine runs (the functions' own, arm64, is checked by its ELF headers).
MACHINE_ARCHITECTURE = {"x86_64": "x86_64", "aarch64": "arm64"}.get(platform.machine(), "x86_64")
ELF_MACHINES = {"x86_64": 0x3E, "arm64": 0xB7}  # e_machine: EM_X86_64, EM_AARCH64


def build_layer(out: Path, architecture: str | None = None) -> Path:
    """The layer for `architecture`, by default the functions' (.chalice/config.json)."""
    command = [sys.executable, str(BUILD), "--out", str(out), *(["--arch", architecture] if architecture else [])]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"layers/build.py failed:\n{result.stdout}\n{result.stderr}"
    return Path(result.stdout.strip().splitlines()[-1])


def pinned(package: str) -> str:
    for line in (ROOT / "layers" / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{package}=="):
            return line.split("==", 1)[1].split()[0]
    raise AssertionError(f"{package} is not pinned in layers/requirements.txt")


@pytest.fixture(scope="module")
def layer() -> Path:
    return build_layer(ROOT / "build" / "layer", MACHINE_ARCHITECTURE)


@pytest.fixture(scope="module")
def opt(layer, tmp_path_factory) -> Path:
    """The layer unpacked as Lambda unpacks it under /opt (zipfile drops modes: restore them as unzip does)."""
    root = tmp_path_factory.mktemp("opt")
    with zipfile.ZipFile(layer) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, root))
            os.chmod(path, (info.external_attr >> 16) & 0o777)
    return root


def test_layer_layout_and_size(layer, opt):
    with zipfile.ZipFile(layer) as archive:
        infos = archive.infolist()
    assert {info.filename.split("/")[0] for info in infos} == {"python", "bin"}
    assert sum(info.file_size for info in infos) < UNZIPPED_LIMIT
    assert (opt / "python" / "yt_dlp" / "__init__.py").is_file()
    assert (opt / "bin" / "ffmpeg").stat().st_mode & stat.S_IXUSR
    assert (opt / "bin" / "deno").stat().st_mode & stat.S_IXUSR
    assert (opt / "python" / "yt_dlp_ejs" / "yt" / "solver" / "core.min.js").is_file()
    assert (opt / "python" / "yt_dlp_plugins" / "extractor" / "getpot_bgutil_http.py").is_file()
    assert not [info.filename for info in infos if ".data/" in info.filename], "wheel data (man pages) shipped"


def test_yt_dlp_runs_from_the_layer(opt):
    """A bare interpreter (-S: no site-packages) with only the layer's python/ on PYTHONPATH, as in Lambda."""
    code = "import sys, yt_dlp; print(yt_dlp.__file__); sys.argv = ['yt-dlp', '--version']; yt_dlp.main()"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(opt / "python")}
    result = subprocess.run([runtime_python(), "-S", "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    module_file, version = result.stdout.split()
    assert module_file.startswith(str(opt / "python"))
    assert version == pinned("yt-dlp")


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the layer's ffmpeg is built for Linux x86_64")
def test_ffmpeg_runs_from_the_layer(opt):
    result = subprocess.run([str(opt / "bin" / "ffmpeg"), "-version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ffmpeg version ")
    assert "--enable-libx264" in result.stdout  # yt-dlp merges and remuxes with it


def test_build_is_reproducible_and_reused(layer, tmp_path):
    """A second build from scratch gives the same bytes; a build with nothing changed is reused as it is."""
    again = build_layer(tmp_path / "again", MACHINE_ARCHITECTURE)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(layer.read_bytes()).digest()
    modified = again.stat().st_mtime_ns
    assert build_layer(tmp_path / "again", MACHINE_ARCHITECTURE) == again and again.stat().st_mtime_ns == modified


@pytest.mark.parametrize("architecture", sorted(ELF_MACHINES))
def test_each_architectures_layer_holds_its_own_binaries(architecture):
    built = build_layer(ROOT / "build" / "layer", architecture)
    assert built.name == f"media-tools-{architecture}.zip"
    with zipfile.ZipFile(built) as archive:
        assert sum(info.file_size for info in archive.infolist()) < UNZIPPED_LIMIT
        assert "python/yt_dlp/__init__.py" in archive.namelist()
        for binary in ("bin/ffmpeg", "bin/deno"):
            header = archive.open(binary).read(20)
            assert header[:4] == b"\x7fELF", binary
            assert int.from_bytes(header[18:20], "little") == ELF_MACHINES[architecture], binary


def lambda_env(opt: Path, tmp_path: Path) -> dict:
    """What the media functions' configuration sets (.chalice/config.json), with the layer at `opt`; PATH is
    emptied so nothing can be found on it."""
    return {
        "PATH": "",
        "HOME": str(tmp_path),  # not writable in Lambda: DENO_DIR keeps deno's cache in /tmp
        "DENO_DIR": str(tmp_path / "deno"),
        "DENO_EXE": str(opt / "bin" / "deno"),
        "IMAGEIO_FFMPEG_EXE": str(opt / "bin" / "ffmpeg"),
        # the adapter from the repository, and chalice (its errors' base) from the 3.12 packaging virtualenv
        "PYTHONPATH": os.pathsep.join([str(opt / "python"), str(ROOT), *glob.glob(str(VENV / "lib/*/site-packages"))]),
    }


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the layer's deno is built for Linux x86_64")
def test_deno_runs_from_the_layer(opt, tmp_path):
    deno = opt / "bin" / "deno"
    script = "console.log(JSON.stringify({sum: [1, 2, 3].reduce((a, b) => a + b), deno: Deno.version.deno}))"
    env = lambda_env(opt, tmp_path)
    result = subprocess.run([str(deno), "eval", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f'{{"sum":6,"deno":"{pinned("deno")}"}}'


ADAPTER_PROBE = """
import json, yt_dlp
from functions.youtube.runtime import runtime_params

warnings = []

class Logger:
    def debug(self, message): pass
    info = debug
    def warning(self, message): warnings.append(message)
    error = warning

with yt_dlp.YoutubeDL({**runtime_params(), "quiet": True, "logger": Logger(), "cachedir": False}) as ydl:
    runtime = ydl._js_runtimes["deno"].info
    youtube = ydl.get_info_extractor("Youtube")
    youtube.initialize()
    ejs = youtube._jsc_director.providers["Deno"]
    scripts = [ejs._lib_script, ejs._core_script]
    print(json.dumps({
        "runtime": [runtime.name, runtime.path, runtime.version, runtime.supported],
        "available": ejs.is_available(),
        "scripts": [[script.source.value, script.version] for script in scripts],
        "remote": sorted(ydl.params["remote_components"]),
        "warnings": warnings,
    }))
"""


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the layer's deno is built for Linux x86_64")
def test_adapter_gives_yt_dlp_the_layers_deno_and_solver(opt, tmp_path):
    """yt-dlp, configured by the adapter with the layer's paths alone, finds deno (supported) and the EJS solver
    scripts of the yt-dlp-ejs package, fetches none, and warns of nothing."""
    package_venv()
    env = lambda_env(opt, tmp_path)
    command = [runtime_python(), "-S", "-c", ADAPTER_PROBE]
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["runtime"] == ["deno", str(opt / "bin" / "deno"), pinned("deno"), True]
    assert probe["available"] is True
    assert probe["scripts"] == [["python package", pinned("yt-dlp-ejs")]] * 2
    assert probe["remote"] == [] and probe["warnings"] == []
