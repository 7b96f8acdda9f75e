"""What `import app` loads: the API function's cold start (bench/api_cost.py times it; budget 1.3x `import boto3`).

The routes and the job triggers are declared at import; the services, models, botocore clients, yt-dlp and the
jobs' powertools behind them are imported by the request or event that needs them (functions/core/lazy.py,
functions/jobs/triggers.py).
"""

import json
import subprocess
import sys

from tests.conftest import ROOT

# Packages and project modules no JSON route needs to be declared.
NOT_AT_IMPORT = (
    "yt_dlp",
    "mutagen",
    "aws_lambda_powertools",
    "pynamodb",
    "botocore",
    "boto3",
    "functions.services",
    "functions.storage.models",
    "functions.storage.db",
    "functions.youtube",
)


def imported_by(code: str) -> list[str]:
    probe = f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in NOT_AT_IMPORT)]


def test_import_app_loads_no_service_library_or_job():
    modules = imported_by("import app")
    assert heavy(modules) == []
    assert [m for m in modules if m.startswith("functions.jobs.")] == ["functions.jobs.triggers"]


def test_the_probe_sees_what_a_request_imports():
    """A view's first use imports its service (and with it the models and botocore): the check above can fail."""
    modules = imported_by("import app; from functions.http.ta import download; download.intake.list_page")
    assert {"functions.services.downloads.intake", "pynamodb", "botocore"} <= set(heavy(modules))


def test_asking_for_a_metadata_resync_loads_no_tagging_library():
    """POST /api/task/by-name/resync_metadata/ runs in the API function: mutagen is the refresh function's."""
    modules = imported_by("import app; from functions.http.ta5 import task; task.metadata_sync.request")
    assert "functions.services.metadata_sync" in modules
    assert not [m for m in modules if m.split(".")[0] in ("mutagen", "yt_dlp")]
