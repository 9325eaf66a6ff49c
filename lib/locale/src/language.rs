//! The languages paperflow prints invoices in, chosen by the document's BCP 47 `language` tag.
//!
//! A tag is accepted when it is well-formed BCP 47 and its primary language subtag is one of
//! the ten paperflow has translations for; the region (`de-CH`, `en-GB`) is kept, because CLDR
//! formats numbers and dates by region (`1’234.56` in Switzerland, `26/11/2026` in Britain),
//! while the labels follow the language alone.

use std::fmt;
use std::str::FromStr;

use icu_locale_core::LanguageIdentifier;

/// A language paperflow has labels for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// English (`en`), the default.
    English,
    /// German (`de`).
    German,
    /// French (`fr`).
    French,
    /// Spanish (`es`).
    Spanish,
    /// Italian (`it`).
    Italian,
    /// Dutch (`nl`).
    Dutch,
    /// Portuguese (`pt`).
    Portuguese,
    /// Polish (`pl`).
    Polish,
    /// Swedish (`sv`).
    Swedish,
    /// Japanese (`ja`).
    Japanese,
}

impl Language {
    /// Every supported language, in the order an error message lists them.
    pub const ALL: [Language; 10] = [
        Language::English,
        Language::German,
        Language::French,
        Language::Spanish,
        Language::Italian,
        Language::Dutch,
        Language::Portuguese,
        Language::Polish,
        Language::Swedish,
        Language::Japanese,
    ];

    /// The ISO 639-1 code, the primary subtag of a BCP 47 tag: `"de"`.
    pub const fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::Dutch => "nl",
            Language::Portuguese => "pt",
            Language::Polish => "pl",
            Language::Swedish => "sv",
            Language::Japanese => "ja",
        }
    }

    /// The language of a two-letter code (`"de"`), in any case.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL
            .into_iter()
            .find(|language| language.code().eq_ignore_ascii_case(code))
    }

    /// The supported codes as an error message lists them: `"en, de, fr, …, ja"`.
    pub fn supported_list() -> String {
        Language::ALL.map(Language::code).join(", ")
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A document's language tag, checked: well-formed BCP 47 with a supported primary language.
///
/// Only the language and the region are kept (`de-Latn-CH-1996` becomes `de-CH`): script and
/// variants change nothing in the data paperflow prints, and fewer distinct tags keep the cache
/// of [`crate::Locale`]s small.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageTag {
    language: Language,
    /// The canonical form, `de` or `de-CH`.
    tag: String,
    identifier: LanguageIdentifier,
}

impl LanguageTag {
    /// Checks and canonicalises a BCP 47 tag: `"de-ch"` → `de-CH`.
    ///
    /// # Errors
    ///
    /// [`LanguageError`] when the tag is not BCP 47 or its language is not supported; its
    /// message names the rule and lists the supported languages.
    pub fn parse(tag: &str) -> Result<LanguageTag, LanguageError> {
        // A whole locale, so that a tag with extensions (`en-GB-u-ca-gregory`), which the
        // invoice's validation accepts, is accepted here too; only its language and region count.
        let parsed = icu_locale_core::Locale::try_from_str(tag)
            .map_err(|_| LanguageError {
                tag: tag.to_owned(),
                reason: LanguageErrorReason::NotBcp47,
            })?
            .id;
        let language =
            Language::from_code(parsed.language.as_str()).ok_or_else(|| LanguageError {
                tag: tag.to_owned(),
                reason: LanguageErrorReason::Unsupported,
            })?;
        let mut identifier = LanguageIdentifier::UNKNOWN;
        identifier.language = parsed.language;
        identifier.region = parsed.region;
        Ok(LanguageTag {
            language,
            tag: identifier.to_string(),
            identifier,
        })
    }

    /// The tag of a language without a region: `en`.
    pub fn of(language: Language) -> LanguageTag {
        // The ten codes are valid BCP 47 by construction.
        LanguageTag::parse(language.code()).unwrap_or_else(|_| unreachable!("{language}"))
    }

    /// The language whose labels are printed.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The canonical tag: `de-CH`.
    pub fn as_str(&self) -> &str {
        &self.tag
    }

    pub(crate) fn identifier(&self) -> &LanguageIdentifier {
        &self.identifier
    }
}

impl Default for LanguageTag {
    /// English, paperflow's default.
    fn default() -> Self {
        LanguageTag::of(Language::English)
    }
}

impl FromStr for LanguageTag {
    type Err = LanguageError;

    fn from_str(tag: &str) -> Result<Self, Self::Err> {
        LanguageTag::parse(tag)
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

/// A `language` that paperflow cannot print in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct LanguageError {
    /// The tag as the document gave it.
    pub tag: String,
    /// Which rule it broke.
    pub reason: LanguageErrorReason,
}

/// The rule a `language` tag broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageErrorReason {
    /// Not a well-formed BCP 47 language tag.
    NotBcp47,
    /// Well-formed, but its language has no translation.
    Unsupported,
}

impl LanguageError {
    fn message(&self) -> String {
        let supported = Language::supported_list();
        match self.reason {
            LanguageErrorReason::NotBcp47 => format!(
                "language {:?} is not a BCP 47 language tag (like \"de\" or \"de-CH\"); supported languages: {supported}",
                self.tag
            ),
            LanguageErrorReason::Unsupported => format!(
                "language {:?} is not supported; supported languages: {supported}",
                self.tag
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_keeps_language_and_region_in_canonical_case() {
        let tag = LanguageTag::parse("de-ch").expect("valid");
        assert_eq!(tag.as_str(), "de-CH");
        assert_eq!(tag.language(), Language::German);
        let tag = LanguageTag::parse("de-Latn-CH-1996").expect("valid");
        assert_eq!(tag.as_str(), "de-CH");
        let tag = LanguageTag::parse("en-GB-u-ca-gregory").expect("valid with an extension");
        assert_eq!(tag.as_str(), "en-GB");
        assert_eq!(LanguageTag::parse("JA").expect("valid").as_str(), "ja");
    }

    #[test]
    fn an_unsupported_language_lists_the_supported_ones() {
        let error = LanguageTag::parse("ko-KR").expect_err("Korean has no labels");
        assert_eq!(error.reason, LanguageErrorReason::Unsupported);
        assert_eq!(
            error.to_string(),
            "language \"ko-KR\" is not supported; supported languages: en, de, fr, es, it, nl, pt, pl, sv, ja"
        );
    }

    #[test]
    fn a_malformed_tag_is_not_bcp47() {
        for tag in ["", "de_DE!", "d", "12"] {
            let error = LanguageTag::parse(tag).expect_err(tag);
            assert_eq!(error.reason, LanguageErrorReason::NotBcp47, "{tag}");
            assert!(error.to_string().contains("supported languages: en, de"));
        }
    }
}
