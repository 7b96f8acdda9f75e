"""infra/container.py against moto's ECR: the stage's repository made once, and an image already pushed under its
content tag not built again (building needs docker; tests/test_package.py runs the image's entry point)."""

import json
import zipfile

import boto3

from infra import container


def test_repository_is_made_once_and_a_pushed_tag_is_reused(aws, tmp_path):
    ecr = boto3.client("ecr")
    uri = container.repository(ecr, "dev")
    assert uri.endswith("/ytarchive-dev-download") and container.repository(ecr, "dev") == uri
    described = ecr.describe_repositories(repositoryNames=["ytarchive-dev-download"])["repositories"][0]
    assert described["imageTagMutability"] == "IMMUTABLE"
    package, layer = tmp_path / "deployment.zip", tmp_path / "media-tools.zip"
    for path in (package, layer):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.stem + ".txt", path.name)
    tag = container.image_tag(package, layer)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}
    ecr.put_image(repositoryName="ytarchive-dev-download", imageManifest=json.dumps(manifest), imageTag=tag)
    assert container.push(ecr, "dev", package, layer, tmp_path / "image") == f"{uri}:{tag}"
    assert not (tmp_path / "image").exists()  # nothing built
    layer.write_bytes(layer.read_bytes() + b"\0")
    assert container.image_tag(package, layer) != tag  # another layer, another image
    ecr.delete_repository(repositoryName="ytarchive-dev-download", force=True)
