//! The message catalogues: Fluent files a translator edits, compiled into the binary.
//!
//! `messages/{language}.ftl` holds the invoice's texts in each supported language;
//! `messages/qr-bill/{de,fr,it,en}.ftl` holds the fixed texts of the Swiss QR-bill, which the
//! SIX Implementation Guidelines prescribe word for word in those four languages only (every
//! other language prints the English ones).

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

use crate::language::Language;

/// The source of a language's invoice catalogue.
pub fn invoice_source(language: Language) -> &'static str {
    match language {
        Language::English => include_str!("../messages/en.ftl"),
        Language::German => include_str!("../messages/de.ftl"),
        Language::French => include_str!("../messages/fr.ftl"),
        Language::Spanish => include_str!("../messages/es.ftl"),
        Language::Italian => include_str!("../messages/it.ftl"),
        Language::Dutch => include_str!("../messages/nl.ftl"),
        Language::Portuguese => include_str!("../messages/pt.ftl"),
        Language::Polish => include_str!("../messages/pl.ftl"),
        Language::Swedish => include_str!("../messages/sv.ftl"),
        Language::Japanese => include_str!("../messages/ja.ftl"),
    }
}

/// A language the Swiss QR-bill's texts exist in (SIX IG QR-bill 2.x, Annex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrBillLanguage {
    /// German.
    German,
    /// French.
    French,
    /// Italian.
    Italian,
    /// English, also for every language SIX has no texts for.
    English,
}

impl QrBillLanguage {
    /// Every QR-bill language.
    pub const ALL: [QrBillLanguage; 4] = [
        QrBillLanguage::German,
        QrBillLanguage::French,
        QrBillLanguage::Italian,
        QrBillLanguage::English,
    ];

    /// The QR-bill language an invoice in `language` uses: its own where SIX has it,
    /// English otherwise.
    pub fn for_language(language: Language) -> QrBillLanguage {
        match language {
            Language::German => QrBillLanguage::German,
            Language::French => QrBillLanguage::French,
            Language::Italian => QrBillLanguage::Italian,
            _ => QrBillLanguage::English,
        }
    }

    /// The language's code: `"de"`.
    pub fn code(self) -> &'static str {
        match self {
            QrBillLanguage::German => "de",
            QrBillLanguage::French => "fr",
            QrBillLanguage::Italian => "it",
            QrBillLanguage::English => "en",
        }
    }

    /// The source of the language's QR-bill catalogue.
    pub fn source(self) -> &'static str {
        match self {
            QrBillLanguage::German => include_str!("../messages/qr-bill/de.ftl"),
            QrBillLanguage::French => include_str!("../messages/qr-bill/fr.ftl"),
            QrBillLanguage::Italian => include_str!("../messages/qr-bill/it.ftl"),
            QrBillLanguage::English => include_str!("../messages/qr-bill/en.ftl"),
        }
    }
}

/// One language's texts, ready to format.
pub(crate) struct Catalogue {
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("locales", &self.bundle.locales)
            .finish_non_exhaustive()
    }
}

/// A catalogue file that Fluent cannot read: a translator's mistake, caught by the tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("messages for {language}: {problems}")]
pub struct CatalogueError {
    /// The language of the file.
    pub language: String,
    /// What Fluent reported, one problem after the other.
    pub problems: String,
}

impl Catalogue {
    /// Parses the catalogue `source` of the language `code`.
    pub(crate) fn new(code: &str, source: &'static str) -> Result<Catalogue, CatalogueError> {
        let error = |problems: String| CatalogueError {
            language: code.to_owned(),
            problems,
        };
        let resource = FluentResource::try_new(source.to_owned())
            .map_err(|(_, errors)| error(format!("{errors:?}")))?;
        let identifier: LanguageIdentifier = code.parse().map_err(|e| error(format!("{e:?}")))?;
        let mut bundle = FluentBundle::new_concurrent(vec![identifier]);
        // No Unicode isolation marks around arguments: the renderer orders bidirectional text
        // itself, and the marks would show as boxes in fonts that lack them.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|errors| error(format!("{errors:?}")))?;
        Ok(Catalogue { bundle })
    }

    /// The message `key` with `args`, and the problems Fluent found while formatting it (a
    /// missing argument shows as `{$name}` in the text); `None` when there is no such message.
    pub(crate) fn format(&self, key: &str, args: &[(&str, &str)]) -> Option<(String, Vec<String>)> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let fluent_args = (!args.is_empty()).then(|| {
            let mut fluent_args = FluentArgs::with_capacity(args.len());
            for (name, value) in args {
                fluent_args.set(*name, *value);
            }
            fluent_args
        });
        let mut errors = Vec::new();
        let text: Cow<'_, str> =
            self.bundle
                .format_pattern(pattern, fluent_args.as_ref(), &mut errors);
        let problems = errors.iter().map(ToString::to_string).collect();
        Some((text.into_owned(), problems))
    }
}
