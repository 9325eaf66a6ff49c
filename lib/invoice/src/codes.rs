//! The code lists and check digits that the invoice document is checked
//! against: what a code in the document must look like to mean something to
//! a bank, a customs office or an e-invoice receiver.
//!
//! Each check answers `Ok` with the value as it is kept (normalised where the
//! model says so) or `Err` with the broken rule, in words a producer can act
//! on; `validate` adds the JSON pointer. Pure functions over text: no I/O.
//!
//! Closed lists that EN 16931 fixes and that change rarely are held in full
//! (UNTDID 4461, 5189, 7161, ISO 3166-1); lists of thousands of entries that
//! grow every year (UN/ECE Recommendation 20 units, the EAS schemes, VATEX)
//! are checked for their shape only, and an e-invoice validator downstream
//! has the last word on them.

use std::str::FromStr;

/// UNTDID 4461 payment means codes, as EN 16931 lists them (BT-81).
pub const PAYMENT_MEANS: &[&str] = &[
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33",
    "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49",
    "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65",
    "66", "67", "68", "70", "74", "75", "76", "77", "78", "91", "92", "93", "94", "95", "96", "97",
    "ZZZ",
];

/// UNTDID 5189 allowance reason codes, the subset EN 16931 allows (BT-98).
pub const ALLOWANCE_REASONS: &[&str] = &[
    "41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70", "71", "88", "95", "100",
    "102", "103", "104", "105",
];

/// UNTDID 7161 charge reason codes, as EN 16931 lists them (BT-105).
pub const CHARGE_REASONS: &[&str] = &[
    "AA", "AAA", "AAC", "AAD", "AAE", "AAF", "AAH", "AAI", "AAS", "AAT", "AAV", "AAY", "AAZ",
    "ABA", "ABB", "ABC", "ABD", "ABF", "ABK", "ABL", "ABN", "ABR", "ABS", "ABT", "ABU", "ACF",
    "ACG", "ACH", "ACI", "ACJ", "ACK", "ACL", "ACM", "ACS", "ADC", "ADE", "ADJ", "ADK", "ADL",
    "ADM", "ADN", "ADO", "ADP", "ADQ", "ADR", "ADT", "ADW", "ADY", "ADZ", "AEA", "AEB", "AEC",
    "AED", "AEF", "AEH", "AEI", "AEJ", "AEK", "AEL", "AEM", "AEN", "AEO", "AEP", "AES", "AET",
    "AEU", "AEV", "AEW", "AEX", "AEY", "AEZ", "AJ", "AU", "CA", "CAB", "CAD", "CAE", "CAF", "CAI",
    "CAJ", "CAK", "CAL", "CAM", "CAN", "CAO", "CAP", "CAQ", "CAR", "CAS", "CAT", "CAU", "CAV",
    "CAW", "CAX", "CAY", "CAZ", "CD", "CG", "CS", "CT", "DAB", "DAC", "DAD", "DAF", "DAG", "DAH",
    "DAI", "DAJ", "DAK", "DAL", "DAM", "DAN", "DAO", "DAP", "DAQ", "DL", "EG", "EP", "ER", "FAA",
    "FAB", "FAC", "FC", "FH", "FI", "GAA", "HAA", "HD", "HH", "IAA", "IAB", "ID", "IF", "IR", "IS",
    "KO", "L1", "LA", "LAA", "LAB", "LF", "MAE", "MI", "ML", "NAA", "OA", "PA", "PAA", "PC", "PL",
    "RAB", "RAC", "RAD", "RAF", "RE", "RF", "RH", "RV", "SA", "SAA", "SAD", "SAE", "SAI", "SG",
    "SH", "SM", "SU", "TAB", "TAC", "TT", "TV", "V1", "V2", "WH", "XAA", "YY", "ZZZ",
];

/// A payment means code of [`PAYMENT_MEANS`].
///
/// # Errors
///
/// The broken rule when the code is not in the list.
pub fn payment_means(code: &str) -> Result<String, String> {
    if PAYMENT_MEANS.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(
            "must be a payment means code of UNTDID 4461, like 58 (SEPA credit transfer), \
             59 (SEPA direct debit), 30 (credit transfer), 48 (bank card) or 10 (cash)"
                .into(),
        )
    }
}

/// An allowance reason code of [`ALLOWANCE_REASONS`].
///
/// # Errors
///
/// The broken rule, listing the codes, when the code is not one of them.
pub fn allowance_reason(code: &str) -> Result<String, String> {
    if ALLOWANCE_REASONS.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(format!(
            "must be an allowance reason code of UNTDID 5189: {}",
            ALLOWANCE_REASONS.join(" ")
        ))
    }
}

/// A charge reason code of [`CHARGE_REASONS`].
///
/// # Errors
///
/// The broken rule when the code is not in the list.
pub fn charge_reason(code: &str) -> Result<String, String> {
    if CHARGE_REASONS.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(
            "must be a charge reason code of UNTDID 7161, like FC (freight), \
             ABL (packaging) or ZZZ (mutually defined)"
                .into(),
        )
    }
}

/// An ISO 3166-1 alpha-2 country code, in upper case (`DE`).
///
/// # Errors
///
/// The broken rule when the code is not two upper-case letters or names no
/// country.
pub fn country_code(code: &str) -> Result<String, String> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(
            "must be an ISO 3166-1 alpha-2 country code: 2 upper-case letters, like DE".into(),
        );
    }
    match iso_currency::Country::from_str(code) {
        Ok(_) => Ok(code.to_owned()),
        Err(_) => Err(format!(
            "must be an ISO 3166-1 alpha-2 country code ({code} is none)"
        )),
    }
}

/// An IBAN, normalised: spaces removed, letters in upper case, then checked
/// by ISO 13616 (the country's length and format, and the mod-97 check
/// digits).
///
/// # Errors
///
/// The broken rule: the shape, the check digits, or the country's format.
pub fn iban(text: &str) -> Result<String, String> {
    let normalised: String = text
        .chars()
        .filter(|&c| c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match normalised.parse::<iban::Iban>() {
        Ok(parsed) => Ok(iban::IbanLike::electronic_str(&parsed).to_owned()),
        Err(iban::ParseIbanError::InvalidBaseIban {
            source: iban::ParseBaseIbanError::InvalidChecksum,
        }) => Err(
            "must be an IBAN whose check digits are right (ISO 13616 mod 97): \
                   a digit is wrong or two are swapped"
                .into(),
        ),
        Err(iban::ParseIbanError::InvalidBaseIban { .. }) => Err(
            "must be an IBAN: a country code, 2 check digits and up to 30 letters or digits, \
             like DE89 3704 0044 0532 0130 00"
                .into(),
        ),
        Err(iban::ParseIbanError::InvalidBban(_)) => Err(format!(
            "must be an IBAN in the format of its country {} (length or characters differ)",
            &normalised[..2]
        )),
        Err(iban::ParseIbanError::UnknownCountry(_)) => Err(format!(
            "must be an IBAN of a country that issues IBANs ({} does not)",
            &normalised[..2]
        )),
    }
}

/// Characters that would change what a mail header says if they stood in an
/// address (RFC 5322's specials but `@` and `.`).
const EMAIL_SPECIALS: &str = "<>()[],;:\"\\";

/// paperflow's one e-mail address rule, used by the invoice validation, and
/// so by the API, and by the pdf-mailer before it sends: a plausibility
/// check, not RFC 5321's whole grammar. At most 254 bytes; no whitespace,
/// control characters or header specials; exactly one `@`; 1 to 64 bytes
/// before it; a domain with a dot and no empty part between dots after it.
/// An address the invoice validation accepts is one the mailer sends to:
/// before, the two rules differed, and such an invoice was accepted with 202
/// and dropped later as `invalid_recipient`.
///
/// # Errors
///
/// The broken rule, in the validation's words.
pub fn email_address(text: &str) -> Result<(), &'static str> {
    if text.chars().any(char::is_whitespace) {
        return Err("must be an e-mail address without whitespace");
    }
    if text.chars().any(char::is_control) {
        return Err("must be an e-mail address without control characters");
    }
    if text.chars().any(|c| EMAIL_SPECIALS.contains(c)) {
        return Err(
            "must be an e-mail address without any of < > ( ) [ ] , ; : \" \\ (they change what a mail header says)",
        );
    }
    if text.len() > 254 {
        return Err("must be an e-mail address of at most 254 bytes");
    }
    if text.matches('@').count() != 1 {
        return Err("must be an e-mail address with exactly one \"@\", like billing@example.com");
    }
    match text.split_once('@') {
        Some(("", _)) => Err("must be an e-mail address with a name before the \"@\""),
        Some((local, _)) if local.len() > 64 => {
            Err("must be an e-mail address whose part before the \"@\" has at most 64 bytes")
        }
        Some((_, "")) => Err("must be an e-mail address with a domain after the \"@\""),
        Some((_, domain)) if !domain.contains('.') => {
            Err("must be an e-mail address whose domain has a dot, like example.com")
        }
        Some((_, domain))
            if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") =>
        {
            Err("must be an e-mail address whose domain has no empty part between dots")
        }
        _ => Ok(()),
    }
}

/// A BIC (ISO 9362) in upper case: 4 letters (the bank), 2 letters (an ISO
/// 3166-1 country), 2 letters or digits (the location) and optionally 3
/// letters or digits (the branch), so 8 or 11 characters.
///
/// # Errors
///
/// The broken rule when the shape is wrong.
pub fn bic(text: &str) -> Result<String, String> {
    let bic = text.to_ascii_uppercase();
    let b = bic.as_bytes();
    let shape = matches!(b.len(), 8 | 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if !shape {
        return Err(
            "must be a BIC of 8 or 11 characters: 4 letters (bank), 2 letters \
                    (country), 2 letters or digits (location), optionally 3 more (branch), \
                    like COBADEFFXXX"
                .into(),
        );
    }
    country_code(&bic[4..6]).map_err(|_| {
        format!(
            "must be a BIC whose characters 5 and 6 are a country code ({} is none)",
            &bic[4..6]
        )
    })?;
    Ok(bic)
}

/// A GTIN (GTIN-8, -12, -13 or -14) whose last digit is its GS1 check digit.
///
/// # Errors
///
/// The broken rule when the length, the characters or the check digit is
/// wrong.
pub fn gtin(text: &str) -> Result<String, String> {
    if !matches!(text.len(), 8 | 12 | 13 | 14) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a GTIN: 8, 12, 13 or 14 digits".into());
    }
    let (expected, given) = gs1_check_digits(text);
    if given == expected {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "must be a GTIN whose last digit is its check digit ({expected}, not {given})"
        ))
    }
}

/// Whether `id`, `length` ASCII digits, ends in its GS1 check digit (GTINs, GLNs, SSCCs share
/// the rule).
pub fn has_gs1_check_digit(id: &str, length: usize) -> bool {
    id.len() == length
        && length > 1
        && id.bytes().all(|b| b.is_ascii_digit())
        && matches!(gs1_check_digits(id), (expected, given) if expected == given)
}

/// The GS1 check digit computed over all but the last digit of `digits` (ASCII digits, at least
/// two), and the last digit as given.
fn gs1_check_digits(digits: &str) -> (u32, u32) {
    let digits: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let (body, check) = digits.split_at(digits.len() - 1);
    // From the right, the body's digits weigh 3, 1, 3, 1, …
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    ((10 - sum % 10) % 10, check[0])
}

/// A unit code of UN/ECE Recommendation 20 (BT-130): 2 or 3 upper-case
/// letters or digits (`C62`, `HUR`, `KGM`, `H87`); the shape only.
///
/// # Errors
///
/// The broken rule when the shape is wrong.
pub fn unit_code(text: &str) -> Result<String, String> {
    if matches!(text.len(), 2 | 3)
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        Ok(text.to_owned())
    } else {
        Err(
            "must be a unit code of UN/ECE Recommendation 20: 2 or 3 upper-case letters or \
             digits, like C62 (one), HUR (hour) or KGM (kilogram)"
                .into(),
        )
    }
}

/// An Electronic Address Scheme code (BT-34-1 / BT-49-1): 4 digits (`0088`,
/// `9930`) or 2 upper-case letters (`EM`); the shape only.
///
/// # Errors
///
/// The broken rule when the shape is wrong.
pub fn electronic_address_scheme(text: &str) -> Result<String, String> {
    let b = text.as_bytes();
    let digits = b.len() == 4 && b.iter().all(u8::is_ascii_digit);
    let letters = b.len() == 2 && b.iter().all(u8::is_ascii_uppercase);
    if digits || letters {
        Ok(text.to_owned())
    } else {
        Err(
            "must be an Electronic Address Scheme (EAS) code: 4 digits like 0088 (GLN) or \
             9930 (German VAT number), or 2 letters like EM (e-mail)"
                .into(),
        )
    }
}

/// A VAT exemption reason code (BT-121) of the VATEX list: `VATEX-`, then
/// upper-case letters, digits and dashes (`VATEX-EU-AE`, `VATEX-EU-132-1A`),
/// at most 30 characters; the shape only.
///
/// # Errors
///
/// The broken rule when the shape is wrong.
pub fn vatex(text: &str) -> Result<String, String> {
    let rest = text.strip_prefix("VATEX-").unwrap_or("");
    let shape = !rest.is_empty()
        && text.len() <= 30
        && !rest.ends_with('-')
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if shape {
        Ok(text.to_owned())
    } else {
        Err(
            "must be a VATEX exemption reason code like VATEX-EU-AE or VATEX-EU-132-1A \
             (at most 30 characters)"
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ibans_are_normalised_and_checked_by_mod_97() {
        assert_eq!(
            iban("de89 3704 0044 0532 0130 00").as_deref(),
            Ok("DE89370400440532013000")
        );
        assert_eq!(
            iban("GB82WEST12345698765432").as_deref(),
            Ok("GB82WEST12345698765432")
        );
        // one digit off
        let err = iban("DE89370400440532013001").expect_err("checksum");
        assert!(err.contains("mod 97"), "{err}");
        // two digits swapped
        assert!(iban("DE89370400440532010300").is_err());
        let err = iban("DE5137040044053201300").expect_err("too short for DE");
        assert!(err.contains("format of its country DE"), "{err}");
        let err = iban("12345").expect_err("shape");
        assert!(err.contains("country code, 2 check digits"), "{err}");
        assert!(iban("").is_err());
        assert!(iban("DE89-3704").is_err());
    }

    #[test]
    fn bics_have_8_or_11_characters_and_a_country() {
        assert_eq!(bic("COBADEFFXXX").as_deref(), Ok("COBADEFFXXX"));
        assert_eq!(bic("cobadeff").as_deref(), Ok("COBADEFF"));
        assert!(bic("COBADEFFX").is_err());
        assert!(bic("COB1DEFF").is_err());
        let err = bic("COBAQQFF").expect_err("no country QQ");
        assert!(err.contains("QQ is none"), "{err}");
    }

    #[test]
    fn gtins_carry_their_check_digit() {
        assert_eq!(gtin("4012345678901").as_deref(), Ok("4012345678901"));
        assert_eq!(gtin("96385074").as_deref(), Ok("96385074")); // GTIN-8
        assert_eq!(gtin("036000291452").as_deref(), Ok("036000291452")); // UPC-A
        assert_eq!(gtin("10012345678902").as_deref(), Ok("10012345678902")); // GTIN-14
        assert_eq!(
            gtin("4012345678902").expect_err("check digit"),
            "must be a GTIN whose last digit is its check digit (1, not 2)"
        );
        assert!(gtin("401234567890").is_err()); // 12 digits, wrong check
        assert!(gtin("40123456789").is_err()); // 11 digits
        assert!(gtin("40123456789O1").is_err()); // a letter O
    }

    #[test]
    fn country_codes_are_iso_3166_alpha_2() {
        assert_eq!(country_code("DE").as_deref(), Ok("DE"));
        assert_eq!(country_code("CH").as_deref(), Ok("CH"));
        assert!(country_code("de").is_err());
        assert!(country_code("DEU").is_err());
        assert_eq!(
            country_code("QQ").expect_err("QQ"),
            "must be an ISO 3166-1 alpha-2 country code (QQ is none)"
        );
    }

    #[test]
    fn code_lists_hold_what_en_16931_lists() {
        assert!(payment_means("58").is_ok());
        assert!(payment_means("ZZZ").is_ok());
        assert!(payment_means("69").is_err());
        assert!(payment_means("058").is_err());
        assert!(allowance_reason("95").is_ok());
        assert!(allowance_reason("FC").is_err());
        assert!(charge_reason("FC").is_ok());
        assert!(charge_reason("95").is_err());
    }

    #[test]
    fn shapes_of_open_code_lists() {
        assert!(unit_code("C62").is_ok());
        assert!(unit_code("H87").is_ok());
        assert!(unit_code("c62").is_err());
        assert!(unit_code("PIECE").is_err());
        assert!(electronic_address_scheme("0088").is_ok());
        assert!(electronic_address_scheme("EM").is_ok());
        assert!(electronic_address_scheme("088").is_err());
        assert!(electronic_address_scheme("em").is_err());
        assert!(vatex("VATEX-EU-AE").is_ok());
        assert!(vatex("VATEX-EU-132-1A").is_ok());
        assert!(vatex("VATEX-").is_err());
        assert!(vatex("EU-AE").is_err());
        assert!(vatex("VATEX-eu-ae").is_err());
    }
}
