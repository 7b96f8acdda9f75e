"""The Lambda deployment package, built by `chalice package`: it holds functions/ and runs from itself alone.

Chalice ships only app.py, chalicelib/ and vendor/; functions/ gets in through the `vendor/functions` symlink.
It packages under the functions' runtime Python (infra/package.py: python3.12), and the package is imported by
that Python. The build pip-downloads the Lambda dependencies, so these tests are skipped when PyPI cannot be
reached.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from infra.package import LAMBDA_RUNTIME, add_bytecode, chalice_package, runtime_python

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUNTIME_TAG = "cpython-" + LAMBDA_RUNTIME.removeprefix("python").replace(".", "")  # of the runtime's pycs
STAGE = "dev"  # a deployed stage: its template is the one merged and linted below
# Nothing of these may ship: tests, benchmarks, the local virtualenv, local data, repository metadata.
NOT_SHIPPED = {"tests", "bench", ".venv", "venv", "data", ".git", ".chalice", "infra", "layers"}
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
# What the Lambda Python runtime provides next to the package (it comes after the package on sys.path).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")


def _pypi_unreachable() -> str | None:
    url = (os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple").rstrip("/") + "/pynamodb/"
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10).close()
    except urllib.error.HTTPError:
        return None  # the index answered; the build will tell if something is wrong
    except OSError as error:
        return f"PyPI cannot be reached ({url}: {error}); `chalice package` pip-downloads the Lambda dependencies"
    return None


def _mirror_project(dest: Path, architecture: str) -> None:
    """The repository seen through symlinks, with a .chalice/ of its own whose config packages for `architecture`.

    Chalice writes its dependency cache into the project's .chalice/deployments/, in place, keyed on a hash of
    the code: building in a mirror keeps concurrent runs from reading each other's half-written zip and leaves
    no 17 MB zip in the repository per code change. Everything else is the repository itself (vendor/ resolves
    to the real vendor/functions symlink; tests/, bench/, .venv/ are there too, to prove they are not shipped).
    """
    dest.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in (".git", ".chalice"):
            (dest / entry.name).symlink_to(entry)
    (dest / ".chalice").mkdir()
    for entry in (ROOT / ".chalice").iterdir():
        if entry.name not in ("deployments", "venv", "deployed", "config.json"):
            (dest / ".chalice" / entry.name).symlink_to(entry)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    (dest / ".chalice" / "config.json").write_text(json.dumps({**config, "lambda_architecture": architecture}))


def chalice_env() -> dict:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    env["AWS_DEFAULT_REGION"] = "us-east-1"  # chalice package refuses to run without a region
    return env


# The package whose compiled dependencies this machine runs; the functions' own (arm64) is checked by its ELF headers.
MACHINE_ARCHITECTURE = {"x86_64": "x86_64", "aarch64": "arm64"}.get(platform.machine(), "x86_64")
ELF_MACHINES = {"x86_64": 0x3E, "arm64": 0xB7}  # e_machine: EM_X86_64, EM_AARCH64


def _package(tmp_path_factory, architecture: str) -> tuple[Path, Path]:
    reason = _pypi_unreachable()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("package")
    project = work / "project"
    _mirror_project(project, architecture)
    out = work / "out"
    result = chalice_package(STAGE, out, project, chalice_env())
    assert result.returncode == 0, f"chalice package failed:\n{result.stdout}\n{result.stderr}"
    assert " cpython-312 pycs added" in add_bytecode(out / "deployment.zip")  # as infra/deploy.py packages it
    return project, out


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """`chalice package --stage dev` of the repository for this machine: the project mirror and the output folder."""
    return _package(tmp_path_factory, MACHINE_ARCHITECTURE)


def test_the_functions_package_is_built_for_their_architecture(tmp_path_factory):
    """Every compiled module of the package .chalice/config.json asks for (arm64) is built for that machine."""
    architecture = json.loads((ROOT / ".chalice" / "config.json").read_text())["lambda_architecture"]
    _, out = _package(tmp_path_factory, architecture)
    functions = _functions(json.loads((out / "sam.json").read_text()))
    assert {tuple(f["Architectures"]) for f in functions.values()} == {(architecture,)}
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        compiled = [name for name in archive.namelist() if name.endswith(".so")]
        assert compiled
        for name in compiled:
            header = archive.open(name).read(20)
            assert int.from_bytes(header[18:20], "little") == ELF_MACHINES[architecture], name


@pytest.fixture(scope="module")
def unzipped(build, tmp_path_factory):
    _, out = build
    root = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(root)
    return root


def test_vendor_functions_is_a_relative_symlink():
    link = ROOT / "vendor" / "functions"
    assert link.is_symlink(), "vendor/functions must be a symlink to ../functions (chalice ships vendor/ only)"
    assert os.readlink(link) == "../functions"
    listed = subprocess.run(
        ["git", "ls-files", "-s", "vendor/functions"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode == 0 and listed.stdout:
        assert listed.stdout.startswith("120000 "), f"git does not store vendor/functions as a symlink: {listed.stdout}"


def test_package_ships_functions_and_nothing_local(build):
    _, out = build
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        infos = archive.infolist()
    names = {info.filename for info in infos}
    expected = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "functions").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert "app.py" in names
    assert not expected - names, f"missing from deployment.zip: {sorted(expected - names)}"
    shipped_local = sorted(name for name in names if name.split("/")[0] in NOT_SHIPPED)
    assert not shipped_local, f"deployment.zip ships local files: {shipped_local[:20]}"
    assert sum(info.file_size for info in infos) < LAMBDA_UNZIPPED_LIMIT


PROBE = textwrap.dedent(
    """
    import json, os, sys
    package, runtime = sys.argv[1], sys.argv[2]
    sys.path[:0] = [package]
    sys.path.append(runtime)
    import app
    import functions.storage.models
    import functions.jobs.powertools  # the jobs' powertools, which the API path does not import

    event = {
        "resource": "/api/ping", "path": "/api/ping", "httpMethod": "GET", "headers": {},
        "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/api/ping", "httpMethod": "GET", "stage": "api",
                           "identity": {"sourceIp": "192.0.2.1"}},
    }
    response = app.app(event, None)
    allowed = tuple(os.path.join(path, "") for path in (package, runtime, sys.base_prefix))
    print(json.dumps({
        "files": {
            name: sys.modules[name].__file__
            for name in ("app", "functions.storage.models", "pynamodb", "chalice", "aws_lambda_powertools")
        },
        "foreign": sorted(
            name for name, module in sys.modules.items()
            if getattr(module, "__file__", None) and not module.__file__.startswith(allowed)
        ),
        "sys_path": sys.path,
        "routes": {path: sorted(methods) for path, methods in app.app.routes.items()},
        "handlers": sorted(app.app.handler_map),
        "models": [model.__name__ for model in functions.storage.models.ALL_MODELS],
        "ping": response,
    }))
    """
)


def _probe(package: Path, runtime: Path, python: str = sys.executable) -> dict:
    """Run PROBE in a bare interpreter (-I -S: no site-packages, no PYTHON* variables, no cwd on sys.path)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # any AWS call fails at once instead of leaving the machine
        "APP_STAGE": STAGE,
    }
    result = subprocess.run(
        [python, "-I", "-S", "-c", PROBE, str(package), str(runtime)],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"importing app from {package} failed:\n{result.stderr}"
    return json.loads(result.stdout)


def _runtime(folder: Path) -> Path:
    """What the Lambda runtime provides next to the package (RUNTIME_PACKAGES), linked from this interpreter's."""
    site_packages = Path(__import__("boto3").__file__).parent.parent
    folder.mkdir()
    for name in RUNTIME_PACKAGES:
        if (site_packages / name).exists():
            (folder / name).symlink_to(site_packages / name)
    return folder


def test_package_is_built_for_the_runtime(build):
    """Every function runs on python3.12, and the compiled dependency ships the wheel of that Python's ABI."""
    _, out = build
    functions = _functions(json.loads((out / "sam.json").read_text()))
    assert functions and {f["Runtime"] for f in functions.values()} == {LAMBDA_RUNTIME}
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        compiled = [name for name in archive.namelist() if name.endswith(".so")]
    assert any(RUNTIME_TAG in name for name in compiled), compiled  # cffi's backend
    assert not [name for name in compiled if "cpython-" in name and RUNTIME_TAG not in name], compiled


def test_package_imports_from_itself(unzipped, tmp_path):
    """A bare python3.12 imports the app and the models from the unzipped package, and nothing from the repo."""
    site_packages = Path(__import__("boto3").__file__).parent.parent
    probe = _probe(unzipped, _runtime(tmp_path / "runtime"), runtime_python())

    for name, file in probe["files"].items():
        assert file.startswith(str(unzipped)), f"{name} was imported from {file}, not from the package"
    assert not probe["foreign"], f"imported from outside the package and the runtime: {probe['foreign']}"
    assert str(ROOT) not in probe["sys_path"]
    assert "/api/video" in probe["routes"]
    # The handler runs from the package: an unauthenticated request is refused by the app's own code.
    assert probe["ping"]["statusCode"] in (401, 403), probe["ping"]
    assert json.loads(probe["ping"]["body"])

    # The same app as the repository's (imported afresh, as this session may hold an older import).
    repository = _probe(ROOT, site_packages)
    for key in ("routes", "handlers", "models", "ping"):
        assert probe[key] == repository[key], f"the package's {key} differ from the repository's"


def test_package_runs_its_bytecode(unzipped, tmp_path):
    """A cold start runs the shipped bytecode: with every source of the app broken, the app still answers."""
    package = tmp_path / "package"
    shutil.copytree(unzipped, package, symlinks=True)
    sources = [package / "app.py", *(package / "functions").rglob("*.py")]
    for source in sources:
        assert (source.parent / "__pycache__" / f"{source.stem}.{RUNTIME_TAG}.pyc").is_file(), source
        source.write_text("raise SystemExit('compiled from source')\n")
    probe = _probe(package, _runtime(tmp_path / "runtime"), runtime_python())
    assert probe["ping"]["statusCode"] in (401, 403), probe["ping"]


@pytest.fixture(scope="module")
def merged(build, tmp_path_factory) -> tuple[dict, Path]:
    """The deployable template: Chalice's, with infra/resources.yaml and the media tools layer merged in."""
    from tests.test_layer import build_layer

    _, out = build
    layer = build_layer(ROOT / "build" / "layer")
    template = tmp_path_factory.mktemp("merged") / "template.json"
    command = ["-m", "infra.merge", "--stage", STAGE, "--chalice", str(out), "--layer", str(layer), str(template)]
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"infra/merge.py failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(template.read_text()), template


def test_merged_template_lints(merged):
    """The merged template passes cfn-lint (which also expands the SAM transform)."""
    _, path = merged
    lint = subprocess.run([str(BIN / "cfn-lint"), str(path)], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, f"cfn-lint on the merged template:\n{lint.stdout}\n{lint.stderr}"


def _functions(template: dict) -> dict:
    return {k: v["Properties"] for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


def test_merged_functions_use_the_stack(merged):
    """Names come from the stack's resources; no `${...}` is left outside Fn::Sub; code and layer files exist."""
    template, path = merged
    resources = template["Resources"]
    assert template["Parameters"]["Stage"]["AllowedValues"] == [STAGE]
    assert {"VideoTable", "MediaBucket", "DownloadQueue", "HmacSecret", "MediaToolsLayer"} <= set(resources)
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][STAGE]["lambda_functions"]
    for name, function in _functions(template).items():
        variables = function["Environment"]["Variables"]
        assert variables["MEDIA_BUCKET"] == {"Ref": "MediaBucket"}, name
        assert variables["DOWNLOAD_QUEUE_URL"] == {"Ref": "DownloadQueue"}, name
        assert variables["HMAC_SECRET_ID"] == {"Ref": "HmacSecret"}, name
        assert (path.parent / function["CodeUri"]).is_file(), name
        # app.<name> for the app's own handlers, <module>.<name> for a blueprint's: the config names the function
        handler = "api_handler" if function["Handler"] == "app.app" else function["Handler"].rpartition(".")[2]
        assert function["Timeout"] == config[handler]["lambda_timeout"], name
        if "layers" in config[handler]:
            assert function["Layers"] == [{"Ref": "MediaToolsLayer"}], name
        assert function["LoggingConfig"] == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}, name
        for event in function.get("Events", {}).values():
            if event["Type"] == "SQS":
                assert event["Properties"]["Queue"]["Fn::GetAtt"][1] == "Arn", name
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name

    def plain_placeholders(value, inside_sub=False):
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in plain_placeholders(v, inside_sub or k == "Fn::Sub")]
        if isinstance(value, list):
            return [p for v in value for p in plain_placeholders(v, inside_sub)]
        return [value] if isinstance(value, str) and "${" in value and not inside_sub else []

    assert not plain_placeholders(resources), "a ${...} left as a plain string: CloudFormation would not resolve it"
    layer = resources["MediaToolsLayer"]["Properties"]
    assert (path.parent / layer["ContentUri"]).is_file()


def test_functions_run_the_python_that_compiled_the_bytecode(merged):
    """infra/bytecode.py compiles with the interpreter that packages; a runtime of another Python would ignore the
    pycs (their names carry the version) and compile at every cold start again."""
    template, path = merged
    for name, function in _functions(template).items():
        assert function["Runtime"] == LAMBDA_RUNTIME, name
    with zipfile.ZipFile(path.parent / _functions(template)["APIHandler"]["CodeUri"]) as archive:
        tags = {name.rsplit(".", 2)[-2] for name in archive.namelist() if name.endswith(".pyc")}
    assert RUNTIME_TAG in tags, tags  # (a developer's tree may add its own __pycache__ of another Python)


def test_function_and_layer_fit_lambda(build, merged):
    """The code package and the media tools layer together unzip under Lambda's 250 MB."""
    _, out = build
    template, path = merged
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        code = sum(info.file_size for info in archive.infolist())
    with zipfile.ZipFile(path.parent / template["Resources"]["MediaToolsLayer"]["Properties"]["ContentUri"]) as archive:
        layer = sum(info.file_size for info in archive.infolist())
    assert code + layer < LAMBDA_UNZIPPED_LIMIT, f"code {code / 2**20:.0f} MB + layer {layer / 2**20:.0f} MB"


def test_the_download_task_image_holds_the_package_and_layer_and_starts(build, merged, tmp_path):
    """infra/container.py's build context: the Dockerfile's entry point, run from the unpacked package and layer
    by python3.12 alone, is the download task's."""
    from infra import container

    _, out = build
    template, path = merged
    layer = path.parent / template["Resources"]["MediaToolsLayer"]["Properties"]["ContentUri"]
    context = container.context(out / "deployment.zip", layer, tmp_path / "image")
    dockerfile = (context / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:" + LAMBDA_RUNTIME.removeprefix("python") in dockerfile
    assert 'ENTRYPOINT ["python3", "-m", "functions.jobs.download_task"]' in dockerfile
    assert (context / "layer" / "bin" / "deno").stat().st_mode & 0o111
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site_packages = Path(__import__("boto3").__file__).parent.parent
    for name in RUNTIME_PACKAGES:  # the base image's boto3
        if (site_packages / name).exists():
            (runtime / name).symlink_to(site_packages / name)
    code = (
        "import runpy, sys; sys.path[:0] = sys.argv[1:4]; sys.argv = ['download_task', '--help'];"
        " runpy.run_module('functions.jobs.download_task', run_name='__main__')"
    )
    paths = [str(context / "package"), str(context / "layer" / "python"), str(runtime)]
    result = subprocess.run(
        [runtime_python(), "-I", "-S", "-c", code, *paths], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "YOUTUBE_ID" in result.stdout.upper() and "--owner" in result.stdout
