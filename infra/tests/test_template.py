"""The SAM template against the code it deploys: each function's crate, binary and environment.

The CDK app says the same (the equivalence test), so checking one template checks both.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from sam_translate import INFRA, SAM_TEMPLATE, load_sam

REPO = INFRA.parent
FUNCTIONS = {
    lid: r
    for lid, r in load_sam()["Resources"].items()
    if r["Type"] == "AWS::Serverless::Function"
}


def crate_dir(resource) -> Path:
    return (SAM_TEMPLATE.parent / resource["Properties"]["CodeUri"]).resolve()


@pytest.mark.parametrize("lid", sorted(FUNCTIONS))
def test_each_function_is_built_from_its_crate(lid):
    resource = FUNCTIONS[lid]
    binary = resource["Metadata"]["BuildProperties"]["Binary"]
    assert resource["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert crate_dir(resource) == REPO / "functions" / binary
    manifest = crate_dir(resource) / "Cargo.toml"
    if not manifest.exists():
        pytest.skip(f"functions/{binary} is not written yet")
    package = tomllib.loads(manifest.read_text())["package"]["name"]
    assert package == binary, f"functions/{binary}/Cargo.toml builds {package}"


@pytest.mark.parametrize("lid", sorted(FUNCTIONS))
def test_each_function_gets_exactly_the_variables_it_reads(lid):
    """main.rs reads its resources through paperflow-aws's Config (`config.documents_bucket()?`,
    each named after its variable) and its fallback fonts through paperflow-render's
    font_files; the template must set those and no others."""
    resource = FUNCTIONS[lid]
    binary = resource["Metadata"]["BuildProperties"]["Binary"]
    main = crate_dir(resource) / "src" / "main.rs"
    if not main.exists():
        pytest.skip(f"functions/{binary} is not written yet")
    read = {name.upper() for name in re.findall(r"\bconfig\.(\w+)\(\)", main.read_text())}
    known = set(re.findall(r'"([A-Z_]+)",\n', (REPO / "lib" / "aws" / "src" / "config.rs").read_text()))
    assert read <= known, f"main.rs reads {read - known}, which paperflow-aws's Config does not know"
    # The fallback fonts' folder, read by paperflow-render's font_files (its ENV_VAR).
    if "font_files::font_set_from_env()" in main.read_text():
        font_files = (REPO / "lib" / "render" / "src" / "font_files.rs").read_text()
        read.add(re.search(r'pub const ENV_VAR: &str = "([A-Z_]+)";', font_files).group(1))
    assert set(resource["Properties"]["Environment"]["Variables"]) == read
