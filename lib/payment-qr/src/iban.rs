//! International Bank Account Numbers (ISO 13616) and the Swiss QR-IBAN.

use std::fmt;
use std::str::FromStr;

use ::iban as registry;
use registry::IbanLike;

/// A checked IBAN in its electronic form (no spaces, upper case): `DE89370400440532013000`.
///
/// Checked are the structure (country code, check digits, at most 30 characters of account
/// number), the ISO 7064 mod 97-10 check digits, and the length and format that the SWIFT
/// IBAN registry gives the country's account numbers (through the `iban_validate` crate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iban(String);

/// Why a text is not an IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanError {
    /// Not two letters, two digits and up to 30 letters or digits.
    #[error(
        "must be an IBAN: two letters of the country, two check digits and up to 30 letters or digits (ISO 13616)"
    )]
    Format,
    /// The check digits do not match (ISO 7064 mod 97-10): a typing error.
    #[error("has wrong check digits (ISO 13616 mod 97): a digit is mistyped")]
    Checksum,
    /// The account number has the wrong length or format for its country.
    #[error("does not have the length and format of an IBAN of {0} (SWIFT IBAN registry)")]
    CountryFormat(String),
    /// The country does not issue IBANs.
    #[error("starts with {0}, a country without IBANs (SWIFT IBAN registry)")]
    UnknownCountry(String),
}

impl Iban {
    /// Checks an IBAN given in electronic or print form (`DE89 3704 0044 0532 0130 00`), in any
    /// case.
    ///
    /// # Errors
    ///
    /// The rule it breaks, see [`IbanError`].
    pub fn parse(text: &str) -> Result<Iban, IbanError> {
        let electronic: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        match electronic.parse::<registry::Iban>() {
            Ok(parsed) => Ok(Iban(parsed.electronic_str().to_owned())),
            Err(registry::ParseIbanError::InvalidBaseIban { source }) => match source {
                registry::ParseBaseIbanError::InvalidChecksum => Err(IbanError::Checksum),
                _ => Err(IbanError::Format),
            },
            Err(registry::ParseIbanError::InvalidBban(base)) => {
                Err(IbanError::CountryFormat(base.country_code().to_owned()))
            }
            Err(registry::ParseIbanError::UnknownCountry(base)) => {
                Err(IbanError::UnknownCountry(base.country_code().to_owned()))
            }
        }
    }

    /// The electronic form: `DE89370400440532013000`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The country code: `DE`.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Whether this is a Swiss or Liechtenstein IBAN, the accounts a Swiss QR-bill pays to.
    pub fn is_swiss(&self) -> bool {
        matches!(self.country(), "CH" | "LI")
    }

    /// Whether this is a QR-IBAN: a Swiss or Liechtenstein IBAN whose institution id (IID,
    /// characters 5 to 9) is 30000 to 31999. A QR-IBAN takes payments with a QR reference only
    /// (SIX IG QR-bill 2.x, 3.4.1).
    pub fn is_qr_iban(&self) -> bool {
        self.is_swiss()
            && self.0[4..9]
                .parse::<u32>()
                .is_ok_and(|iid| (30000..=31999).contains(&iid))
    }

    /// The print form, in groups of four: `DE89 3704 0044 0532 0130 00`.
    pub fn print_form(&self) -> String {
        let mut printed = String::with_capacity(self.0.len() + self.0.len() / 4);
        for (index, c) in self.0.chars().enumerate() {
            if index > 0 && index % 4 == 0 {
                printed.push(' ');
            }
            printed.push(c);
        }
        printed
    }
}

impl FromStr for Iban {
    type Err = IbanError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Iban::parse(text)
    }
}

impl fmt::Display for Iban {
    /// The electronic form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_is_checked_and_normalised() {
        let iban = Iban::parse("de89 3704 0044 0532 0130 00").expect("valid");
        assert_eq!(iban.as_str(), "DE89370400440532013000");
        assert_eq!(iban.print_form(), "DE89 3704 0044 0532 0130 00");
        assert_eq!(iban.country(), "DE");
        assert!(!iban.is_swiss());
    }

    #[test]
    fn a_mistyped_digit_fails_the_check_digits() {
        assert_eq!(
            Iban::parse("DE89370400440532013001"),
            Err(IbanError::Checksum)
        );
    }

    /// `country` and `account` with the check digits that make them pass mod 97.
    fn with_check_digits(country: &str, account: &str) -> String {
        let digits: String = format!("{account}{country}00")
            .chars()
            .map(|c| c.to_digit(36).expect("alphanumeric").to_string())
            .collect();
        let remainder = digits
            .bytes()
            .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
        format!("{country}{:02}{account}", 98 - remainder)
    }

    #[test]
    fn a_country_fixes_the_length_of_its_ibans() {
        let too_short = with_check_digits("DE", "3704004405320130");
        assert_eq!(
            Iban::parse(&too_short),
            Err(IbanError::CountryFormat("DE".into()))
        );
        let unknown = with_check_digits("ZZ", "3704004405320130");
        assert_eq!(
            Iban::parse(&unknown),
            Err(IbanError::UnknownCountry("ZZ".into()))
        );
        assert_eq!(Iban::parse("not an iban"), Err(IbanError::Format));
    }

    #[test]
    fn a_qr_iban_has_an_institution_id_from_30000_to_31999() {
        let qr_iban = Iban::parse("CH44 3199 9123 0008 8901 2").expect("valid");
        assert!(qr_iban.is_swiss());
        assert!(qr_iban.is_qr_iban());
        let iban = Iban::parse("CH93 0076 2011 6238 5295 7").expect("valid");
        assert!(iban.is_swiss());
        assert!(!iban.is_qr_iban());
        let liechtenstein = Iban::parse("LI21 0881 0000 2324 013A A").expect("valid");
        assert!(liechtenstein.is_swiss());
    }
}
