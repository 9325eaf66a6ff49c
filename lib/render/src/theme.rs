//! A brand: the accent colour, the heading font, the footer text, the page margins and the logo
//! of a seller's documents, read from a theme's `theme.json` and its logo file.
//!
//! Nothing here reads a file or a bucket: the caller brings `theme.json`'s bytes, asks the parsed
//! [`ThemeFile`] which logo file it names, and brings that file's bytes too. Every value is
//! checked here, once, so that rendering with a [`Theme`] cannot fail because of it: an invalid
//! theme is refused with every problem named by its field and rule, never drawn half-styled.

pub(crate) mod logo;

pub use logo::{Logo, MAX_LOGO_BYTES, MAX_LOGO_PIXELS, MAX_LOGO_SIDE};

use crate::Weight;
use serde::Deserialize;

/// The file of a theme folder that describes it.
pub const THEME_FILE_NAME: &str = "theme.json";

/// The longest footer text, in characters: one line at the footer's size across an A4 page.
pub const MAX_FOOTER_CHARS: usize = 120;

/// The narrowest and widest margin at the top, left and right of a page, in millimetres.
pub const SIDE_MARGIN_MM: (f32, f32) = (10.0, 40.0);

/// The narrowest and widest margin at the bottom of a page, in millimetres: the footer is
/// printed inside it, so it needs more room than the others.
pub const BOTTOM_MARGIN_MM: (f32, f32) = (20.0, 40.0);

/// The faces a theme may name as `heading_font`: the bundled DejaVu Sans in its two weights.
pub const HEADING_FONTS: [(&str, Weight); 2] = [
    ("DejaVu Sans", Weight::Regular),
    ("DejaVu Sans Bold", Weight::Bold),
];

/// Points per millimetre.
const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// A colour with 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Whether text on this colour reads better white than black: WCAG's relative luminance
    /// below the point where both contrast ratios are equal.
    pub fn wants_light_text(self) -> bool {
        let linear = |channel: u8| {
            let value = f32::from(channel) / 255.0;
            if value <= 0.040_45 {
                value / 12.92
            } else {
                ((value + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2);
        luminance < 0.179
    }
}

/// The margins of every page, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Above the first line (and above the logo).
    pub top: f32,
    /// Right of the widest text.
    pub right: f32,
    /// Below the last line of the content; the footer is printed inside it.
    pub bottom: f32,
    /// Left of every text.
    pub left: f32,
}

impl Default for Margins {
    /// paperflow's margins without a theme.
    fn default() -> Margins {
        Margins {
            top: 48.0,
            right: 48.0,
            bottom: 64.0,
            left: 48.0,
        }
    }
}

/// A checked theme, ready to render with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Headings, the rules and the band behind the table's header.
    pub accent: Rgb,
    /// The weight of the face headings are set in.
    pub heading_weight: Weight,
    /// Printed at the foot of every page instead of the seller's name and VAT id.
    pub footer: Option<String>,
    /// The page margins.
    pub margins: Margins,
    /// Drawn in the header box of every page, embedded once.
    pub logo: Option<Logo>,
}

/// One thing wrong with a theme: the field (or file) and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeProblem {
    /// `accent_color`, `margins.top`, `logo`, … or `theme.json` for the file as a whole.
    pub field: String,
    /// What the field must be, and what it was.
    pub rule: String,
}

/// Why a theme was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    /// At least one.
    pub problems: Vec<ThemeProblem>,
}

impl ThemeError {
    fn one(field: &str, rule: impl Into<String>) -> ThemeError {
        ThemeError {
            problems: vec![ThemeProblem {
                field: field.to_owned(),
                rule: rule.into(),
            }],
        }
    }
}

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let listed: Vec<String> = self
            .problems
            .iter()
            .map(|problem| format!("{}: {}", problem.field, problem.rule))
            .collect();
        write!(f, "invalid theme: {}", listed.join("; "))
    }
}

impl std::error::Error for ThemeError {}

/// `theme.json` as written; every field is checked by [`ThemeFile::parse`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeJson {
    accent_color: String,
    heading_font: Option<String>,
    footer: Option<String>,
    logo: Option<String>,
    margins: Option<MarginsJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarginsJson {
    top: Option<f32>,
    right: Option<f32>,
    bottom: Option<f32>,
    left: Option<f32>,
}

/// A checked `theme.json`: everything of the theme but the logo's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeFile {
    accent: Rgb,
    heading_weight: Weight,
    footer: Option<String>,
    margins: Margins,
    logo_file: Option<String>,
}

impl ThemeFile {
    /// Parses and checks `theme.json`: unknown fields are refused; `accent_color` is `#RRGGBB`;
    /// `heading_font` one of [`HEADING_FONTS`] (default bold); `footer` one line of at most
    /// [`MAX_FOOTER_CHARS`] characters; `margins` (millimetres) within [`SIDE_MARGIN_MM`] and
    /// [`BOTTOM_MARGIN_MM`]; `logo` a PNG or JPEG file name in the theme's own folder.
    pub fn parse(json: &[u8]) -> Result<ThemeFile, ThemeError> {
        let written: ThemeJson = serde_json::from_slice(json)
            .map_err(|error| ThemeError::one(THEME_FILE_NAME, error.to_string()))?;
        let mut problems = Vec::new();
        let mut problem = |field: &str, rule: String| {
            problems.push(ThemeProblem {
                field: field.to_owned(),
                rule,
            })
        };

        let accent = parse_color(&written.accent_color)
            .map_err(|rule| problem("accent_color", rule))
            .unwrap_or(Rgb(0, 0, 0));
        let heading_weight = match written.heading_font.as_deref() {
            None => Weight::Bold,
            Some(name) => match HEADING_FONTS.iter().find(|(font, _)| *font == name) {
                Some((_, weight)) => *weight,
                None => {
                    let known: Vec<String> = HEADING_FONTS
                        .iter()
                        .map(|(font, _)| format!("{font:?}"))
                        .collect();
                    problem(
                        "heading_font",
                        format!("must be one of {} (is {name:?})", known.join(", ")),
                    );
                    Weight::Bold
                }
            },
        };
        if let Some(footer) = &written.footer
            && let Err(rule) = check_footer(footer)
        {
            problem("footer", rule);
        }
        if let Some(logo) = &written.logo
            && let Err(rule) = logo::check_file_name(logo)
        {
            problem("logo", rule);
        }
        let mut margins = Margins::default();
        if let Some(given) = &written.margins {
            let sides = [
                ("margins.top", given.top, SIDE_MARGIN_MM, &mut margins.top),
                (
                    "margins.right",
                    given.right,
                    SIDE_MARGIN_MM,
                    &mut margins.right,
                ),
                (
                    "margins.bottom",
                    given.bottom,
                    BOTTOM_MARGIN_MM,
                    &mut margins.bottom,
                ),
                (
                    "margins.left",
                    given.left,
                    SIDE_MARGIN_MM,
                    &mut margins.left,
                ),
            ];
            for (field, millimetres, (least, most), points) in sides {
                let Some(millimetres) = millimetres else {
                    continue;
                };
                if (least..=most).contains(&millimetres) {
                    *points = millimetres * POINTS_PER_MM;
                } else {
                    problem(
                        field,
                        format!("must be {least} to {most} mm (is {millimetres})"),
                    );
                }
            }
        }
        if !problems.is_empty() {
            return Err(ThemeError { problems });
        }
        Ok(ThemeFile {
            accent,
            heading_weight,
            footer: written.footer.filter(|footer| !footer.is_empty()),
            margins,
            logo_file: written.logo,
        })
    }

    /// The logo's file name, beside `theme.json` in the theme's folder, when it names one.
    pub fn logo_file(&self) -> Option<&str> {
        self.logo_file.as_deref()
    }

    /// The theme with its logo: `logo` is the content of [`ThemeFile::logo_file`], and must be
    /// given exactly when that names a file.
    pub fn with_logo(self, logo: Option<&[u8]>) -> Result<Theme, ThemeError> {
        let logo = match (&self.logo_file, logo) {
            (None, None) => None,
            (Some(_), Some(bytes)) => {
                Some(Logo::decode(bytes).map_err(|rule| ThemeError::one("logo", rule))?)
            }
            (Some(file), None) => {
                return Err(ThemeError::one(
                    "logo",
                    format!("names {file:?}, which is not in the theme's folder"),
                ));
            }
            (None, Some(_)) => {
                return Err(ThemeError::one(
                    "logo",
                    "a logo was given, but theme.json names none",
                ));
            }
        };
        Ok(Theme {
            accent: self.accent,
            heading_weight: self.heading_weight,
            footer: self.footer,
            margins: self.margins,
            logo,
        })
    }
}

/// `#RRGGBB`, hexadecimal digits in either case.
fn parse_color(text: &str) -> Result<Rgb, String> {
    let rule = || format!("must be a colour written #RRGGBB, e.g. \"#0B5FFF\" (is {text:?})");
    let digits = text.strip_prefix('#').ok_or_else(rule)?;
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(rule());
    }
    let channel = |at: usize| u8::from_str_radix(&digits[at..at + 2], 16).map_err(|_| rule());
    Ok(Rgb(channel(0)?, channel(2)?, channel(4)?))
}

fn check_footer(footer: &str) -> Result<(), String> {
    let chars = footer.chars().count();
    if chars > MAX_FOOTER_CHARS {
        return Err(format!(
            "must be at most {MAX_FOOTER_CHARS} characters (has {chars})"
        ));
    }
    if let Some(control) = footer.chars().find(|ch| ch.is_control()) {
        return Err(format!(
            "must be one line without control characters (has U+{:04X})",
            u32::from(control)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(json: &str) -> Vec<(String, String)> {
        match ThemeFile::parse(json.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(error) => error
                .problems
                .into_iter()
                .map(|problem| (problem.field, problem.rule))
                .collect(),
        }
    }

    fn fields(json: &str) -> Vec<String> {
        problems(json).into_iter().map(|(field, _)| field).collect()
    }

    #[test]
    fn the_designs_example_is_a_valid_theme() {
        let file = ThemeFile::parse(
            r##"{"accent_color": "#0B5FFF", "logo": "logo.png",
                 "footer": "Northwind Components GmbH · Hamburg", "heading_font": "DejaVu Sans Bold"}"##
                .as_bytes(),
        )
        .expect("valid");
        assert_eq!(file.accent, Rgb(0x0B, 0x5F, 0xFF));
        assert_eq!(file.heading_weight, Weight::Bold);
        assert_eq!(file.logo_file(), Some("logo.png"));
        assert_eq!(file.margins, Margins::default());
    }

    #[test]
    fn margins_are_millimetres_within_their_bounds() {
        let file = ThemeFile::parse(
            br##"{"accent_color": "#000000", "margins": {"top": 10, "bottom": 25.4}}"##,
        )
        .expect("valid");
        assert!((file.margins.top - 28.346).abs() < 0.01);
        assert!((file.margins.bottom - 72.0).abs() < 0.01);
        assert_eq!(file.margins.left, Margins::default().left);

        let refused = problems(
            r##"{"accent_color": "#000000", "margins": {"top": 9.9, "right": 41, "bottom": 15, "left": -1}}"##,
        );
        let refused_fields: Vec<&str> = refused.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(
            refused_fields,
            [
                "margins.top",
                "margins.right",
                "margins.bottom",
                "margins.left"
            ]
        );
        assert_eq!(refused[2].1, "must be 20 to 40 mm (is 15)");
    }

    #[test]
    fn an_accent_colour_must_be_six_hex_digits() {
        for bad in ["0B5FFF", "#0B5FF", "#0B5FFFF", "#0G5FFF", "blue", "#+1+2+3"] {
            let json = format!(r#"{{"accent_color": "{bad}"}}"#);
            assert_eq!(fields(&json), ["accent_color"], "{bad}");
        }
        let file = ThemeFile::parse(br##"{"accent_color": "#0b5fff"}"##).expect("lower case");
        assert_eq!(file.accent, Rgb(0x0B, 0x5F, 0xFF));
    }

    #[test]
    fn a_heading_font_must_be_a_bundled_face() {
        let refused = problems(r##"{"accent_color": "#000000", "heading_font": "Comic Sans"}"##);
        assert_eq!(refused[0].0, "heading_font");
        assert!(refused[0].1.contains("\"DejaVu Sans Bold\""), "{refused:?}");
        let regular =
            ThemeFile::parse(br##"{"accent_color": "#000000", "heading_font": "DejaVu Sans"}"##)
                .expect("valid");
        assert_eq!(regular.heading_weight, Weight::Regular);
    }

    #[test]
    fn a_footer_is_one_bounded_line() {
        let long = "x".repeat(MAX_FOOTER_CHARS + 1);
        let json = format!(r##"{{"accent_color": "#000000", "footer": "{long}"}}"##);
        assert_eq!(fields(&json), ["footer"]);
        assert_eq!(
            fields(r##"{"accent_color": "#000000", "footer": "two\nlines"}"##),
            ["footer"]
        );
    }

    #[test]
    fn a_logo_is_a_png_or_jpeg_file_beside_theme_json() {
        for bad in ["../logo.png", "brand/logo.png", "logo.gif", "", ".png"] {
            let json = format!(r##"{{"accent_color": "#000000", "logo": "{bad}"}}"##);
            assert_eq!(fields(&json), ["logo"], "{bad}");
        }
        for good in ["logo.png", "Logo.JPG", "mark.jpeg"] {
            let json = format!(r##"{{"accent_color": "#000000", "logo": "{good}"}}"##);
            assert!(problems(&json).is_empty(), "{good}");
        }
    }

    #[test]
    fn unknown_fields_and_missing_colour_are_refused_naming_them() {
        let refused = problems(r##"{"accent_color": "#000000", "accent_colour": "#111111"}"##);
        assert_eq!(refused[0].0, "theme.json");
        assert!(
            refused[0].1.contains("unknown field `accent_colour`"),
            "{refused:?}"
        );
        let refused = problems(r#"{"footer": "x"}"#);
        assert!(
            refused[0].1.contains("missing field `accent_color`"),
            "{refused:?}"
        );
        assert_eq!(fields("not json"), ["theme.json"]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let json = r##"{"accent_color": "red", "heading_font": "Arial", "logo": "x.bmp"}"##;
        assert_eq!(fields(json), ["accent_color", "heading_font", "logo"]);
    }

    #[test]
    fn a_named_logo_must_be_given_and_one_not_named_refused() {
        let named = ThemeFile::parse(br##"{"accent_color": "#000000", "logo": "logo.png"}"##)
            .expect("valid");
        let error = named.with_logo(None).expect_err("missing logo");
        assert_eq!(error.problems[0].field, "logo");
        assert!(error.to_string().contains("\"logo.png\""), "{error}");
        let unnamed = ThemeFile::parse(br##"{"accent_color": "#000000"}"##).expect("valid");
        assert!(
            unnamed
                .clone()
                .with_logo(None)
                .expect("no logo")
                .logo
                .is_none()
        );
        assert!(unnamed.with_logo(Some(b"\x89PNG")).is_err());
    }

    #[test]
    fn light_accents_get_dark_text_and_dark_ones_light_text() {
        assert!(Rgb(0x0B, 0x5F, 0xFF).wants_light_text());
        assert!(Rgb(0, 0, 0).wants_light_text());
        assert!(!Rgb(0xFF, 0xEE, 0x00).wants_light_text());
        assert!(!Rgb(0xFF, 0xFF, 0xFF).wants_light_text());
    }
}
