//! The EPC QR code (EPC069-12 "Quick Response Code: guidelines to enable data capture for the
//! initiation of a SEPA credit transfer", version 002), known in Germany and Austria as
//! GiroCode: a banking app scans it and fills in a SEPA transfer.
//!
//! The payload is twelve lines of text; trailing empty lines are left out:
//!
//! | line | field | rule |
//! |---|---|---|
//! | 1 | service tag | `BCD` |
//! | 2 | version | `002` (the BIC is optional) |
//! | 3 | character set | `1`, UTF-8 |
//! | 4 | identification | `SCT`, SEPA credit transfer |
//! | 5 | BIC | 8 or 11 characters, or empty |
//! | 6 | beneficiary name | 1 to 70 characters |
//! | 7 | beneficiary IBAN | a SEPA IBAN |
//! | 8 | amount | `EUR` and 0.01 to 999999999.99, two decimals: `EUR12.34`; or empty |
//! | 9 | purpose | 4 letters (ISO 20022 ExternalPurpose1Code), or empty |
//! | 10 | structured remittance | an ISO 11649 Creditor Reference, at most 35 characters |
//! | 11 | unstructured remittance | at most 140 characters (only one of 10 and 11) |
//! | 12 | beneficiary to originator information | at most 70 characters |
//!
//! The whole payload is at most 331 bytes, which is what a version 13 symbol holds at error
//! correction level M, the level EPC069-12 prescribes.

use crate::iban::Iban;
use crate::problem::{InvalidPayment, Problems};
use crate::reference::CreditorReference;
use crate::symbol::{EPC_VERSIONS, QrSymbol};

/// The largest payload EPC069-12 allows, in bytes.
pub const EPC_MAX_PAYLOAD_BYTES: usize = 331;

/// The largest amount of a SEPA credit transfer in an EPC QR code: 999,999,999.99 euros.
pub const EPC_MAX_AMOUNT_CENTS: i64 = 99_999_999_999;

const STANDARD: &str = "EPC069-12";

/// What the payer's bank is told with a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remittance {
    /// Free text, at most 140 characters: the invoice number, typically.
    Unstructured(String),
    /// An ISO 11649 Creditor Reference, which the beneficiary's bank can match automatically.
    Structured(CreditorReference),
}

/// A SEPA credit transfer to put in an EPC QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpcTransfer {
    /// The beneficiary's BIC; optional within the EEA since version 002.
    pub bic: Option<String>,
    /// The beneficiary's name, as the account is held.
    pub name: String,
    /// The beneficiary's IBAN.
    pub iban: Iban,
    /// The amount in euro cents; `None` leaves it to the payer.
    pub amount_cents: Option<i64>,
    /// The ISO 20022 purpose code, four letters (`GDDS`), if any.
    pub purpose: Option<String>,
    /// The remittance information, if any.
    pub remittance: Option<Remittance>,
    /// A text shown to the payer by the banking app, at most 70 characters.
    pub information: Option<String>,
}

impl EpcTransfer {
    /// The payload of the EPC QR code: twelve lines (fewer when the last ones are empty)
    /// separated by LF, UTF-8.
    ///
    /// # Errors
    ///
    /// Every rule of EPC069-12 the transfer breaks, each with its field.
    pub fn payload(&self) -> Result<String, InvalidPayment> {
        let mut problems = Problems::default();
        let bic = self.bic.as_deref().unwrap_or_default();
        if !bic.is_empty() && !is_bic(bic) {
            problems.push(
                "bic",
                format!(
                    "must be a BIC of 8 or 11 letters and digits ({STANDARD}, ISO 9362), is {bic:?}"
                ),
            );
        }
        problems.required("name", &self.name, STANDARD);
        problems.max_chars("name", &self.name, 70, STANDARD);
        problems.single_line("name", &self.name);
        let amount = match self.amount_cents {
            None => String::new(),
            Some(cents) if (1..=EPC_MAX_AMOUNT_CENTS).contains(&cents) => {
                format!("EUR{}.{:02}", cents / 100, cents % 100)
            }
            Some(cents) => {
                problems.push(
                    "amount",
                    format!(
                        "must be from EUR 0.01 to EUR 999999999.99 ({STANDARD}), is {cents} cents"
                    ),
                );
                String::new()
            }
        };
        let purpose = self.purpose.as_deref().unwrap_or_default();
        let purpose_code = purpose.len() == 4 && purpose.bytes().all(|b| b.is_ascii_alphanumeric());
        if !purpose.is_empty() && !purpose_code {
            problems.push(
                "purpose",
                format!(
                    "must be an ISO 20022 purpose code of 4 letters ({STANDARD}), is {purpose:?}"
                ),
            );
        }
        let (structured, unstructured) = match &self.remittance {
            None => ("", ""),
            Some(Remittance::Structured(reference)) => (reference.as_str(), ""),
            Some(Remittance::Unstructured(text)) => {
                problems.max_chars("remittance", text, 140, STANDARD);
                problems.single_line("remittance", text);
                ("", text.as_str())
            }
        };
        let information = self.information.as_deref().unwrap_or_default();
        problems.max_chars("information", information, 70, STANDARD);
        problems.single_line("information", information);

        let lines = [
            "BCD",
            "002",
            "1",
            "SCT",
            bic,
            &self.name,
            self.iban.as_str(),
            &amount,
            purpose,
            structured,
            unstructured,
            information,
        ];
        let payload = lines.join("\n").trim_end_matches('\n').to_owned();
        if payload.len() > EPC_MAX_PAYLOAD_BYTES {
            problems.push(
                "payload",
                format!(
                    "must be at most {EPC_MAX_PAYLOAD_BYTES} bytes ({STANDARD}), is {}: shorten the name or the remittance",
                    payload.len()
                ),
            );
        }
        problems.finish(|| payload)
    }

    /// The payload and its QR symbol (error correction M, at most version 13).
    ///
    /// # Errors
    ///
    /// Every rule of EPC069-12 the transfer breaks, as [`EpcTransfer::payload`].
    pub fn symbol(&self) -> Result<(String, QrSymbol), InvalidPayment> {
        let payload = self.payload()?;
        // A payload of at most 331 bytes always fits version 13 at level M.
        let symbol = QrSymbol::encode(&payload, EPC_VERSIONS).map_err(|error| InvalidPayment {
            problems: vec![crate::problem::Problem::new("payload", error.to_string())],
        })?;
        Ok((payload, symbol))
    }
}

/// Whether `bic` has the shape of ISO 9362: 4 letters of the bank, 2 of the country, 2 letters
/// or digits of the location, and optionally 3 of the branch.
pub(crate) fn is_bic(bic: &str) -> bool {
    let bytes = bic.as_bytes();
    (bytes.len() == 8 || bytes.len() == 11)
        && bytes[..6].iter().all(u8::is_ascii_uppercase)
        && bytes[6..]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer() -> EpcTransfer {
        EpcTransfer {
            bic: Some("COBADEFFXXX".into()),
            name: "Northwind Components GmbH".into(),
            iban: Iban::parse("DE89370400440532013000").expect("valid"),
            amount_cents: Some(123_456),
            purpose: None,
            remittance: Some(Remittance::Unstructured("INV-2026-000123".into())),
            information: None,
        }
    }

    #[test]
    fn the_payload_has_the_lines_of_version_002() {
        assert_eq!(
            transfer().payload().expect("valid"),
            "BCD\n002\n1\nSCT\nCOBADEFFXXX\nNorthwind Components GmbH\nDE89370400440532013000\nEUR1234.56\n\n\nINV-2026-000123"
        );
    }

    #[test]
    fn a_structured_reference_takes_line_10() {
        let mut transfer = transfer();
        transfer.bic = None;
        transfer.amount_cents = Some(5);
        transfer.remittance = Some(Remittance::Structured(
            CreditorReference::parse("RF18539007547034").expect("valid"),
        ));
        assert_eq!(
            transfer.payload().expect("valid"),
            "BCD\n002\n1\nSCT\n\nNorthwind Components GmbH\nDE89370400440532013000\nEUR0.05\n\nRF18539007547034"
        );
    }

    #[test]
    fn every_broken_rule_is_reported_with_its_field() {
        let mut transfer = transfer();
        transfer.bic = Some("COBA".into());
        transfer.name = "N".repeat(71);
        transfer.amount_cents = Some(0);
        transfer.remittance = Some(Remittance::Unstructured("line\nbreak".into()));
        let error = transfer.payload().expect_err("invalid");
        let fields: Vec<&str> = error.problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["bic", "name", "amount", "remittance"]);
        assert_eq!(
            error.problems[1].to_string(),
            "name: must be at most 70 characters (EPC069-12), has 71"
        );
    }

    #[test]
    fn the_payload_is_at_most_331_bytes() {
        let mut transfer = transfer();
        transfer.name = "Ä".repeat(70);
        transfer.remittance = Some(Remittance::Unstructured("Ü".repeat(140)));
        let error = transfer.payload().expect_err("too long in UTF-8");
        assert_eq!(error.problems.len(), 1);
        assert_eq!(error.problems[0].field, "payload");
    }
}
