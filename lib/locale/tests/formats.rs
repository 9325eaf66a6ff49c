//! CLDR's formats, pinned: a few strings per language as CLDR writes them, so that a data update
//! that changes what an invoice prints is seen.

use paperflow_locale::{Locale, LocaleError};
use time::{Date, Month};

const NBSP: char = '\u{a0}';
const NARROW_NBSP: char = '\u{202f}';

fn locale(tag: &str) -> std::sync::Arc<Locale> {
    Locale::for_tag(tag).unwrap_or_else(|error| panic!("{tag}: {error}"))
}

fn invoice_date() -> Date {
    Date::from_calendar_date(2026, Month::November, 26).expect("a date")
}

#[test]
fn euro_amounts_as_each_language_writes_them() {
    let cases = [
        ("en", "€1,234.56".to_owned()),
        ("de", format!("1.234,56{NBSP}€")),
        ("fr", format!("1{NARROW_NBSP}234,56{NBSP}€")),
        // CLDR groups four-digit numbers not at all in Spanish, Italian and Polish
        // (minimumGroupingDigits 2).
        ("es", format!("1234,56{NBSP}€")),
        ("it", format!("1234,56{NBSP}€")),
        ("pl", format!("1234,56{NBSP}€")),
        ("nl", format!("€{NBSP}1.234,56")),
        ("pt", format!("€{NBSP}1.234,56")),
        ("sv", format!("1{NBSP}234,56{NBSP}€")),
        ("ja", "€1,234.56".to_owned()),
    ];
    for (tag, expected) in cases {
        assert_eq!(locale(tag).money(123_456, "EUR", 2), expected, "{tag}");
    }
    assert_eq!(
        locale("es").money(1_234_567, "EUR", 2),
        format!("12.345,67{NBSP}€")
    );
}

#[test]
fn yen_have_no_decimals_and_japan_writes_the_fullwidth_sign() {
    assert_eq!(locale("ja").money(1235, "JPY", 0), "￥1,235");
    assert_eq!(locale("en").money(1235, "JPY", 0), "¥1,235");
    assert_eq!(locale("de").money(1235, "JPY", 0), format!("1.235{NBSP}¥"));
}

#[test]
fn swiss_francs_in_switzerland() {
    // CLDR's grouping separator for Switzerland is the ASCII apostrophe.
    assert_eq!(
        locale("de-CH").money(123_456, "CHF", 2),
        format!("CHF{NBSP}1'234.56")
    );
    assert_eq!(
        locale("fr-CH").money(123_456, "CHF", 2),
        format!("1'234,56{NBSP}CHF")
    );
}

#[test]
fn negative_amounts_keep_the_locale_pattern() {
    assert_eq!(locale("en").money(-123_456, "EUR", 2), "-€1,234.56");
    assert_eq!(
        locale("de").money(-123_456, "EUR", 2),
        format!("-1.234,56{NBSP}€")
    );
    // Swedish writes the real minus sign.
    assert_eq!(
        locale("sv").money(-5000, "SEK", 2),
        format!("\u{2212}50,00{NBSP}kr")
    );
}

#[test]
fn every_minor_unit_is_printed_with_the_currency_exponent() {
    assert_eq!(
        locale("en").money(1_234_567, "KWD", 3),
        format!("KWD{NBSP}1,234.567")
    );
    assert_eq!(locale("de").money(5, "EUR", 2), format!("0,05{NBSP}€"));
    assert_eq!(locale("de").money(500, "EUR", 2), format!("5,00{NBSP}€"));
    // CLDR writes IQD without decimals; ISO 4217 gives it three, and the invoice counts them.
    assert_eq!(
        locale("de").money(1_234_567, "IQD", 3),
        format!("1.234,567{NBSP}IQD")
    );
    assert_eq!(locale("en").amount(123_456, 2), "1,234.56");
    assert_eq!(locale("de").amount(-100, 2), "-1,00");
}

#[test]
fn quantities_have_the_decimals_they_need() {
    assert_eq!(locale("en").quantity(24_000), "24");
    assert_eq!(locale("de").quantity(1_500), "1,5");
    assert_eq!(
        locale("fr").quantity(1_234_125),
        format!("1{NARROW_NBSP}234,125")
    );
    assert_eq!(locale("en").quantity(-2_000), "-2");
    assert_eq!(locale("de").integer(12), "12");
}

#[test]
fn tax_rates_in_basis_points_as_percentages() {
    assert_eq!(locale("en").percent(2000), "20%");
    assert_eq!(locale("de").percent(1900), format!("19{NBSP}%"));
    assert_eq!(locale("de").percent(770), format!("7,7{NBSP}%"));
    assert_eq!(locale("fr").percent(550), format!("5,5{NBSP}%"));
    assert_eq!(locale("ja").percent(1000), "10%");
    assert_eq!(locale("en").percent(0), "0%");
    assert_eq!(locale("de-CH").percent(810), "8.1%");
}

#[test]
fn dates_as_invoices_in_each_language_write_them() {
    let cases = [
        ("en", "Nov 26, 2026"),
        ("en-GB", "26 Nov 2026"),
        ("de", "26.11.2026"),
        ("de-CH", "26.11.2026"),
        ("fr", "26/11/2026"),
        ("es", "26/11/2026"),
        ("it", "26/11/2026"),
        ("nl", "26-11-2026"),
        ("pt", "26/11/2026"),
        ("pl", "26.11.2026"),
        ("sv", "2026-11-26"),
        ("ja", "2026年11月26日"),
    ];
    for (tag, expected) in cases {
        assert_eq!(locale(tag).date(invoice_date()), expected, "{tag}");
    }
}

#[test]
fn one_locale_per_tag_is_built_and_shared() {
    let first = locale("pt-BR");
    let second = locale("pt-br");
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(first.tag().as_str(), "pt-BR");
}

#[test]
fn an_unsupported_language_is_an_error_naming_the_supported_ones() {
    let Err(LocaleError::Language(error)) = Locale::for_tag("zh-CN") else {
        panic!("zh-CN has no labels");
    };
    assert!(
        error
            .to_string()
            .ends_with("supported languages: en, de, fr, es, it, nl, pt, pl, sv, ja"),
        "{error}"
    );
}

#[test]
fn locales_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Locale>();
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(|| locale("it").money(100, "EUR", 2)))
        .collect();
    for handle in handles {
        assert_eq!(handle.join().expect("no panic"), format!("1,00{NBSP}€"));
    }
}
