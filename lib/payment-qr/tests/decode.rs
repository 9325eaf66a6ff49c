//! The symbols decode, with a real decoder, to exactly the payload that was encoded.
//!
//! Each symbol is drawn as an image (4 pixels a module, the 4-module quiet zone QR codes need)
//! and read back by zbar's `zbarimg`, which `make tools` installs (Debian's zbar-tools).

use std::path::Path;
use std::process::Command;

use paperflow_payment_qr::{
    CreditorReference, EPC_VERSIONS, EpcTransfer, Iban, QrReference, QrSymbol, Remittance,
    SwissAddress, SwissQrBill, SwissReference,
};

const PIXELS_PER_MODULE: usize = 4;
const QUIET_ZONE: usize = 4;

/// The symbol as a binary PGM image (black modules on white), with its quiet zone.
fn write_pgm(symbol: &QrSymbol, path: &Path) {
    let modules = symbol.size() + 2 * QUIET_ZONE;
    let side = modules * PIXELS_PER_MODULE;
    let mut image = format!("P5\n{side} {side}\n255\n").into_bytes();
    for row in 0..side {
        for column in 0..side {
            let x = (column / PIXELS_PER_MODULE).checked_sub(QUIET_ZONE);
            let y = (row / PIXELS_PER_MODULE).checked_sub(QUIET_ZONE);
            let dark = matches!((x, y), (Some(x), Some(y)) if symbol.is_dark(x, y));
            image.push(if dark { 0 } else { 255 });
        }
    }
    std::fs::write(path, image).expect("write the image");
}

/// What zbar reads from the symbol, byte for byte.
fn decode(symbol: &QrSymbol) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("symbol.pgm");
    write_pgm(symbol, &path);
    // `-Sbinary`: the symbol's bytes as they are, without zbar's guess at their character set
    // and without a line break after them.
    let output = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sbinary"])
        .arg(&path)
        .output()
        .unwrap_or_else(|error| {
            panic!("zbarimg cannot run ({error}): run `make tools` (installs zbar-tools)")
        });
    assert!(
        output.status.success(),
        "zbarimg found no code: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[test]
fn an_epc_code_with_umlauts_decodes_to_its_payload() {
    let transfer = EpcTransfer {
        bic: Some("COBADEFFXXX".into()),
        name: "Müller & Söhne Großhandel GmbH".into(),
        iban: Iban::parse("DE89 3704 0044 0532 0130 00").expect("valid"),
        amount_cents: Some(123_456),
        purpose: Some("GDDS".into()),
        remittance: Some(Remittance::Unstructured(
            "Rechnung INV-2026-000123 für Lieferung".into(),
        )),
        information: Some("Vielen Dank für Ihren Einkauf".into()),
    };
    let (payload, symbol) = transfer.symbol().expect("valid");
    let decoded = decode(&symbol);
    assert_eq!(decoded, payload.as_bytes());
    let decoded = String::from_utf8(decoded).expect("UTF-8, character set 1");
    let fields: Vec<&str> = decoded.split('\n').collect();
    assert_eq!(
        fields,
        [
            "BCD",
            "002",
            "1",
            "SCT",
            "COBADEFFXXX",
            "Müller & Söhne Großhandel GmbH",
            "DE89370400440532013000",
            "EUR1234.56",
            "GDDS",
            "",
            "Rechnung INV-2026-000123 für Lieferung",
            "Vielen Dank für Ihren Einkauf",
        ]
    );
}

#[test]
fn an_epc_code_with_a_creditor_reference_decodes_to_its_payload() {
    let transfer = EpcTransfer {
        bic: None,
        name: "Northwind Components GmbH".into(),
        iban: Iban::parse("DE89370400440532013000").expect("valid"),
        amount_cents: Some(99_999_999_999),
        purpose: None,
        remittance: Some(Remittance::Structured(
            CreditorReference::from_reference("INV2026000123").expect("valid"),
        )),
        information: None,
    };
    let payload = transfer.payload().expect("valid");
    let symbol = QrSymbol::encode(&payload, EPC_VERSIONS).expect("fits");
    assert_eq!(decode(&symbol), payload.as_bytes());
}

#[test]
fn a_swiss_qr_bill_with_umlauts_decodes_to_its_payload() {
    let bill = SwissQrBill {
        account: Iban::parse("CH44 3199 9123 0008 8901 2").expect("valid"),
        creditor: SwissAddress {
            name: "Zürcher Käserei AG".into(),
            street: Some("Bahnhofstrasse".into()),
            building_number: Some("1".into()),
            postal_code: "8001".into(),
            town: "Zürich".into(),
            country: "CH".into(),
        },
        amount_minor: Some(194_975),
        currency: "CHF".into(),
        debtor: Some(SwissAddress {
            name: "Pia-Maria Rutschmann-Schnyder".into(),
            street: Some("Grosse Marktgasse".into()),
            building_number: Some("28".into()),
            postal_code: "9400".into(),
            town: "Rorschach".into(),
            country: "CH".into(),
        }),
        reference: SwissReference::Qr(QrReference::from_digits("2026000123").expect("valid")),
        message: Some("Rechnung INV-2026-000123, Lieferung Käse für Bürofeier".into()),
        billing_information: Some("//S1/10/INV-2026-000123/11/261126".into()),
    };
    let (payload, symbol) = bill.symbol().expect("valid");
    let decoded = decode(&symbol);
    assert_eq!(decoded, payload.as_bytes());
    let decoded = String::from_utf8(decoded).expect("UTF-8, coding 1");
    let fields: Vec<&str> = decoded.split('\n').collect();
    let expected: Vec<&str> = [
        vec!["SPC", "0200", "1", "CH4431999123000889012"],
        vec![
            "S",
            "Zürcher Käserei AG",
            "Bahnhofstrasse",
            "1",
            "8001",
            "Zürich",
            "CH",
        ],
        vec![""; 7],
        vec!["1949.75", "CHF"],
        vec![
            "S",
            "Pia-Maria Rutschmann-Schnyder",
            "Grosse Marktgasse",
            "28",
            "9400",
            "Rorschach",
            "CH",
        ],
        vec!["QRR", "000000000000000020260001237"],
        vec!["Rechnung INV-2026-000123, Lieferung Käse für Bürofeier"],
        vec!["EPD", "//S1/10/INV-2026-000123/11/261126"],
    ]
    .concat();
    assert_eq!(fields, expected);
}
