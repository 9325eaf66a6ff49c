//! Themes as the renderers use them: read from a [`ThemeSource`] once per warm container, kept
//! with their version tags, and asked again only whether they changed.
//!
//! A theme is two files, `themes/{name}/theme.json` and the logo it names. The first use of a
//! theme reads both whole; a use more than [`REVALIDATE_AFTER`] later asks for each with its
//! ETag (`If-None-Match`), and a `304 Not Modified` for both keeps the checked theme without
//! reading or decoding anything. A changed file reads the theme again. Within
//! [`REVALIDATE_AFTER`] the theme is used as it is, without a request
//! (docs/DECISIONS.md, "themes").
//!
//! A theme that does not exist is a permanent `theme_missing`, one that breaks a rule a
//! permanent `theme_invalid` naming the field and the rule: the invoice is never rendered
//! half-branded or without the brand it asked for.

use crate::failure::RecordFailure;
use crate::ports::{ConditionalRead, DependencyError, ThemeSource};
use crate::store::layout::theme_file_key;
use paperflow_invoice::ThemeName;
use paperflow_render::theme::THEME_FILE_NAME;
use paperflow_render::{Theme, ThemeFile};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a theme is used without asking whether it changed: an edited theme reaches every
/// warm container within a minute, and a busy container asks once a minute, not per invoice.
pub const REVALIDATE_AFTER: Duration = Duration::from_secs(60);

/// How a theme was had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Read whole: its first use in this container, or it had changed.
    Read,
    /// Asked whether it changed, and answered `304 Not Modified` for every file.
    Revalidated,
    /// Used from memory, without a request: checked less than the revalidation interval ago.
    Cached,
}

/// A theme ready to render with, and how it was had.
#[derive(Debug, Clone)]
pub struct LoadedTheme {
    /// The checked theme.
    pub theme: Arc<Theme>,
    /// Whether it was read, revalidated or used from memory.
    pub freshness: Freshness,
}

/// Why a document's theme cannot be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThemeFailure {
    /// No `themes/{name}/theme.json`: permanent `theme_missing`.
    Missing(String),
    /// A file breaks a rule, named with its field: permanent `theme_invalid`.
    Invalid(String),
    /// The source failed: as any dependency's failure.
    Dependency(DependencyError),
}

impl ThemeFailure {
    /// The stable code of a failure of the theme itself.
    pub const MISSING: &'static str = "theme_missing";
    /// The stable code of a theme that breaks a rule.
    pub const INVALID: &'static str = "theme_invalid";
}

impl std::fmt::Display for ThemeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThemeFailure::Missing(message) | ThemeFailure::Invalid(message) => f.write_str(message),
            ThemeFailure::Dependency(error) => error.fmt(f),
        }
    }
}

impl From<DependencyError> for ThemeFailure {
    fn from(error: DependencyError) -> ThemeFailure {
        ThemeFailure::Dependency(error)
    }
}

impl From<ThemeFailure> for RecordFailure {
    /// A theme that is missing or invalid is the document's fault: permanent. A source that
    /// failed is a dependency's failure (transient or misconfigured).
    fn from(failure: ThemeFailure) -> RecordFailure {
        match failure {
            ThemeFailure::Missing(message) => {
                RecordFailure::permanent(ThemeFailure::MISSING, message)
            }
            ThemeFailure::Invalid(message) => {
                RecordFailure::permanent(ThemeFailure::INVALID, message)
            }
            ThemeFailure::Dependency(error) => error.into(),
        }
    }
}

/// One theme as kept: the checked theme and the versions of the files it was made from.
#[derive(Clone)]
struct Kept {
    theme: Arc<Theme>,
    /// `(key, etag)` of theme.json and, when it names one, of the logo.
    files: Vec<(String, String)>,
    checked: Instant,
}

/// The themes of one container, by name.
pub struct ThemeCache {
    kept: Mutex<HashMap<String, Kept>>,
    revalidate_after: Duration,
}

impl Default for ThemeCache {
    fn default() -> ThemeCache {
        ThemeCache::new(REVALIDATE_AFTER)
    }
}

impl ThemeCache {
    /// A cache that uses a theme for `revalidate_after` before asking whether it changed
    /// ([`REVALIDATE_AFTER`] in the functions; tests ask every time with zero).
    pub fn new(revalidate_after: Duration) -> ThemeCache {
        ThemeCache {
            kept: Mutex::new(HashMap::new()),
            revalidate_after,
        }
    }

    /// The theme `name` from `source`: kept, revalidated, or read.
    ///
    /// # Errors
    ///
    /// The theme is missing or invalid, or the source failed.
    pub async fn theme<T: ThemeSource>(
        &self,
        source: &T,
        name: &ThemeName,
    ) -> Result<LoadedTheme, ThemeFailure> {
        let kept = self.kept(name);
        if let Some(kept) = &kept {
            if kept.checked.elapsed() < self.revalidate_after {
                return Ok(LoadedTheme {
                    theme: Arc::clone(&kept.theme),
                    freshness: Freshness::Cached,
                });
            }
            if unchanged(source, &kept.files).await? {
                self.keep(name, kept.theme.clone(), kept.files.clone());
                return Ok(LoadedTheme {
                    theme: Arc::clone(&kept.theme),
                    freshness: Freshness::Revalidated,
                });
            }
        }
        let (theme, files) = read(source, name).await?;
        let theme = Arc::new(theme);
        self.keep(name, Arc::clone(&theme), files);
        Ok(LoadedTheme {
            theme,
            freshness: Freshness::Read,
        })
    }

    fn kept(&self, name: &ThemeName) -> Option<Kept> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name.as_str())
            .cloned()
    }

    fn keep(&self, name: &ThemeName, theme: Arc<Theme>, files: Vec<(String, String)>) {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(
                name.as_str().to_owned(),
                Kept {
                    theme,
                    files,
                    checked: Instant::now(),
                },
            );
    }
}

/// Whether every file is still the version kept (each asked with `If-None-Match`).
async fn unchanged<T: ThemeSource>(
    source: &T,
    files: &[(String, String)],
) -> Result<bool, ThemeFailure> {
    for (key, etag) in files {
        if source.get_if_changed(key, Some(etag)).await? != ConditionalRead::Unchanged {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads and checks the theme `name` whole, with the versions of its files.
async fn read<T: ThemeSource>(
    source: &T,
    name: &ThemeName,
) -> Result<(Theme, Vec<(String, String)>), ThemeFailure> {
    let invalid = |rule: String| {
        ThemeFailure::Invalid(format!("theme {:?} is invalid: {rule}", name.as_str()))
    };
    let json_key = theme_file_key(name.as_str(), THEME_FILE_NAME);
    let (json, json_etag) = match source.get_if_changed(&json_key, None).await? {
        ConditionalRead::Changed { body, etag } => (body, etag),
        ConditionalRead::Missing | ConditionalRead::Unchanged => {
            return Err(ThemeFailure::Missing(format!(
                "theme {:?} does not exist: there is no {json_key} in the documents bucket",
                name.as_str()
            )));
        }
    };
    let file = ThemeFile::parse(&json).map_err(|error| invalid(problems(&error)))?;
    let mut files = vec![(json_key, json_etag)];
    let logo = match file.logo_file() {
        Some(logo_file) => {
            let logo_key = theme_file_key(name.as_str(), logo_file);
            match source.get_if_changed(&logo_key, None).await? {
                ConditionalRead::Changed { body, etag } => {
                    files.push((logo_key, etag));
                    Some(body)
                }
                ConditionalRead::Missing | ConditionalRead::Unchanged => None,
            }
        }
        None => None,
    };
    let theme = file
        .with_logo(logo.as_deref())
        .map_err(|error| invalid(problems(&error)))?;
    Ok((theme, files))
}

/// Every problem of a refused theme, `field: rule; …`.
fn problems(error: &paperflow_render::ThemeError) -> String {
    error
        .problems
        .iter()
        .map(|problem| format!("{}: {}", problem.field, problem.rule))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use crate::ports::{DependencyError, NewObject};

    fn put(store: &MemoryStore, key: &str, body: &[u8]) {
        store.overwrite(NewObject {
            key: key.to_owned(),
            body: body.to_vec(),
            content_type: "application/octet-stream".to_owned(),
            metadata: Default::default(),
        });
    }

    fn name(text: &str) -> ThemeName {
        text.parse().expect("valid name")
    }

    #[tokio::test]
    async fn a_missing_theme_is_a_permanent_failure_naming_it() {
        let failure: RecordFailure = ThemeCache::default()
            .theme(&MemoryStore::new(), &name("northwind"))
            .await
            .expect_err("missing")
            .into();
        assert!(failure.is_permanent());
        assert_eq!(failure.code, "theme_missing");
        assert!(failure.message.contains("\"northwind\""), "{failure}");
        assert!(
            failure.message.contains("themes/northwind/theme.json"),
            "{failure}"
        );
    }

    #[tokio::test]
    async fn an_invalid_theme_is_a_permanent_failure_naming_field_and_rule() {
        let store = MemoryStore::new();
        put(
            &store,
            "themes/t/theme.json",
            br#"{"accent_color": "blue"}"#,
        );
        let failure: RecordFailure = ThemeCache::default()
            .theme(&store, &name("t"))
            .await
            .expect_err("invalid")
            .into();
        assert!(failure.is_permanent());
        assert_eq!(failure.code, "theme_invalid");
        assert!(
            failure.message.contains("accent_color: must be"),
            "{failure}"
        );
    }

    #[tokio::test]
    async fn a_theme_is_read_once_then_revalidated_and_read_again_when_changed() {
        let store = MemoryStore::new();
        put(
            &store,
            "themes/t/theme.json",
            br##"{"accent_color": "#0B5FFF"}"##,
        );
        let cache = ThemeCache::new(Duration::ZERO);
        let first = cache.theme(&store, &name("t")).await.expect("theme");
        assert_eq!(first.freshness, Freshness::Read);
        let second = cache.theme(&store, &name("t")).await.expect("theme");
        assert_eq!(second.freshness, Freshness::Revalidated);
        assert!(Arc::ptr_eq(&first.theme, &second.theme));
        put(
            &store,
            "themes/t/theme.json",
            br##"{"accent_color": "#FF0000"}"##,
        );
        let third = cache.theme(&store, &name("t")).await.expect("theme");
        assert_eq!(third.freshness, Freshness::Read);
        assert_eq!(third.theme.accent, paperflow_render::theme::Rgb(255, 0, 0));
    }

    #[tokio::test]
    async fn within_the_interval_a_theme_is_used_without_a_request() {
        let store = MemoryStore::new();
        put(
            &store,
            "themes/t/theme.json",
            br##"{"accent_color": "#0B5FFF"}"##,
        );
        let cache = ThemeCache::new(Duration::from_secs(3600));
        cache.theme(&store, &name("t")).await.expect("theme");
        // The store is down, and the theme is still used until the interval is over.
        store.fail_with(Some(DependencyError {
            service: "s3",
            retryable: true,
            message: "down".to_owned(),
        }));
        let kept = cache.theme(&store, &name("t")).await.expect("kept");
        assert_eq!(kept.freshness, Freshness::Cached);
    }
}
