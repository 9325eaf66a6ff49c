//! What printing in a language costs per call, with the locale already built (as in a warm
//! Lambda): the renderer formats a few dozen texts, amounts and dates per invoice, inside a
//! budget of 2 ms for a whole branded one-page German invoice.

use criterion::{Criterion, criterion_group, criterion_main};
use paperflow_locale::{Locale, Message};
use std::hint::black_box;

fn format(c: &mut Criterion) {
    let date = time::Date::from_calendar_date(2026, time::Month::November, 26).expect("a date");
    let de = Locale::for_tag("de").expect("de");

    c.bench_function("locale/for_tag de (cached)", |b| {
        b.iter(|| Locale::for_tag(black_box("de")).expect("de"))
    });
    c.bench_function("locale/money de EUR", |b| {
        b.iter(|| de.money(black_box(123_456), "EUR", 2))
    });
    c.bench_function("locale/amount de", |b| {
        b.iter(|| de.amount(black_box(123_456), 2))
    });
    c.bench_function("locale/percent de", |b| {
        b.iter(|| de.percent(black_box(1_900)))
    });
    c.bench_function("locale/quantity de", |b| {
        b.iter(|| de.quantity(black_box(1_500)))
    });
    c.bench_function("locale/date de", |b| b.iter(|| de.date(black_box(date))));
    c.bench_function("locale/text de", |b| {
        b.iter(|| de.text(black_box(Message::BillTo)))
    });
    c.bench_function("locale/message de page of", |b| {
        b.iter(|| de.message(black_box(Message::PageOf), &[("page", "1"), ("pages", "2")]))
    });
    // What one-page German invoice asks for: about 25 texts, 40 amounts, 12 quantities,
    // 14 rates and 3 dates.
    c.bench_function("locale/one German invoice's worth", |b| {
        b.iter(|| {
            let mut length = 0;
            for message in Message::ALL.iter().take(25) {
                length += de.text(*message).len();
            }
            for amount in 0..40 {
                length += de.money(black_box(87_827 * amount), "EUR", 2).len();
            }
            for quantity in 0..12 {
                length += de.quantity(black_box(24_000 + quantity)).len();
                length += de.percent(black_box(1_900)).len();
            }
            for _ in 0..3 {
                length += de.date(black_box(date)).len();
            }
            length
        })
    });
    c.bench_function("locale/build de-AT (uncached)", |b| {
        let tag = paperflow_locale::LanguageTag::parse("de-AT").expect("de-AT");
        b.iter(|| Locale::new(black_box(&tag)).expect("de-AT"))
    });
}

criterion_group!(benches, format);
criterion_main!(benches);
