//! The same program as `tiny`, without paperflow-locale: the baseline of the size comparison.

fn main() {
    let tag = std::env::args().nth(1).unwrap_or_else(|| "de".to_owned());
    let date =
        time::Date::from_calendar_date(2026, time::Month::November, 26).unwrap_or(time::Date::MIN);
    println!("{tag}");
    println!("{}", 123_456);
    println!("{}", 1_500);
    println!("{}", 1_900);
    println!("{date}");
}
