//! The Swiss QR-bill's code (SIX "Swiss Implementation Guidelines QR-bill", version 2.x): the
//! data of a payment slip with a Swiss or Liechtenstein account, in CHF or EUR.
//!
//! The payload is one field per line, in a fixed order (the element names are SIX's):
//!
//! | fields | content | rule |
//! |---|---|---|
//! | QRType, Version, Coding | `SPC`, `0200`, `1` | fixed: Swiss Payments Code 2.0, UTF-8 |
//! | IBAN | the creditor's account | CH or LI; a QR-IBAN exactly when the reference is a QR reference |
//! | Cdtr | `S`, name, street, building number, postal code, town, country | structured address (type S): name ≤ 70, street ≤ 70, number ≤ 16, postal code ≤ 16 and town ≤ 35 required, country ISO 3166 |
//! | UltmtCdtr | seven empty lines | reserved for future use |
//! | Amt, Ccy | `1949.75`, `CHF` | 0.01 to 999999999.99 with two decimals, or empty; CHF or EUR |
//! | UltmtDbtr | the debtor, as the creditor, or seven empty lines | optional |
//! | Tp, Ref | `QRR` and 27 digits, `SCOR` and an ISO 11649 reference, or `NON` and nothing | |
//! | Ustrd | an unstructured message | ≤ 140, together with StrdBkgInf |
//! | Trailer | `EPD` | end of payment data |
//! | StrdBkgInf | billing information (Swico S1) | starts with `//`, ≤ 140 with Ustrd |
//!
//! Every text uses the QR-bill's character set (Latin: Basic Latin, Latin-1 Supplement, Latin
//! Extended-A, Ș ș Ț ț and €); the whole payload is at most 997 characters, what a version 25
//! symbol holds at error correction level M.
//!
//! The payment part's layout is the renderer's job, not this module's: the symbol printed
//! 46 × 46 mm with the Swiss cross of 7 × 7 mm in its centre, the receipt and payment part with
//! their fixed texts (`paperflow_locale::QrBillText`), and the perforation line.

use crate::iban::Iban;
use crate::problem::{InvalidPayment, Problem, Problems};
use crate::reference::{CreditorReference, QrReference};
use crate::symbol::{QrSymbol, SWISS_VERSIONS};

/// The largest payload of a Swiss QR-bill, in characters.
pub const SWISS_MAX_PAYLOAD_CHARS: usize = 997;

/// The largest amount of a QR-bill: 999,999,999.99 in minor units.
pub const SWISS_MAX_AMOUNT_MINOR: i64 = 99_999_999_999;

const STANDARD: &str = "SIX IG QR-bill";

/// A structured address (address type `S`) of the creditor or the debtor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissAddress {
    /// Name or company, at most 70 characters.
    pub name: String,
    /// Street, at most 70 characters.
    pub street: Option<String>,
    /// Building number, at most 16 characters.
    pub building_number: Option<String>,
    /// Postal code, without a country prefix, at most 16 characters.
    pub postal_code: String,
    /// Town, at most 35 characters.
    pub town: String,
    /// ISO 3166-1 alpha-2 country code: `CH`.
    pub country: String,
}

/// The reference of a QR-bill payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwissReference {
    /// A QR reference (`QRR`), only with a QR-IBAN.
    Qr(QrReference),
    /// An ISO 11649 Creditor Reference (`SCOR`), only with an ordinary IBAN.
    Creditor(CreditorReference),
    /// No reference (`NON`), only with an ordinary IBAN.
    None,
}

impl SwissReference {
    /// The reference of a payment to `account` quoting `remittance`, and the remittance when it
    /// is no reference, which the QR-bill then carries as its message (SIX IG 3.4.1):
    ///
    /// - a QR-IBAN (institution id 30000 to 31999) takes a QR reference, and nothing else: 27
    ///   digits whose last is the modulo 10 recursive check digit of the others;
    /// - an ordinary IBAN takes a Creditor Reference (`RF…`, ISO 11649) or no reference; a
    ///   remittance that is a QR reference, or that starts like a Creditor Reference but fails
    ///   its check, is refused rather than sent as a message the creditor cannot match.
    ///
    /// # Errors
    ///
    /// The broken rule, on the field `reference`.
    pub fn for_account(
        account: &Iban,
        remittance: Option<&str>,
    ) -> Result<(SwissReference, Option<String>), Problem> {
        let refused = |rule: String| Problem::new("reference", rule);
        if account.is_qr_iban() {
            let Some(text) = remittance else {
                return Err(refused(format!(
                    "is required with a QR-IBAN: a QR reference of 27 digits ({STANDARD} 3.4.1)"
                )));
            };
            return QrReference::parse(text)
                .map(|reference| (SwissReference::Qr(reference), None))
                .map_err(|error| refused(format!("with a QR-IBAN {error}")));
        }
        let Some(text) = remittance else {
            return Ok((SwissReference::None, None));
        };
        if QrReference::parse(text).is_ok() {
            return Err(refused(format!(
                "is a QR reference, which needs a QR-IBAN (institution id 30000 to 31999); an ordinary IBAN takes a Creditor Reference (RF…) or none ({STANDARD} 3.4.1)"
            )));
        }
        match CreditorReference::parse(text) {
            Ok(reference) => Ok((SwissReference::Creditor(reference), None)),
            Err(error) if looks_like_a_creditor_reference(text) => Err(refused(error.to_string())),
            Err(_) => Ok((SwissReference::None, Some(text.to_owned()))),
        }
    }
}

/// `RF` and two digits at the start, spaces aside: meant as a Creditor Reference.
fn looks_like_a_creditor_reference(text: &str) -> bool {
    let start: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(4)
        .collect();
    matches!(start.as_slice(), [r, f, a, b]
        if r.eq_ignore_ascii_case(&'R') && f.eq_ignore_ascii_case(&'F')
            && a.is_ascii_digit() && b.is_ascii_digit())
}

/// A Swiss QR-bill's payment data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwissQrBill {
    /// The creditor's Swiss or Liechtenstein IBAN or QR-IBAN.
    pub account: Iban,
    /// The creditor.
    pub creditor: SwissAddress,
    /// The amount in minor units (centimes, cents); `None` leaves it to the payer.
    pub amount_minor: Option<i64>,
    /// `CHF` or `EUR`.
    pub currency: String,
    /// The debtor, if known.
    pub debtor: Option<SwissAddress>,
    /// The payment reference.
    pub reference: SwissReference,
    /// A message to the creditor (unstructured), such as the invoice number.
    pub message: Option<String>,
    /// Structured billing information for the debtor's software (Swico S1, `//S1/10/…`).
    pub billing_information: Option<String>,
}

impl SwissQrBill {
    /// The payload of the QR-bill's code: the fields of SIX IG 2.x, separated by LF.
    ///
    /// # Errors
    ///
    /// Every rule of the guidelines the bill breaks, each with its field.
    pub fn payload(&self) -> Result<String, InvalidPayment> {
        let mut problems = Problems::default();
        self.check_account(&mut problems);
        let creditor = address_lines(&self.creditor, "creditor", &mut problems);
        let debtor = match &self.debtor {
            Some(debtor) => address_lines(debtor, "debtor", &mut problems),
            None => vec![String::new(); 7],
        };
        let amount = match self.amount_minor {
            None => String::new(),
            Some(minor) if (1..=SWISS_MAX_AMOUNT_MINOR).contains(&minor) => {
                format!("{}.{:02}", minor / 100, minor % 100)
            }
            Some(minor) => {
                problems.push(
                    "amount",
                    format!("must be from 0.01 to 999999999.99 ({STANDARD} 4.3.3), is {minor} minor units"),
                );
                String::new()
            }
        };
        if !matches!(self.currency.as_str(), "CHF" | "EUR") {
            problems.push(
                "currency",
                format!(
                    "must be CHF or EUR ({STANDARD} 4.3.3), is {:?}",
                    self.currency
                ),
            );
        }
        let (reference_type, reference) = match &self.reference {
            SwissReference::Qr(reference) => ("QRR", reference.as_str()),
            SwissReference::Creditor(reference) => ("SCOR", reference.as_str()),
            SwissReference::None => ("NON", ""),
        };
        let message = self.message.as_deref().unwrap_or_default();
        let billing = self.billing_information.as_deref().unwrap_or_default();
        check_text(&mut problems, "message", message, 140);
        check_text(&mut problems, "billing_information", billing, 140);
        if !billing.is_empty() && !billing.starts_with("//") {
            problems.push(
                "billing_information",
                format!(
                    "must start with \"//\" and the syntax's code, like //S1/ ({STANDARD} 4.3.4)"
                ),
            );
        }
        let together = message.chars().count() + billing.chars().count();
        if together > 140 {
            problems.push(
                "message",
                format!("with the billing information must be at most 140 characters ({STANDARD} 4.3.4), has {together}"),
            );
        }

        let mut fields: Vec<&str> = vec!["SPC", "0200", "1", self.account.as_str()];
        fields.extend(creditor.iter().map(String::as_str));
        fields.extend([""; 7]);
        fields.extend([amount.as_str(), self.currency.as_str()]);
        fields.extend(debtor.iter().map(String::as_str));
        fields.extend([reference_type, reference, message, "EPD"]);
        if !billing.is_empty() {
            fields.push(billing);
        }
        let payload = fields.join("\n");
        let length = payload.chars().count();
        if length > SWISS_MAX_PAYLOAD_CHARS {
            problems.push(
                "payload",
                format!("must be at most {SWISS_MAX_PAYLOAD_CHARS} characters ({STANDARD} 4.1), is {length}"),
            );
        }
        problems.finish(|| payload)
    }

    /// The payload and its QR symbol (error correction M, at most version 25), to be printed
    /// 46 × 46 mm with the Swiss cross over its centre.
    ///
    /// # Errors
    ///
    /// Every rule of the guidelines the bill breaks, as [`SwissQrBill::payload`].
    pub fn symbol(&self) -> Result<(String, QrSymbol), InvalidPayment> {
        let payload = self.payload()?;
        // The payload's bytes can pass 997 where its characters do not (umlauts take two).
        let symbol =
            QrSymbol::encode(&payload, SWISS_VERSIONS).map_err(|error| InvalidPayment {
                problems: vec![Problem::new("payload", error.to_string())],
            })?;
        Ok((payload, symbol))
    }

    /// A QR-bill pays to a Swiss or Liechtenstein account; a QR-IBAN takes QR references, and
    /// only those (SIX IG 3.4.1).
    fn check_account(&self, problems: &mut Problems) {
        if !self.account.is_swiss() {
            problems.push(
                "account",
                format!(
                    "must be a Swiss or Liechtenstein IBAN (CH or LI) ({STANDARD} 4.3.2), is from {}",
                    self.account.country()
                ),
            );
            return;
        }
        match (&self.reference, self.account.is_qr_iban()) {
            (SwissReference::Qr(_), false) => problems.push(
                "reference",
                format!("a QR reference needs a QR-IBAN, with an institution id from 30000 to 31999 ({STANDARD} 3.4.1)"),
            ),
            (SwissReference::Creditor(_) | SwissReference::None, true) => problems.push(
                "reference",
                format!("a QR-IBAN takes a QR reference (QRR) only ({STANDARD} 3.4.1)"),
            ),
            _ => {}
        }
    }
}

/// The seven address fields of a structured address (type `S`), checked.
fn address_lines(
    address: &SwissAddress,
    party: &'static str,
    problems: &mut Problems,
) -> Vec<String> {
    let field = |name: &'static str| -> &'static str {
        match (party, name) {
            ("creditor", "name") => "creditor.name",
            ("creditor", "street") => "creditor.street",
            ("creditor", "building_number") => "creditor.building_number",
            ("creditor", "postal_code") => "creditor.postal_code",
            ("creditor", "town") => "creditor.town",
            ("creditor", _) => "creditor.country",
            (_, "name") => "debtor.name",
            (_, "street") => "debtor.street",
            (_, "building_number") => "debtor.building_number",
            (_, "postal_code") => "debtor.postal_code",
            (_, "town") => "debtor.town",
            _ => "debtor.country",
        }
    };
    let street = address.street.as_deref().unwrap_or_default();
    let number = address.building_number.as_deref().unwrap_or_default();
    problems.required(field("name"), &address.name, STANDARD);
    check_text(problems, field("name"), &address.name, 70);
    check_text(problems, field("street"), street, 70);
    check_text(problems, field("building_number"), number, 16);
    problems.required(field("postal_code"), &address.postal_code, STANDARD);
    check_text(problems, field("postal_code"), &address.postal_code, 16);
    problems.required(field("town"), &address.town, STANDARD);
    check_text(problems, field("town"), &address.town, 35);
    let country = &address.country;
    if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
        problems.push(
            field("country"),
            format!("must be an ISO 3166-1 country code of two upper-case letters ({STANDARD} 4.3.2), is {country:?}"),
        );
    }
    vec![
        "S".to_owned(),
        address.name.clone(),
        street.to_owned(),
        number.to_owned(),
        address.postal_code.clone(),
        address.town.clone(),
        country.clone(),
    ]
}

/// Whether the QR-bill's character set has `c` (SIX IG QR-bill 2.x, 4.1.1).
pub fn is_qr_bill_character(c: char) -> bool {
    matches!(c,
        '\u{20}'..='\u{7e}'
        | '\u{a0}'..='\u{ff}'
        | '\u{100}'..='\u{17f}'
        | '\u{218}'..='\u{21b}'
        | '\u{20ac}')
}

/// Checks a text field: its length, one line, the character set.
fn check_text(problems: &mut Problems, field: &'static str, text: &str, max: usize) {
    problems.max_chars(field, text, max, STANDARD);
    problems.single_line(field, text);
    if let Some(c) = text
        .chars()
        .find(|c| !is_qr_bill_character(*c) && *c != '\n' && *c != '\r')
    {
        problems.push(
            field,
            format!("contains {c:?} (U+{:04X}), outside the QR-bill's Latin character set ({STANDARD} 4.1.1)", u32::from(c)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creditor() -> SwissAddress {
        SwissAddress {
            name: "Robert Schneider AG".into(),
            street: Some("Rue du Lac".into()),
            building_number: Some("1268".into()),
            postal_code: "2501".into(),
            town: "Biel".into(),
            country: "CH".into(),
        }
    }

    fn bill() -> SwissQrBill {
        SwissQrBill {
            account: Iban::parse("CH4431999123000889012").expect("valid"),
            creditor: creditor(),
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
            reference: SwissReference::Qr(
                QrReference::parse("210000000003139471430009017").expect("valid"),
            ),
            message: Some("Order of 15 June 2020".into()),
            billing_information: Some("//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30".into()),
        }
    }

    #[test]
    fn the_payload_of_the_six_example() {
        let expected = [
            "SPC", "0200", "1", "CH4431999123000889012",
            "S", "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH",
            "", "", "", "", "", "", "",
            "1949.75", "CHF",
            "S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
            "QRR", "210000000003139471430009017", "Order of 15 June 2020", "EPD",
            "//S1/10/10201409/11/200701/20/140.000-53/30/102673831/31/200615/32/7.7/33/7.7:139.40/40/0:30",
        ]
        .join("\n");
        assert_eq!(bill().payload().expect("valid"), expected);
    }

    #[test]
    fn without_debtor_amount_or_reference_the_fields_stay_empty() {
        let mut bill = bill();
        bill.account = Iban::parse("CH9300762011623852957").expect("valid");
        bill.debtor = None;
        bill.amount_minor = None;
        bill.reference = SwissReference::None;
        bill.message = None;
        bill.billing_information = None;
        let payload = bill.payload().expect("valid");
        let fields: Vec<&str> = payload.split('\n').collect();
        assert_eq!(fields.len(), 31);
        assert_eq!(fields[18..20], ["", "CHF"]);
        assert!(fields[20..27].iter().all(|f| f.is_empty()));
        assert_eq!(fields[27..], ["NON", "", "", "EPD"]);
    }

    #[test]
    fn a_qr_reference_needs_a_qr_iban_and_a_qr_iban_a_qr_reference() {
        let mut bill = bill();
        bill.account = Iban::parse("CH9300762011623852957").expect("valid");
        let error = bill.payload().expect_err("QRR to an ordinary IBAN");
        assert_eq!(error.problems[0].field, "reference");
        let mut bill = self::tests::bill();
        bill.reference =
            SwissReference::Creditor(CreditorReference::parse("RF18539007547034").expect("valid"));
        let error = bill.payload().expect_err("SCOR to a QR-IBAN");
        assert!(
            error.problems[0]
                .rule
                .contains("QR-IBAN takes a QR reference"),
            "{error}"
        );
    }

    #[test]
    fn every_broken_rule_names_its_field() {
        let mut bill = bill();
        bill.account = Iban::parse("DE89370400440532013000").expect("valid");
        bill.currency = "USD".into();
        bill.amount_minor = Some(0);
        bill.creditor.town = String::new();
        bill.creditor.country = "Switzerland".into();
        bill.message = Some("Rechnung 🧾".into());
        bill.billing_information = Some("S1/10".into());
        let error = bill.payload().expect_err("invalid");
        let fields: Vec<&str> = error.problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "account",
                "creditor.town",
                "creditor.country",
                "amount",
                "currency",
                "message",
                "billing_information"
            ]
        );
        assert!(
            error.to_string().contains(
                "message: contains '🧾' (U+1F9FE), outside the QR-bill's Latin character set"
            ),
            "{error}"
        );
    }

    #[test]
    fn umlauts_and_accents_are_in_the_character_set() {
        let mut bill = bill();
        bill.creditor.name = "Zürcher Käserei Société Anonyme".into();
        bill.message = Some("Facture n° 42, Ș €".into());
        assert!(bill.payload().is_ok());
        // The en dash is not Latin-1 or Latin Extended-A: a QR-bill cannot carry it.
        bill.message = Some("Facture n° 42 – Ș €".into());
        let error = bill.payload().expect_err("en dash");
        assert_eq!(error.problems[0].field, "message");
    }

    #[test]
    fn a_payload_whose_umlauts_overflow_version_25_is_refused() {
        let mut bill = bill();
        let long = |n: usize| "ä".repeat(n);
        for party in [&mut bill.creditor, bill.debtor.as_mut().expect("a debtor")] {
            party.name = long(70);
            party.street = Some(long(70));
            party.town = long(35);
        }
        bill.message = Some(long(100));
        bill.billing_information = None;
        let payload = bill.payload().expect("within 997 characters");
        assert!(payload.chars().count() <= SWISS_MAX_PAYLOAD_CHARS);
        assert!(payload.len() > SWISS_MAX_PAYLOAD_CHARS);
        let error = bill.symbol().expect_err("too many bytes for version 25");
        assert_eq!(error.problems[0].field, "payload");
        assert!(self::tests::bill().symbol().is_ok());
    }

    #[test]
    fn the_account_decides_which_reference_a_remittance_may_be() {
        let qr_iban = Iban::parse("CH4431999123000889012").expect("valid");
        let plain = Iban::parse("CH9300762011623852957").expect("valid");
        let qr_reference = "21 00000 00003 13947 14300 09017";
        let (reference, message) =
            SwissReference::for_account(&qr_iban, Some(qr_reference)).expect("QRR");
        assert!(matches!(reference, SwissReference::Qr(_)));
        assert_eq!(message, None);
        let wrong_digit = "21 00000 00003 13947 14300 09018";
        let problem = SwissReference::for_account(&qr_iban, Some(wrong_digit)).expect_err("check");
        assert_eq!(problem.field, "reference");
        assert!(problem.rule.contains("modulo 10 recursive"), "{problem}");
        let problem = SwissReference::for_account(&qr_iban, None).expect_err("required");
        assert!(
            problem.rule.contains("required with a QR-IBAN"),
            "{problem}"
        );
        let problem = SwissReference::for_account(&qr_iban, Some("RF18539007547034"))
            .expect_err("SCOR to a QR-IBAN");
        assert!(problem.rule.contains("27 digits"), "{problem}");

        let (reference, _) =
            SwissReference::for_account(&plain, Some("RF18 5390 0754 7034")).expect("SCOR");
        assert!(matches!(reference, SwissReference::Creditor(_)));
        let problem = SwissReference::for_account(&plain, Some(qr_reference))
            .expect_err("QRR to a plain IBAN");
        assert!(problem.rule.contains("needs a QR-IBAN"), "{problem}");
        let problem = SwissReference::for_account(&plain, Some("RF19 5390 0754 7034"))
            .expect_err("a mistyped creditor reference");
        assert!(problem.rule.contains("ISO 11649"), "{problem}");
        assert_eq!(
            SwissReference::for_account(&plain, Some("Rechnung 42")).expect("a message"),
            (SwissReference::None, Some("Rechnung 42".to_owned()))
        );
        assert_eq!(
            SwissReference::for_account(&plain, None).expect("none"),
            (SwissReference::None, None)
        );
    }
}
