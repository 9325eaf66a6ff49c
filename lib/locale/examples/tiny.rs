//! The smallest program that prints with paperflow-locale: what the crate adds to a binary.
//!
//! `cargo build --release -p paperflow-locale --example tiny` and compare its size with
//! `--example baseline`, the same program without the crate (docs/DECISIONS.md has the figures).

use paperflow_locale::{Locale, Message};

fn main() {
    let tag = std::env::args().nth(1).unwrap_or_else(|| "de".to_owned());
    let locale = match Locale::for_tag(&tag) {
        Ok(locale) => locale,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let date =
        time::Date::from_calendar_date(2026, time::Month::November, 26).unwrap_or(time::Date::MIN);
    println!("{}", locale.text(Message::InvoiceTitle));
    println!("{}", locale.money(123_456, "EUR", 2));
    println!("{}", locale.quantity(1_500));
    println!("{}", locale.percent(1_900));
    println!("{}", locale.date(date));
}
