"""`make package` builds each function the way `sam build` does, so that SAM's builds find cargo's
cache warm (scripts/package.sh): the same `cargo lambda build` command as SAM's rust-cargolambda
builder makes from the template, run in the same folder. Checked against the builder's own code
(aws-lambda-builders, installed with the SAM CLI), so a SAM upgrade that changes its flags fails
here instead of silently rebuilding the AWS SDK for every function."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from aws_lambda_builders.workflow import BuildMode
from aws_lambda_builders.workflows.rust_cargo.actions import RustCargoLambdaBuildAction

from sam_translate import INFRA, load_sam

ROOT = INFRA.parent
SAM_DIR = INFRA / "sam"


class _Binary:
    binary_path = "cargo"


def _rust_functions() -> dict[str, dict]:
    resources = load_sam()["Resources"]
    return {
        name: resource
        for name, resource in resources.items()
        if resource.get("Metadata", {}).get("BuildMethod") == "rust-cargolambda"
    }


def _sam_command(function: dict) -> list[str]:
    properties = function["Properties"]
    action = RustCargoLambdaBuildAction(
        source_dir=str(SAM_DIR / properties["CodeUri"]),
        binaries={"cargo": _Binary()},
        mode=BuildMode.RELEASE,
        subprocess_cargo_lambda=None,
        runtime=properties["Runtime"],
        architecture=properties["Architectures"][0],
        handler=function["Metadata"]["BuildProperties"]["Binary"],
    )
    return action.build_command()


def _package_commands(functions: list[str]) -> dict[str, list[str]]:
    printed = subprocess.run(
        [str(ROOT / "scripts/package.sh"), "--print-commands", *functions],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    commands = {}
    for line in printed.splitlines():
        folder, command = line.split(": ", 1)
        commands[folder] = command.split()
    return commands


def test_package_builds_every_function_with_sams_command_in_its_codeuri_folder():
    functions = _rust_functions()
    assert len(functions) == 4, sorted(functions)
    crates = [Path(f["Properties"]["CodeUri"]).name for f in functions.values()]
    ours = _package_commands(crates)
    for name, function in functions.items():
        folder = (SAM_DIR / function["Properties"]["CodeUri"]).resolve().relative_to(ROOT)
        assert str(folder) in ours, f"{name}: package does not build {folder}"
        # SAM's command, then the zip Lambda is given (cargo-lambda's packaging, not cargo's).
        assert ours[str(folder)] == [*_sam_command(function), "--output-format", "zip"], name


def test_sams_own_cache_is_off_because_it_sees_only_the_codeuri_folder():
    # SAM keys its build cache on the hash of CodeUri (functions/NAME); the functions' code is
    # mostly in lib/, outside it, so a cached `sam build` would ship a stale binary.
    config = tomllib.loads((SAM_DIR / "samconfig.toml").read_text())
    build = config["default"]["build"]["parameters"]
    assert build.get("cached", False) is False
    for function in _rust_functions().values():
        manifest = (SAM_DIR / function["Properties"]["CodeUri"] / "Cargo.toml").read_text()
        assert "paperflow-" in manifest, "the function depends on the workspace's libraries"
