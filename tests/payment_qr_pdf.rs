//! The payment codes paperflow prints, read back the way a payer's phone or bank reads them:
//! the PDF's page rasterised by poppler (`pdftoppm -r 300`), the code found and decoded by zbar
//! (`zbarimg`, Debian's zbar-tools, which `make tools` installs), and every field of the payload
//! compared with the invoice it was printed from.

use std::process::Command;

use paperflow_invoice::{Invoice, parse_invoice};
use paperflow_render::{PageSize, RenderOptions};
use paperflow_tests::{PdfFile, folded, sample};

fn invoice(name: &str) -> Invoice {
    parse_invoice(&sample(name)).expect("the sample is valid")
}

fn render(invoice: &Invoice, page_size: PageSize) -> PdfFile {
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    let options = RenderOptions {
        page_size,
        ..RenderOptions::default()
    };
    let rendered = paperflow_render::render(invoice, &fonts, &options).expect("it renders");
    PdfFile::new(&rendered.bytes)
}

/// The payloads of the QR codes zbar finds on `page` of `pdf` at 300 dpi, as they are encoded.
fn decoded_codes(pdf: &PdfFile, page: usize) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let prefix = dir.path().join("page");
    let page = page.to_string();
    let status = Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-f", &page, "-l", &page, "-singlefile"])
        .arg(pdf.path())
        .arg(&prefix)
        .status()
        .expect("pdftoppm runs (poppler-utils)");
    assert!(status.success(), "pdftoppm failed");
    // `-Sbinary`: the bytes as encoded, without zbar's guess at their character set; `--raw`
    // without the symbology's name. Each code ends with a line break in this mode only when
    // there are several, so one code is read as one payload.
    let output = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sbinary"])
        .arg(prefix.with_extension("png"))
        .output()
        .unwrap_or_else(|error| {
            panic!("zbarimg cannot run ({error}): run `make tools` (installs zbar-tools)")
        });
    if !output.status.success() {
        return Vec::new();
    }
    vec![String::from_utf8(output.stdout).expect("a UTF-8 payload")]
}

/// `minor` units with two decimals and a point, as both payloads write an amount.
fn two_decimals(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

#[test]
fn a_german_invoice_in_euros_prints_an_epc_code_with_the_invoices_transfer() {
    let invoice = invoice("invoice-de-epc.json");
    let payment = invoice.payment.as_ref().expect("a payment");
    let pdf = render(&invoice, PageSize::A4);
    let codes = decoded_codes(&pdf, 1);
    assert_eq!(codes.len(), 1, "one code on the page");
    let fields: Vec<&str> = codes[0].split('\n').collect();
    let amount = format!("EUR{}", two_decimals(invoice.totals.due_minor));
    let expected = [
        "BCD",
        "002",
        "1",
        "SCT",
        payment.bic.as_deref().expect("a BIC"),
        payment.account_name.as_deref().expect("an account holder"),
        payment.iban.as_deref().expect("an IBAN"),
        &amount,
        "",
        // An ISO 11649 reference goes in the structured remittance line.
        payment.remittance.as_deref().expect("a reference"),
    ];
    assert_eq!(fields, expected);
    let text = folded(&pdf.text());
    assert!(text.contains("Zahlen mit Code"), "the caption: {text}");
}

#[test]
fn an_epc_code_without_a_creditor_reference_carries_the_remittance_as_text() {
    let mut invoice = invoice("invoice-de-epc.json");
    let payment = invoice.payment.as_mut().expect("a payment");
    payment.remittance = Some("Rechnung NW-2026-004813".into());
    payment.bic = None;
    let codes = decoded_codes(&render(&invoice, PageSize::A4), 1);
    let fields: Vec<&str> = codes[0].split('\n').collect();
    assert_eq!(fields[4], "", "no BIC");
    assert_eq!(fields[9..], ["", "Rechnung NW-2026-004813"]);
}

#[test]
fn no_code_is_printed_for_a_currency_other_than_euro_or_without_an_iban() {
    let mut in_dollars = invoice("invoice-de-epc.json");
    in_dollars.currency = paperflow_invoice::Currency::from_code("USD").expect("USD");
    assert!(decoded_codes(&render(&in_dollars, PageSize::A4), 1).is_empty());
    let mut without_iban = invoice("invoice-de-epc.json");
    without_iban.payment.as_mut().expect("a payment").iban = None;
    assert!(decoded_codes(&render(&without_iban, PageSize::A4), 1).is_empty());
}

/// The seven fields of a party's structured address (type S) as the QR-bill's payload carries
/// them: the model keeps the building number in the street line.
fn swiss_address_fields(party: &paperflow_invoice::Party) -> Vec<String> {
    let address = &party.address;
    vec![
        "S".to_owned(),
        party.name.clone(),
        address.lines[0].clone(),
        String::new(),
        address.postal_code.clone().expect("a postal code"),
        address.city.clone().expect("a town"),
        address.country_code.clone().expect("a country"),
    ]
}

/// The payload fields of `invoice`'s QR-bill before the reference: header, account, creditor,
/// the reserved ultimate creditor, amount, currency and debtor.
fn qr_bill_fields_before_the_reference(invoice: &Invoice) -> Vec<String> {
    let payment = invoice.payment.as_ref().expect("a payment");
    let iban: String = payment
        .iban
        .as_deref()
        .expect("an IBAN")
        .split_whitespace()
        .collect();
    let mut fields = vec!["SPC".to_owned(), "0200".to_owned(), "1".to_owned(), iban];
    fields.extend(swiss_address_fields(&invoice.seller));
    fields.extend(vec![String::new(); 7]);
    fields.push(two_decimals(invoice.totals.due_minor));
    fields.push(invoice.currency.code().to_owned());
    fields.extend(swiss_address_fields(&invoice.buyer));
    fields
}

#[test]
fn a_swiss_invoice_prints_a_qr_bill_whose_code_is_the_invoices_payment() {
    let invoice = invoice("invoice-ch-qrbill.json");
    let payment = invoice.payment.as_ref().expect("a payment");
    let pdf = render(&invoice, PageSize::A4);
    let last_page = pdf.pages();
    let codes = decoded_codes(&pdf, last_page);
    assert_eq!(codes.len(), 1, "one code on the last page");
    let fields: Vec<&str> = codes[0].split('\n').collect();
    let reference: String = payment
        .remittance
        .as_deref()
        .expect("a QR reference")
        .split_whitespace()
        .collect();
    let mut expected = qr_bill_fields_before_the_reference(&invoice);
    expected.extend([
        "QRR".to_owned(),
        reference,
        invoice.id.to_string(),
        "EPD".to_owned(),
    ]);
    assert_eq!(fields, expected);

    let text = folded(&pdf.page_text(last_page));
    for printed in [
        "Empfangsschein",
        "Zahlteil",
        "Konto / Zahlbar an",
        "CH44 3199 9123 0008 8901 2",
        "Referenz",
        "21 00000 00003 13947 14300 09017",
        "Zahlbar durch",
        "Annahmestelle",
        "Vor der Einzahlung abzutrennen",
        "Währung",
        "Betrag",
    ] {
        assert!(
            text.contains(printed),
            "{printed:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn the_qr_bill_is_a_strip_of_105_mm_at_the_foot_of_an_a4_page() {
    let invoice = invoice("invoice-ch-qrbill.json");
    let pdf = render(&invoice, PageSize::A4);
    let last_page = pdf.pages().to_string();
    let output = Command::new("pdftotext")
        .args(["-bbox", "-f", &last_page, "-l", &last_page])
        .arg(pdf.path())
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let html = String::from_utf8_lossy(&output.stdout);
    let top_of = |word: &str| -> f32 {
        html.lines()
            .find(|line| line.contains(&format!(">{word}<")))
            .and_then(|line| {
                line.split("yMin=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{word} is not on the page"))
    };
    let strip_top = 841.89 - 105.0 * 72.0 / 25.4;
    // The titles stand 5 mm into the strip; the footer above it.
    for title in ["Empfangsschein", "Zahlteil"] {
        let top = top_of(title);
        assert!(
            (strip_top..strip_top + 10.0 * 72.0 / 25.4).contains(&top),
            "{title} at {top}"
        );
    }
    assert!(top_of("Seite") < strip_top, "the footer makes way");
}

#[test]
fn a_qr_bill_needs_a4_and_a_swiss_account_paid_in_euros_on_letter_gets_an_epc_code() {
    let invoice = invoice("invoice-ch-qrbill.json");
    let letter = render(&invoice, PageSize::Letter);
    assert!(!folded(&letter.text()).contains("Zahlteil"));
    assert!(
        decoded_codes(&letter, 1).is_empty(),
        "no code in CHF on Letter"
    );

    let mut in_euros = self::invoice("invoice-ch-qrbill.json");
    in_euros.currency = paperflow_invoice::Currency::from_code("EUR").expect("EUR");
    let payment = in_euros.payment.as_mut().expect("a payment");
    // An ordinary Swiss IBAN (a QR-IBAN takes QR references only, which EPC has no line for).
    payment.iban = Some("CH9300762011623852957".into());
    payment.remittance = None;
    let codes = decoded_codes(&render(&in_euros, PageSize::Letter), 1);
    assert_eq!(codes.len(), 1);
    assert!(codes[0].starts_with("BCD\n002\n1\nSCT\n"), "{}", codes[0]);
    let a4 = render(&in_euros, PageSize::A4);
    assert!(folded(&a4.text()).contains("Zahlteil"), "the QR-bill on A4");
}

#[test]
fn a_plain_swiss_iban_with_a_creditor_reference_prints_an_scor_payment() {
    let mut invoice = invoice("invoice-ch-qrbill.json");
    let payment = invoice.payment.as_mut().expect("a payment");
    payment.iban = Some("CH9300762011623852957".into());
    payment.remittance = Some("RF18 5390 0754 7034".into());
    let pdf = render(&invoice, PageSize::A4);
    let codes = decoded_codes(&pdf, pdf.pages());
    assert_eq!(codes.len(), 1, "one code on the last page");
    let fields: Vec<&str> = codes[0].split('\n').collect();
    let mut expected = qr_bill_fields_before_the_reference(&invoice);
    expected.extend([
        "SCOR".to_owned(),
        "RF18539007547034".to_owned(),
        invoice.id.to_string(),
        "EPD".to_owned(),
    ]);
    assert_eq!(fields, expected);
    let text = folded(&pdf.page_text(pdf.pages()));
    for printed in ["CH93 0076 2011 6238 5295 7", "RF18 5390 0754 7034"] {
        assert!(
            text.contains(printed),
            "{printed:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn a_qr_bill_with_the_longest_addresses_in_umlauts_still_decodes() {
    // Two bytes a character: the payload passes 700 bytes, a symbol of version 21 or more,
    // where an alignment pattern sits under the Swiss cross again.
    let mut invoice = invoice("invoice-ch-qrbill.json");
    invoice.seller.name = "Ü".repeat(70);
    invoice.seller.address.lines[0] = "É".repeat(70);
    invoice.payment.as_mut().expect("a payment").account_name = None;
    invoice.buyer.name = "ä".repeat(70);
    invoice.buyer.address.lines[0] = "ö".repeat(70);
    invoice.buyer.address.city = Some("Zürich".repeat(6).chars().take(35).collect());
    let pdf = render(&invoice, PageSize::A4);
    let codes = decoded_codes(&pdf, pdf.pages());
    assert_eq!(codes.len(), 1, "one code on the last page");
    assert!(codes[0].len() > 700, "{} bytes", codes[0].len());
    let fields: Vec<&str> = codes[0].split('\n').collect();
    let expected = qr_bill_fields_before_the_reference(&invoice);
    assert_eq!(fields[..expected.len()], expected);
}

#[test]
fn the_qr_bill_takes_a_page_of_its_own_when_the_last_page_has_no_room_for_it() {
    let invoice = invoice("invoice-ch-qrbill.json");
    let pdf = render(&invoice, PageSize::A4);
    assert_eq!(pdf.pages(), 2, "the invoice and the QR-bill's own page");
    let first = folded(&pdf.page_text(1));
    assert!(
        first.contains("Gartenpflege"),
        "the lines on the first page"
    );
    assert!(
        !first.contains("Zahlteil"),
        "no bill on the full page:\n{first}"
    );
    let second = folded(&pdf.page_text(2));
    assert!(second.contains("Zahlteil"));
    assert!(!second.contains("Gartenpflege"), "only the bill:\n{second}");
    assert_eq!(decoded_codes(&pdf, 2).len(), 1);

    let mut document: serde_json::Value =
        serde_json::from_slice(&sample("invoice-ch-qrbill.json")).expect("JSON");
    document["lines"].as_array_mut().expect("lines").truncate(1);
    document.as_object_mut().expect("an object").remove("notes");
    let short = parse_invoice(document.to_string().as_bytes()).expect("valid");
    let pdf = render(&short, PageSize::A4);
    assert_eq!(pdf.pages(), 1, "a short invoice keeps the bill at its foot");
    assert!(folded(&pdf.page_text(1)).contains("Zahlteil"));
    assert_eq!(decoded_codes(&pdf, 1).len(), 1);
}
