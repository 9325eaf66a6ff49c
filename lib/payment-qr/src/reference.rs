//! Structured payment references: the Swiss QR reference and the ISO 11649 Creditor Reference.
//!
//! Both carry check digits so that a bank can refuse a mistyped reference before the money
//! goes astray; these types make them and check them.

use std::fmt;

/// A Swiss QR reference (SIX IG QR-bill 2.x, 3.4.1): 27 digits, the last a check digit
/// computed modulo 10, recursively (the Swiss banks' "Modulo 10 rekursiv").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QrReference(String);

/// A Creditor Reference (ISO 11649): `RF`, two check digits (mod 97) and up to 21 letters or
/// digits, such as `RF18539007547034`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditorReference(String);

/// Why a text is not a reference of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// A QR reference is 27 digits.
    #[error("must be a QR reference: 27 digits (SIX IG QR-bill 3.4.1), has {0} characters")]
    QrFormat(usize),
    /// A QR reference's last digit is not its check digit.
    #[error("has a wrong check digit (QR reference, modulo 10 recursive): a digit is mistyped")]
    QrCheckDigit,
    /// A QR reference's 26 digits are all zero, which SIX does not allow.
    #[error("must not be all zeros (SIX IG QR-bill 3.4.1)")]
    QrAllZero,
    /// A creditor reference is `RF`, two digits and 1 to 21 letters or digits.
    #[error(
        "must be a Creditor Reference: RF, two check digits and 1 to 21 letters or digits (ISO 11649)"
    )]
    CreditorFormat,
    /// The check digits of a creditor reference do not match (mod 97).
    #[error("has wrong check digits (ISO 11649 mod 97): a character is mistyped")]
    CreditorCheckDigits,
}

/// The check digit of the Swiss "modulo 10 recursive" scheme for a string of decimal digits.
///
/// Each digit moves a carry through a fixed table of ten rows; the check digit is the
/// complement to ten of the final carry. Returns `None` for a non-digit.
pub fn mod10_recursive(digits: &str) -> Option<u8> {
    const TABLE: [u8; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    let mut carry = 0u8;
    for c in digits.chars() {
        let digit = u8::try_from(c.to_digit(10)?).ok()?;
        carry = TABLE[usize::from((carry + digit) % 10)];
    }
    Some((10 - carry) % 10)
}

impl QrReference {
    /// Checks a QR reference, given with or without spaces (`21 00000 00003 13947 14300 09017`).
    ///
    /// # Errors
    ///
    /// Not 27 digits, all zeros, or a wrong check digit.
    pub fn parse(text: &str) -> Result<QrReference, ReferenceError> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 27 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReferenceError::QrFormat(digits.chars().count()));
        }
        let (payload, check) = digits.split_at(26);
        if payload.bytes().all(|b| b == b'0') {
            return Err(ReferenceError::QrAllZero);
        }
        if mod10_recursive(payload).map(|d| d.to_string()) != Some(check.to_owned()) {
            return Err(ReferenceError::QrCheckDigit);
        }
        Ok(QrReference(digits))
    }

    /// Makes the QR reference of up to 26 digits (an invoice's own number, say), padded with
    /// leading zeros and followed by its check digit.
    ///
    /// # Errors
    ///
    /// More than 26 characters, a non-digit, or all zeros.
    pub fn from_digits(digits: &str) -> Result<QrReference, ReferenceError> {
        if digits.is_empty() || digits.len() > 26 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReferenceError::QrFormat(digits.chars().count() + 1));
        }
        let payload = format!("{digits:0>26}");
        let check = mod10_recursive(&payload).ok_or(ReferenceError::QrFormat(27))?;
        QrReference::parse(&format!("{payload}{check}"))
    }

    /// The 27 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The print form: two digits, then groups of five (`21 00000 00003 13947 14300 09017`).
    pub fn print_form(&self) -> String {
        let (head, rest) = self.0.split_at(2);
        let mut printed = head.to_owned();
        for group in rest.as_bytes().chunks(5) {
            printed.push(' ');
            printed.push_str(&String::from_utf8_lossy(group));
        }
        printed
    }
}

impl fmt::Display for QrReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The remainder modulo 97 of an alphanumeric string read as digits (A = 10 … Z = 35), the
/// check of ISO 7064 mod 97-10. `None` for a character that is not a letter or digit.
fn mod97(text: &str) -> Option<u32> {
    let mut remainder = 0u32;
    for c in text.chars() {
        let value = c.to_digit(36)?;
        remainder = if value < 10 {
            (remainder * 10 + value) % 97
        } else {
            (remainder * 100 + value) % 97
        };
    }
    Some(remainder)
}

impl CreditorReference {
    /// Checks a Creditor Reference, given with or without spaces, in any case.
    ///
    /// # Errors
    ///
    /// Not the ISO 11649 structure, or wrong check digits.
    pub fn parse(text: &str) -> Result<CreditorReference, ReferenceError> {
        let reference: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let well_formed = reference.len() >= 5
            && reference.len() <= 25
            && reference.starts_with("RF")
            && reference[2..4].bytes().all(|b| b.is_ascii_digit())
            && reference[4..].bytes().all(|b| b.is_ascii_alphanumeric());
        if !well_formed {
            return Err(ReferenceError::CreditorFormat);
        }
        let rearranged = format!("{}{}", &reference[4..], &reference[..4]);
        if mod97(&rearranged) != Some(1) {
            return Err(ReferenceError::CreditorCheckDigits);
        }
        Ok(CreditorReference(reference))
    }

    /// Makes the Creditor Reference of a creditor's own reference of 1 to 21 letters or digits
    /// (`539007547034` → `RF18539007547034`).
    ///
    /// # Errors
    ///
    /// Empty, longer than 21, or a character that is not a letter or digit.
    pub fn from_reference(reference: &str) -> Result<CreditorReference, ReferenceError> {
        let reference = reference.to_ascii_uppercase();
        if reference.is_empty()
            || reference.len() > 21
            || !reference.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(ReferenceError::CreditorFormat);
        }
        let remainder = mod97(&format!("{reference}RF00")).ok_or(ReferenceError::CreditorFormat)?;
        CreditorReference::parse(&format!("RF{:02}{reference}", 98 - remainder))
    }

    /// The electronic form: `RF18539007547034`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The print form, in groups of four: `RF18 5390 0754 7034`.
    pub fn print_form(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|group| String::from_utf8_lossy(group).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for CreditorReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_six_example_qr_reference_is_valid() {
        // The example of the SIX Implementation Guidelines.
        let reference = QrReference::parse("21 00000 00003 13947 14300 09017").expect("valid");
        assert_eq!(reference.as_str(), "210000000003139471430009017");
        assert_eq!(reference.print_form(), "21 00000 00003 13947 14300 09017");
    }

    #[test]
    fn a_qr_reference_is_made_with_its_check_digit() {
        let reference = QrReference::from_digits("21000000000313947143000901").expect("valid");
        assert_eq!(reference.as_str(), "210000000003139471430009017");
        let short = QrReference::from_digits("123").expect("valid");
        assert_eq!(short.as_str().len(), 27);
        assert!(short.as_str().starts_with("00000000000000000000000123"));
    }

    #[test]
    fn a_wrong_qr_reference_names_its_rule() {
        assert_eq!(
            QrReference::parse("210000000003139471430009018"),
            Err(ReferenceError::QrCheckDigit)
        );
        assert_eq!(
            QrReference::parse("21000000000313947143000901"),
            Err(ReferenceError::QrFormat(26))
        );
        assert_eq!(
            QrReference::parse("000000000000000000000000000"),
            Err(ReferenceError::QrAllZero)
        );
        assert_eq!(
            QrReference::from_digits("12a"),
            Err(ReferenceError::QrFormat(4))
        );
    }

    #[test]
    fn the_iso_11649_example_is_valid() {
        let reference = CreditorReference::parse("RF18 5390 0754 7034").expect("valid");
        assert_eq!(reference.as_str(), "RF18539007547034");
        assert_eq!(reference.print_form(), "RF18 5390 0754 7034");
        assert_eq!(
            CreditorReference::from_reference("539007547034").expect("valid"),
            reference
        );
        assert_eq!(
            CreditorReference::from_reference("INV2026000123")
                .expect("valid")
                .as_str()
                .len(),
            17
        );
    }

    #[test]
    fn a_wrong_creditor_reference_names_its_rule() {
        assert_eq!(
            CreditorReference::parse("RF19539007547034"),
            Err(ReferenceError::CreditorCheckDigits)
        );
        assert_eq!(
            CreditorReference::parse("XX18539007547034"),
            Err(ReferenceError::CreditorFormat)
        );
        assert_eq!(
            CreditorReference::from_reference("INV-2026"),
            Err(ReferenceError::CreditorFormat)
        );
        assert_eq!(
            CreditorReference::parse("RF18 5390 0754 7034 0000 0000 00"),
            Err(ReferenceError::CreditorFormat)
        );
    }
}
