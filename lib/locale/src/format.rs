//! Numbers, amounts of money, tax rates and dates as a locale writes them, from CLDR through
//! ICU4X's compiled data.
//!
//! Nothing here knows a separator or a pattern of its own: grouping, decimal separators, the
//! place of the currency symbol and of the percent sign, and the order of day, month and year
//! all come from CLDR. Formatters are built once per locale ([`Formats::new`]) and once per
//! currency (on first use, then kept), because building one loads and checks CLDR data, while
//! formatting with a built one is cheap.

use std::sync::{Arc, RwLock};

use fixed_decimal::Decimal;
use icu_calendar::{Date, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::YMD;
use icu_datetime::options::YearStyle;
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale_core::LanguageIdentifier;

use crate::language::{Language, LanguageTag};

/// How a language writes an invoice's dates: which CLDR date length.
///
/// Invoices are read by accounting people and often by machines: numeric dates with the full
/// year, the locale's short format, are the norm in every supported language but two. English
/// uses CLDR's medium format (`Nov 26, 2026`, `26 Nov 2026` in en-GB) because the short one
/// (`11/26/2026`) reads as the 11th of the 26th month outside the United States. Japanese
/// invoices write the year, month and day characters, CLDR's long format (`2026年11月26日`).
fn date_fields(language: Language) -> YMD {
    match language {
        Language::English => YMD::medium(),
        Language::Japanese => YMD::long(),
        _ => YMD::short().with_year_style(YearStyle::Full),
    }
}

/// Every formatter of one locale.
#[derive(Debug)]
pub(crate) struct Formats {
    identifier: LanguageIdentifier,
    decimal: DecimalFormatter,
    percent: PercentFormatter<DecimalFormatter>,
    date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    /// Built on first use of each currency; an invoice has one currency, a process a few.
    currencies: RwLock<Vec<(CurrencyKey, Arc<CurrencyFormat>)>>,
}

/// A currency as the invoice model knows it: its ISO 4217 code and exponent.
type CurrencyKey = ([u8; 3], u8);

/// How amounts of one currency are written.
#[derive(Debug)]
enum CurrencyFormat {
    /// CLDR's pattern and symbol (`1.234,56 €`).
    Cldr(Box<CurrencyFormatter<DecimalFormatter>>),
    /// The number and the ISO code (`1.234,567\u{a0}IQD`): for a currency CLDR writes with fewer
    /// decimals than its ISO 4217 exponent (CLDR gives IQD 0, ISO 3), whose pattern would round
    /// away minor units the invoice counts, and for a code CLDR does not know.
    NumberAndCode(String),
}

/// Why a formatter could not be built: CLDR data is missing for the locale, which the tests
/// rule out for the supported languages.
#[derive(Debug, thiserror::Error)]
#[error("no CLDR data to format {tag}: {problem}")]
pub struct FormatDataError {
    tag: String,
    /// What ICU4X reported.
    problem: String,
}

impl Formats {
    pub(crate) fn new(tag: &LanguageTag) -> Result<Formats, FormatDataError> {
        let identifier = tag.identifier().clone();
        let error = |source: &dyn std::fmt::Display| FormatDataError {
            tag: tag.to_string(),
            problem: source.to_string(),
        };
        let decimal = DecimalFormatter::try_new((&identifier).into(), Default::default())
            .map_err(|e| error(&e))?;
        let percent = PercentFormatter::try_new((&identifier).into(), Default::default())
            .map_err(|e| error(&e))?;
        let date = FixedCalendarDateTimeFormatter::try_new(
            (&identifier).into(),
            date_fields(tag.language()),
        )
        .map_err(|e| error(&e))?;
        Ok(Formats {
            identifier,
            decimal,
            percent,
            date,
            currencies: RwLock::new(Vec::new()),
        })
    }

    /// `minor` units of a currency with `exponent` decimals, as a plain number: `1.234,56`.
    pub(crate) fn amount(&self, minor: i64, exponent: u8) -> String {
        self.decimal
            .format(&minor_units(minor, exponent))
            .to_string()
    }

    /// `minor` units of the currency `code` with `exponent` decimals, with the currency's
    /// symbol where the locale puts it: `1.234,56 €`, `€1,234.56`, `￥1,235`.
    pub(crate) fn money(&self, minor: i64, code: &str, exponent: u8) -> String {
        let value = minor_units(minor, exponent);
        match &*self.currency_format(code, exponent) {
            CurrencyFormat::Cldr(formatter) => formatter.format_fixed_decimal(&value).to_string(),
            CurrencyFormat::NumberAndCode(code) => {
                format!("{}\u{a0}{code}", self.decimal.format(&value))
            }
        }
    }

    /// A quantity in thousandths, with as many decimals as it needs: `1.5`, `24`, `0,125`.
    pub(crate) fn quantity(&self, milli: i64) -> String {
        let mut value = Decimal::from(milli);
        value.multiply_pow10(-3);
        value.absolute.trim_end();
        self.decimal.format(&value).to_string()
    }

    /// A whole number (a page number, a count): `1.234`.
    pub(crate) fn integer(&self, value: i64) -> String {
        self.decimal.format(&Decimal::from(value)).to_string()
    }

    /// A tax rate in basis points, with as many decimals as it needs: `19 %`, `7,7 %`, `20%`.
    pub(crate) fn percent(&self, basis_points: u32) -> String {
        let mut value = Decimal::from(basis_points);
        value.multiply_pow10(-2);
        value.absolute.trim_end();
        self.percent.format(&value).to_string()
    }

    /// A calendar date: `26.11.2026`, `Nov 26, 2026`, `2026年11月26日`.
    pub(crate) fn date(&self, date: time::Date) -> String {
        // Every `time::Date` is a valid proleptic Gregorian date.
        match Date::try_new_gregorian(date.year(), u8::from(date.month()), date.day()) {
            Ok(date) => self.date.format(&date).to_string(),
            Err(_) => date.to_string(),
        }
    }

    fn currency_format(&self, code: &str, exponent: u8) -> Arc<CurrencyFormat> {
        let key = currency_key(code, exponent);
        if let Ok(known) = self.currencies.read()
            && let Some((_, format)) = known.iter().find(|(k, _)| *k == key)
        {
            return Arc::clone(format);
        }
        let format = Arc::new(self.build_currency_format(code, exponent));
        if let Ok(mut known) = self.currencies.write() {
            known.push((key, Arc::clone(&format)));
        }
        format
    }

    fn build_currency_format(&self, code: &str, exponent: u8) -> CurrencyFormat {
        let fallback = || CurrencyFormat::NumberAndCode(code.to_owned());
        let Ok(currency) = CurrencyType::try_from_str(code) else {
            return fallback();
        };
        let Ok(formatter) = CurrencyFormatter::try_new_symbol(
            (&self.identifier).into(),
            currency,
            Default::default(),
        ) else {
            return fallback();
        };
        // CLDR rounds to its own number of decimals for the currency: should the smallest
        // minor unit vanish, CLDR's pattern would misstate amounts.
        let smallest = formatter
            .format_fixed_decimal(&minor_units(1, exponent))
            .to_string();
        if smallest.contains('1') {
            CurrencyFormat::Cldr(Box::new(formatter))
        } else {
            fallback()
        }
    }
}

fn currency_key(code: &str, exponent: u8) -> CurrencyKey {
    let mut key = [0; 3];
    for (slot, byte) in key.iter_mut().zip(code.bytes()) {
        *slot = byte;
    }
    (key, exponent)
}

/// `minor` units with `exponent` decimals as a decimal with exactly that many fraction digits.
fn minor_units(minor: i64, exponent: u8) -> Decimal {
    let mut value = Decimal::from(minor);
    let exponent = i16::from(exponent);
    value.multiply_pow10(-exponent);
    value.absolute.pad_end(-exponent);
    value
}
