#!/usr/bin/env python3
"""Every integration test target of the workspace sits in exactly one test tier of the Makefile.

`make test` runs the tiers one after the other instead of one `cargo test --workspace`, so a new
test file that no tier names would silently never run: this check, run first by `make test`,
fails then and says which tier lists are wrong.

    scripts/check-test-tiers.py --unit "pkg:target …" --moto "…" --stack "…"
"""
import argparse
import json
import subprocess
import sys


def workspace_test_targets():
    """`package:target` for every integration test target (`tests/*.rs`) of the workspace."""
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    return {
        f"{package['name']}:{target['name']}"
        for package in metadata["packages"]
        for target in package["targets"]
        if target["kind"] == ["test"]
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for tier in ("unit", "moto", "stack"):
        parser.add_argument(f"--{tier}", default="", help=f"the {tier} tier's package:target list")
    args = parser.parse_args()
    tiers = {tier: getattr(args, tier).split() for tier in ("unit", "moto", "stack")}

    listed = {}
    problems = []
    for tier, entries in tiers.items():
        for entry in entries:
            if entry in listed:
                problems.append(f"{entry} is in both the {listed[entry]} and the {tier} tier")
            listed[entry] = tier
    existing = workspace_test_targets()
    # A tier runs `cargo test --workspace --test NAME`, which selects NAME in every package.
    tiers_of_name = {}
    for entry in existing:
        name = entry.split(":", 1)[1]
        tiers_of_name.setdefault(name, set()).add(listed.get(entry, "no"))
    for name, names_tiers in sorted(tiers_of_name.items()):
        if len(names_tiers) > 1:
            problems.append(
                f"test targets named {name!r} stand in tiers {sorted(names_tiers)}: "
                "a tier selects targets by name, so rename one"
            )
    for entry in sorted(existing - listed.keys()):
        problems.append(f"{entry} is in no tier: add it to UNIT_TESTS, MOTO_TESTS or STACK_TESTS")
    for entry in sorted(listed.keys() - existing):
        problems.append(f"{entry} ({listed[entry]} tier) is not a test target of the workspace")

    if problems:
        print("make test-tiers: the Makefile's test tiers do not match the workspace:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(entries)} {tier}" for tier, entries in tiers.items())
    print(f"test tiers: {len(existing)} integration test targets, {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
