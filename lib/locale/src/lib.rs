//! paperflow's languages: what an invoice says, and how it writes numbers, money and dates.
//!
//! A [`Locale`] is everything the renderer needs to print a document in one language: the
//! translated texts of a Fluent catalogue ([`Message`], one `.ftl` file per language under
//! `messages/`, for translators to edit) and CLDR's formats through ICU4X's compiled data
//! (`1.234,56 €`, `19 %`, `26.11.2026`). [`Locale::for_tag`] builds one per language tag once and
//! then hands out the same one, because building the formatters is the expensive part.
//!
//! The crate does no I/O: the catalogues are compiled in, and so is the CLDR data.
//!
//! ```
//! use paperflow_locale::{Locale, Message};
//!
//! let locale = Locale::for_tag("de").unwrap();
//! assert_eq!(locale.text(Message::BillTo), "RECHNUNG AN");
//! assert_eq!(locale.money(123_456, "EUR", 2), "1.234,56\u{a0}€");
//! assert_eq!(locale.message(Message::PageOf, &[("page", "1"), ("pages", "2")]), "Seite 1 von 2");
//! ```

mod catalogue;
mod format;
mod language;
mod message;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

pub use catalogue::{CatalogueError, QrBillLanguage, invoice_source};
pub use format::FormatDataError;
pub use language::{Language, LanguageError, LanguageErrorReason, LanguageTag};
pub use message::{Message, QrBillText};

use catalogue::Catalogue;
use format::Formats;

/// Everything needed to print a document in one language: texts and formats.
///
/// Cheap to use, costly to build: take it from [`Locale::for_tag`] (or [`Locale::get`]), which
/// keeps one per tag.
#[derive(Debug)]
pub struct Locale {
    tag: LanguageTag,
    messages: Catalogue,
    qr_bill: Catalogue,
    formats: Formats,
}

/// Why a [`Locale`] could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LocaleError {
    /// The document's `language` is not one paperflow prints in.
    #[error(transparent)]
    Language(#[from] LanguageError),
    /// A catalogue does not parse (ruled out by the tests for the shipped files).
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    /// CLDR has no data for the locale (ruled out by the tests for the supported languages).
    #[error(transparent)]
    FormatData(#[from] FormatDataError),
}

/// How many locales [`Locale::get`] keeps. Each region of a language is its own locale, and a
/// stream of documents with made-up regions must not grow the cache without end; past the
/// bound, a locale is built for the caller and not kept.
const CACHED_LOCALES: usize = 64;

fn cache() -> &'static RwLock<HashMap<String, Arc<Locale>>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Arc<Locale>>>> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

impl Locale {
    /// The locale of a BCP 47 tag (`"de"`, `"de-CH"`), built on first use and then shared.
    ///
    /// # Errors
    ///
    /// [`LocaleError::Language`] when the tag is malformed or its language unsupported; the
    /// message lists the supported languages.
    pub fn for_tag(tag: &str) -> Result<Arc<Locale>, LocaleError> {
        Locale::get(&LanguageTag::parse(tag)?)
    }

    /// The locale of a checked tag, built on first use and then shared.
    ///
    /// # Errors
    ///
    /// Only when a shipped catalogue or CLDR's data is broken, which the tests rule out.
    pub fn get(tag: &LanguageTag) -> Result<Arc<Locale>, LocaleError> {
        if let Ok(cache) = cache().read()
            && let Some(locale) = cache.get(tag.as_str())
        {
            return Ok(Arc::clone(locale));
        }
        let locale = Arc::new(Locale::new(tag)?);
        if let Ok(mut cache) = cache().write()
            && cache.len() < CACHED_LOCALES
        {
            // Two threads may both have built it: keep the first, so that every caller
            // shares one.
            let kept = cache
                .entry(tag.as_str().to_owned())
                .or_insert_with(|| Arc::clone(&locale));
            return Ok(Arc::clone(kept));
        }
        Ok(locale)
    }

    /// Builds a locale that nobody else shares; [`Locale::get`] is what callers want.
    ///
    /// # Errors
    ///
    /// Only when a shipped catalogue or CLDR's data is broken, which the tests rule out.
    pub fn new(tag: &LanguageTag) -> Result<Locale, LocaleError> {
        let language = tag.language();
        let qr_bill = QrBillLanguage::for_language(language);
        Ok(Locale {
            tag: tag.clone(),
            messages: Catalogue::new(language.code(), invoice_source(language))?,
            qr_bill: Catalogue::new(qr_bill.code(), qr_bill.source())?,
            formats: Formats::new(tag)?,
        })
    }

    /// The tag the locale was made for: `de-CH`.
    pub fn tag(&self) -> &LanguageTag {
        &self.tag
    }

    /// The language of the texts.
    pub fn language(&self) -> Language {
        self.tag.language()
    }

    /// A text without arguments: `"RECHNUNG AN"`.
    ///
    /// A message that takes arguments comes back with Fluent's placeholders for them; use
    /// [`Locale::message`].
    pub fn text(&self, message: Message) -> String {
        self.message(message, &[])
    }

    /// A text with its arguments, given by name and already formatted:
    /// `message(Message::PageOf, &[("page", "1"), ("pages", "2")])` → `"Seite 1 von 2"`.
    ///
    /// Never fails: a missing argument shows as `{$name}`, and a message missing from the
    /// catalogue (which the tests rule out) as its key, so that a document still prints.
    pub fn message(&self, message: Message, args: &[(&str, &str)]) -> String {
        format_or_key(&self.messages, message.key(), args)
    }

    /// A fixed text of the Swiss QR-bill, in the QR-bill language of this locale
    /// ([`QrBillLanguage::for_language`]).
    pub fn qr_bill_text(&self, text: QrBillText) -> String {
        format_or_key(&self.qr_bill, text.key(), &[])
    }

    /// `minor` units of the currency `code` (ISO 4217) with `exponent` decimals, with its symbol
    /// where the locale puts it: `1.234,56 €` (de), `€1,234.56` (en), `￥1,235` (ja). A currency
    /// CLDR writes with fewer decimals than its exponent, or does not know, is written as the
    /// number and the code: `1.234,567\u{a0}IQD`.
    pub fn money(&self, minor: i64, code: &str, exponent: u8) -> String {
        self.formats.money(minor, code, exponent)
    }

    /// `minor` units with `exponent` decimals, without a currency (for a column whose heading
    /// names it): `1.234,56`.
    pub fn amount(&self, minor: i64, exponent: u8) -> String {
        self.formats.amount(minor, exponent)
    }

    /// A quantity in thousandths, with the decimals it needs: `1.500` → `1,5`.
    pub fn quantity(&self, milli: i64) -> String {
        self.formats.quantity(milli)
    }

    /// A whole number, such as a page number: `1.234`.
    pub fn integer(&self, value: i64) -> String {
        self.formats.integer(value)
    }

    /// A tax rate in basis points: `1900` → `19 %` (de), `19%` (en), `770` → `7,7 %`.
    pub fn percent(&self, basis_points: u32) -> String {
        self.formats.percent(basis_points)
    }

    /// A calendar date as invoices in the language write it: `26.11.2026` (de), `26/11/2026`
    /// (fr), `Nov 26, 2026` (en), `2026年11月26日` (ja).
    pub fn date(&self, date: time::Date) -> String {
        self.formats.date(date)
    }
}

fn format_or_key(catalogue: &Catalogue, key: &str, args: &[(&str, &str)]) -> String {
    match catalogue.format(key, args) {
        Some((text, _)) => text,
        None => key.to_owned(),
    }
}

/// Checks a catalogue source against the messages it must hold: each present with a value,
/// formatting without a Fluent error when given its arguments, and using every one of them
/// (a translation that drops the amount of a payment instruction is wrong, not shorter).
/// `messages` pairs each key with its argument names ([`Message::key`], [`Message::args`]).
///
/// # Errors
///
/// Every problem found, one after the other, or why the source does not parse.
pub fn check_catalogue(
    code: &str,
    source: &'static str,
    messages: &[(&'static str, &'static [&'static str])],
) -> Result<(), CatalogueError> {
    let catalogue = Catalogue::new(code, source)?;
    let mut problems = Vec::new();
    for (key, arg_names) in messages {
        // A value no translation contains, to see where each argument went.
        let samples: Vec<String> = arg_names.iter().map(|name| format!("⟦{name}⟧")).collect();
        let args: Vec<(&str, &str)> = arg_names
            .iter()
            .copied()
            .zip(samples.iter().map(String::as_str))
            .collect();
        match catalogue.format(key, &args) {
            None => problems.push(format!("{key}: missing")),
            Some((text, errors)) => {
                for error in errors {
                    problems.push(format!("{key}: {error}"));
                }
                for (name, sample) in &args {
                    if !text.contains(sample) {
                        problems.push(format!("{key}: does not use ${name}"));
                    }
                }
                if text.trim().is_empty() {
                    problems.push(format!("{key}: empty"));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CatalogueError {
            language: code.to_owned(),
            problems: problems.join("; "),
        })
    }
}
