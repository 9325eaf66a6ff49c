#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/work/<target>/, from the project's own
files: the sample documents (samples/), the sample trigger events (events/: SQS bodies, SNS
messages, and the event inside each SNS wrapper), the decoding fixtures of lib/events, and the
SAM template cut into one small template per resource. `make fuzz` runs the targets over these and the committed, minimised corpus
(fuzz/corpus/<target>/); `fuzz/run.sh cmin` folds what is worth keeping back into the latter.

api_request takes its input through `arbitrary` (a method, path, headers and a body chosen from
the fuzzer's bytes, the sample documents among the bodies), so text seeds mean nothing to it: its
committed corpus is what the fuzzer itself found, minimised.

Each seed is named by the SHA-1 of its content, as libFuzzer names its own: seeding twice adds
nothing."""

import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Larger seeds make libFuzzer mutate inputs that large (its -max_len follows the corpus): the
# 600-line sample is left to the tests that render it.
MAX_SEED_BYTES = 64 * 1024


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_SEED_BYTES:
        return
    directory = ROOT / "fuzz" / "work" / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def event_bodies():
    """Every message body a consumer of events/ receives, and the event inside each wrapper."""
    fixtures = sorted((ROOT / "lib/events/tests/fixtures").glob("*.json"))
    bodies = [path.read_text() for path in fixtures]
    for path in sorted((ROOT / "events").glob("*.json")):
        event = json.loads(path.read_text())
        for record in event.get("Records", []):
            if "body" in record:
                bodies.append(record["body"])
            if "Sns" in record:
                bodies.append(record["Sns"]["Message"])
    for body in list(bodies):
        try:
            wrapper = json.loads(body)
        except ValueError:
            continue
        if isinstance(wrapper, dict) and isinstance(wrapper.get("Message"), str):
            bodies.append(wrapper["Message"])
    return bodies


def invoice_documents():
    """The sample documents and the invoice of every invoice.finalized event."""
    documents = [path.read_bytes() for path in sorted((ROOT / "samples").glob("*.json"))]
    for body in event_bodies():
        try:
            event = json.loads(body)
        except ValueError:
            continue
        if isinstance(event, dict) and str(event.get("type", "")).startswith("invoice.finalized"):
            documents.append(json.dumps(event.get("data"), indent=2, ensure_ascii=False))
    return documents


def small_templates(template):
    """The SAM template cut into small ones: its head (version, transform, parameters, mappings,
    conditions, globals) alone, and the head with each one of its resources. The whole template
    (56 KB) would make every input that large and each run a hundred times slower; the local
    stack's own tests read it whole."""
    head, resources, top_level = [], [], None
    for line in template.splitlines(keepends=True):
        if line[:1].isalpha():
            top_level = line.split(":", 1)[0]
        if top_level == "Resources":
            if line.startswith("  ") and line[2:3].isalpha():
                resources.append([])
            if resources:
                resources[-1].append(line)
        elif top_level != "Outputs":
            head.append(line)
    head = "".join(head)
    # The long Description and the comments say nothing to the reader: left out of the small ones.
    short_head = re.sub(r"^Description:.*?\n(?=\S)", "", head, flags=re.S | re.M)
    short_head = "".join(line for line in short_head.splitlines(True) if not line.startswith("#"))
    return [head] + [short_head + "Resources:\n" + "".join(lines) for lines in resources]


def main():
    for body in event_bodies():
        write("events_decode", body)
    for document in invoice_documents():
        write("invoice_validate", document)
        write("render_valid", document)
    for template in small_templates((ROOT / "infra/sam/template.yaml").read_text()):
        write("template_read", template)
    (ROOT / "fuzz" / "work" / "api_request").mkdir(parents=True, exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
