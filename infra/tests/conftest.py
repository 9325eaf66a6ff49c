"""The two templates every infra test reads: the SAM template translated offline, and the CDK
app's offline synth (or PAPERFLOW_CDK_TEMPLATE, an already synthesized one: make infra-test sets
it so that the synth runs once)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from sam_translate import INFRA, translate

CDK_DIR = INFRA / "cdk"
STACK_NAME = "paperflow"


@pytest.fixture(scope="session")
def sam_template() -> dict:
    return translate()


@pytest.fixture(scope="session")
def cdk_template() -> dict:
    given = os.environ.get("PAPERFLOW_CDK_TEMPLATE")
    if given:
        return json.loads(Path(given).read_text())
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["npx", "--no-install", "tsx", "bin/synth-offline.ts", out],
            cwd=CDK_DIR,
            check=True,
            env={**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"},
        )
        return json.loads((Path(out) / f"{STACK_NAME}.template.json").read_text())
