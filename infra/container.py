"""The download task's container image: the code package and the media tools layer, on the functions' runtime.

    python -m infra.container --package build/dev/chalice/deployment.zip --layer build/layer/media-tools-arm64.zip OUT

`context` unpacks both zips (modes kept) beside infra/container/Dockerfile into a build context; its tag is the
hash of the three, so an unchanged build is never pushed twice. `push` (infra/deploy.py) builds it with docker
and pushes it to the stage's ECR repository ytarchive-STAGE-download, made on first use; the stack's task
definition (infra/fargate.yaml) runs the pushed image, on the functions' architecture (.chalice/config.json).
"""

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "infra" / "container" / "Dockerfile"
CONFIG = ROOT / ".chalice" / "config.json"
PLATFORMS = {"x86_64": "linux/amd64", "arm64": "linux/arm64"}  # Lambda's architecture names -> docker's


def image_tag(package: Path, layer: Path) -> str:
    digest = hashlib.sha256()
    for path in (DOCKERFILE, package, layer):
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1024 * 1024), b""):
                digest.update(chunk)
    return digest.hexdigest()[:20]


def _unzip(archive: Path, target: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            path = Path(opened.extract(info, target))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                os.chmod(path, mode)


def context(package: Path, layer: Path, out: Path) -> Path:
    """The build context: Dockerfile, package/ (deployment.zip) and layer/ (media-tools.zip)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shutil.copy(DOCKERFILE, out / "Dockerfile")
    _unzip(package, out / "package")
    _unzip(layer, out / "layer")
    return out


def repository(ecr, stage: str) -> str:
    """The URI of the stage's image repository, made on first use (images scanned on push, tags immutable)."""
    name = f"ytarchive-{stage}-download"
    try:
        found = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    except ecr.exceptions.RepositoryNotFoundException:
        found = ecr.create_repository(
            repositoryName=name,
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
        )["repository"]
    return found["repositoryUri"]


def push(ecr, stage: str, package: Path, layer: Path, work: Path) -> str:
    """Build and push the image unless the repository has its tag already; the image URI."""
    uri, tag = repository(ecr, stage), image_tag(package, layer)
    name = uri.rsplit("/", 1)[1]
    listed = ecr.list_images(repositoryName=name, filter={"tagStatus": "TAGGED"})["imageIds"]
    if any(image.get("imageTag") == tag for image in listed):
        return f"{uri}:{tag}"
    built = context(package, layer, work)
    platform = PLATFORMS[json.loads(CONFIG.read_text()).get("lambda_architecture", "x86_64")]
    # The Dockerfile only copies: building for another architecture needs no emulation.
    subprocess.run(["docker", "build", "--platform", platform, "-t", f"{uri}:{tag}", str(built)], check=True)
    auth = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(auth["authorizationToken"]).decode().split(":", 1)
    login = ["docker", "login", "--username", user, "--password-stdin", auth["proxyEndpoint"]]
    subprocess.run(login, input=password, text=True, check=True)
    subprocess.run(["docker", "push", f"{uri}:{tag}"], check=True)
    return f"{uri}:{tag}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", required=True, type=Path, help="deployment.zip of `chalice package`")
    parser.add_argument("--layer", required=True, type=Path, help="media-tools.zip of layers/build.py")
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    print(context(args.package, args.layer, args.out), image_tag(args.package, args.layer))


if __name__ == "__main__":
    main()
