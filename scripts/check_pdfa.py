#!/usr/bin/env python3
"""Checks that a PDF is built as a Factur-X PDF/A-3b file, with tools paperflow did not write.

    check_pdfa.py FILE.pdf [--xml-out FILE.xml]

pikepdf (qpdf's Python binding) opens the file and reads back what PDF/A-3b and Factur-X 1.0
ask of its structure:

- not encrypted, a trailer `/ID` of two strings;
- XMP metadata on the catalog, an uncompressed stream that parses as XMP, with `pdfaid:part` 3
  and `pdfaid:conformance` B, Factur-X's properties (DocumentType INVOICE, DocumentFileName
  factur-x.xml, Version 1.0, ConformanceLevel EN 16931) and their PDF/A extension schema;
  the XMP's title, creator, producer and dates agree with the document information;
- an OutputIntent with `/S /GTS_PDFA1` whose `/DestOutputProfile` is an ICC stream with
  `/N 3` that starts as an ICC profile does;
- the catalog's `/AF` naming the file specification of `factur-x.xml`, which `/Names
  /EmbeddedFiles` lists too, with `/AFRelationship /Alternative` (Factur-X's value for the
  EN 16931 profile) and an embedded file stream with `/Subtype /text#2Fxml` and `/Params` with
  the right `/Size` and a `/ModDate`;
- every font embedded (a FontFile stream in each descriptor) and with a `/ToUnicode` map.

Then factur-x's own reader (`facturx.get_xml_from_pdf`) must find the XML; `--xml-out` writes
what it found, for the caller to compare with what paperflow embedded.

Not checked, because only a PDF/A validator such as veraPDF (Java, not installable here) does
it: the content streams' operators and colour spaces, the fonts' glyph widths against their
programs, and the XMP against every PDF/A schema rule.

Prints one line per failed check and a summary line. Exit status: 0 when all checks pass, 1 when
one fails, 3 when a tool is missing (with what to run).
"""

import argparse
import re
import sys

try:
    import pikepdf
    from facturx import get_xml_from_pdf
except ImportError as missing:  # pragma: no cover - the message is the point
    sys.stderr.write(
        f"check_pdfa: {missing}. The checkers live in the project's venv: run `make tools` "
        "(scripts/install-tools.sh) and use .tools/venv/bin/python.\n"
    )
    sys.exit(3)

FACTUR_X_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"


class Checks:
    """Collects failures instead of stopping at the first one."""

    def __init__(self):
        self.failures = []
        self.passed = 0

    def expect(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)
        return condition


def xmp_value(meta, namespace, name):
    """A simple property of the XMP, or None."""
    try:
        return meta.get("{%s}%s" % (namespace, name))
    except Exception:  # pikepdf raises on a property it cannot read
        return None


def pdf_date_as_xmp(value):
    """`D:20261126000000+00'00'` as XMP writes it: `2026-11-26T00:00:00+00:00`."""
    match = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)([+-])(\d\d)'(\d\d)'?", value)
    if not match:
        return None
    y, mo, d, h, mi, s, sign, oh, om = match.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}{sign}{oh}:{om}"


def check_metadata(pdf, checks):
    root = pdf.Root
    if not checks.expect("/Metadata" in root, "the catalog has no /Metadata (XMP)"):
        return
    stream = root.Metadata
    checks.expect(
        "/Filter" not in stream,
        "the XMP stream is compressed (PDF/A wants it readable without decoding)",
    )
    checks.expect(
        stream.get("/Type") == "/Metadata" and stream.get("/Subtype") == "/XML",
        "the XMP stream is not /Type /Metadata /Subtype /XML",
    )
    raw = stream.read_bytes()
    checks.expect(raw.startswith(b"<?xpacket begin="), "the XMP has no xpacket header")
    meta = pdf.open_metadata()
    checks.expect(xmp_value(meta, PDFAID_NS, "part") == "3", "pdfaid:part is not 3")
    checks.expect(
        xmp_value(meta, PDFAID_NS, "conformance") == "B", "pdfaid:conformance is not B"
    )
    for name, expected in [
        ("DocumentType", "INVOICE"),
        ("DocumentFileName", "factur-x.xml"),
        ("Version", "1.0"),
        ("ConformanceLevel", "EN 16931"),
    ]:
        value = xmp_value(meta, FACTUR_X_NS, name)
        checks.expect(value == expected, f"fx:{name} is {value!r}, not {expected!r}")
    text = raw.decode("utf-8")
    checks.expect(
        "<pdfaExtension:schemas>" in text and FACTUR_X_NS in text
        and all(
            f"<pdfaProperty:name>{name}</pdfaProperty:name>" in text
            for name in ("DocumentType", "DocumentFileName", "Version", "ConformanceLevel")
        ),
        "the Factur-X extension schema is not declared in pdfaExtension:schemas",
    )
    check_info_matches_xmp(pdf, meta, checks)


def check_info_matches_xmp(pdf, meta, checks):
    info = pdf.trailer.get("/Info")
    if info is None:
        return
    pairs = [
        ("/Title", "dc:title"),
        ("/Author", "dc:creator"),
        ("/Subject", "dc:description"),
        ("/Creator", "xmp:CreatorTool"),
        ("/Producer", "pdf:Producer"),
    ]
    for key, prop in pairs:
        if key not in info:
            continue
        value = str(info[key])
        xmp = meta.get(prop)
        if isinstance(xmp, list):
            xmp = xmp[0] if len(xmp) == 1 else xmp
        checks.expect(xmp == value, f"Info {key} {value!r} differs from XMP {prop} {xmp!r}")
    for key, prop in [("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")]:
        if key in info:
            value = pdf_date_as_xmp(str(info[key]))
            xmp = meta.get(prop)
            checks.expect(
                value is not None and xmp == value,
                f"Info {key} {str(info[key])!r} differs from XMP {prop} {xmp!r}",
            )
    for key in ("/GTS_PDFXVersion", "/Identifier", "/Keywords", "/Trapped"):
        checks.expect(
            key not in info, f"the document information has {key}, which the XMP does not repeat"
        )


def check_output_intent(pdf, checks):
    intents = pdf.Root.get("/OutputIntents")
    if not checks.expect(intents is not None and len(intents) >= 1, "no /OutputIntents"):
        return
    pdfa = [intent for intent in intents if intent.get("/S") == "/GTS_PDFA1"]
    if not checks.expect(len(pdfa) == 1, "no OutputIntent with /S /GTS_PDFA1"):
        return
    profile = pdfa[0].get("/DestOutputProfile")
    if not checks.expect(
        isinstance(profile, pikepdf.Stream), "the OutputIntent has no /DestOutputProfile stream"
    ):
        return
    checks.expect(profile.get("/N") == 3, "the ICC stream's /N is not 3 (RGB)")
    icc = profile.read_bytes()
    checks.expect(
        len(icc) >= 132 and icc[36:40] == b"acsp" and icc[16:20] == b"RGB ",
        "the /DestOutputProfile is not an RGB ICC profile",
    )
    checks.expect(
        len(icc) >= 132 and icc[8] in (2, 4) and (icc[8] == 2 or icc[9] <= 0x20),
        "the ICC profile's version is neither 2 nor at most 4.2",
    )


def check_attachment(pdf, checks):
    root = pdf.Root
    af = root.get("/AF")
    if not checks.expect(af is not None and len(af) == 1, "the catalog has no /AF of one file"):
        return
    spec = af[0]
    checks.expect(spec.get("/Type") == "/Filespec", "/AF does not name a /Filespec")
    for key in ("/F", "/UF"):
        checks.expect(str(spec.get(key)) == "factur-x.xml", f"the file spec's {key} is not factur-x.xml")
    checks.expect(
        spec.get("/AFRelationship") == "/Alternative",
        f"/AFRelationship is {spec.get('/AFRelationship')}, not /Alternative (EN 16931 profile)",
    )
    names = root.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names")
    checks.expect(
        names is not None and len(names) == 2 and str(names[0]) == "factur-x.xml"
        and names[1].objgen == spec.objgen,
        "/Names /EmbeddedFiles does not list the /AF file spec as factur-x.xml",
    )
    embedded = spec.get("/EF", {}).get("/F")
    if not checks.expect(isinstance(embedded, pikepdf.Stream), "the file spec has no /EF /F stream"):
        return
    checks.expect(embedded.get("/Type") == "/EmbeddedFile", "the embedded stream is not /EmbeddedFile")
    checks.expect(
        embedded.get("/Subtype") == pikepdf.Name("/text/xml"),
        f"the embedded file's /Subtype is {embedded.get('/Subtype')}, not /text#2Fxml",
    )
    params = embedded.get("/Params", {})
    checks.expect(
        params.get("/Size") == len(embedded.read_bytes()),
        "the embedded file's /Params /Size is not its size",
    )
    checks.expect("/ModDate" in params, "the embedded file's /Params has no /ModDate")


def check_fonts(pdf, checks):
    fonts = {}
    for page in pdf.pages:
        for name, font in page.Resources.get("/Font", {}).items():
            fonts[font.objgen] = font
    checks.expect(len(fonts) > 0, "no fonts on any page")
    for font in fonts.values():
        base = str(font.get("/BaseFont"))
        descendants = font.get("/DescendantFonts")
        leaf = descendants[0] if descendants else font
        descriptor = leaf.get("/FontDescriptor", {})
        checks.expect(
            any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")),
            f"font {base} is not embedded",
        )
        checks.expect("/ToUnicode" in font, f"font {base} has no /ToUnicode map")


def check(path, xml_out):
    checks = Checks()
    with pikepdf.open(path) as pdf:
        checks.expect(not pdf.is_encrypted, "the file is encrypted")
        file_id = pdf.trailer.get("/ID")
        checks.expect(
            file_id is not None and len(file_id) == 2 and len(bytes(file_id[0])) > 0,
            "the trailer has no /ID",
        )
        checks.expect(pdf.pdf_version >= "1.4", f"PDF version {pdf.pdf_version} is too old")
        check_metadata(pdf, checks)
        check_output_intent(pdf, checks)
        check_attachment(pdf, checks)
        check_fonts(pdf, checks)
    with open(path, "rb") as file:
        name, xml = get_xml_from_pdf(file.read(), check_xsd=False)
    if checks.expect(name == "factur-x.xml" and xml, "factur-x's reader finds no factur-x.xml"):
        if xml_out:
            with open(xml_out, "wb") as out:
                out.write(xml)
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf")
    parser.add_argument("--xml-out", help="write the XML factur-x's reader found here")
    args = parser.parse_args()
    checks = check(args.pdf, args.xml_out)
    for failure in checks.failures:
        print(f"FAIL {args.pdf}: {failure}")
    verdict = "PDF/A-3b structure and Factur-X attachment" if not checks.failures else "failures"
    print(
        f"check_pdfa: {args.pdf}: {checks.passed} checks passed, "
        f"{len(checks.failures)} failed ({verdict})"
    )
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
