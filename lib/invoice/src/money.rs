//! Money, quantities, tax rates and the arithmetic that turns lines into totals.
//!
//! # Representation
//!
//! - An amount is an `i64` count of **minor units** of the invoice currency
//!   (cents for EUR, yen for JPY, fils for KWD): ISO 4217 gives each currency
//!   its exponent (EUR 2, JPY 0, KWD 3). No floating point is ever used for
//!   money.
//! - A [`Quantity`] is an `i64` count of **thousandths** (a quantity has at
//!   most 3 decimals).
//! - A [`TaxRate`] is a `u32` count of **basis points** (2000 = 20 %,
//!   770 = 7.7 %).
//!
//! # Arithmetic
//!
//! Every product is computed in `i128` with checked operations, and every
//! result is rounded **half away from zero** to a whole minor unit
//! ("commercial rounding", the rule of EN 16931 and of most tax authorities;
//! for positive amounts it is the familiar half-up, and a returned item's
//! negative net rounds as the mirror image of the positive one). The totals
//! are those of EN 16931 ([`compute_totals`]):
//!
//! 1. line net (BT-131) = `quantity_milli × unit_price_minor / 1000`, rounded
//!    ([`line_net_minor`]);
//! 2. sum of line nets (BT-106), of document-level allowances (BT-107) and of
//!    charges (BT-108), exact; total without tax (BT-109) = BT-106 − BT-107 +
//!    BT-108;
//! 3. the lines, allowances and charges are grouped by (tax rate, VAT
//!    category) (BG-23); a group's basis (BT-116) is the exact sum of its
//!    lines' nets plus its charges minus its allowances;
//! 4. a group's tax (BT-117) = `basis × rate_bp / 10000`, rounded **once per
//!    group**, never per line ([`tax_minor`]); the invoice's tax (BT-110) is
//!    the sum of the groups' tax;
//! 5. total with tax (BT-112) = BT-109 + BT-110; amount due (BT-115) =
//!    BT-112 − the amount paid already (BT-113).
//!
//! Groups are ordered by rate, then category (S, Z, E, AE, K, G, O, L, M),
//! so a first-version invoice (S above 0 %, Z at 0 %) keeps one group per
//! rate in ascending order, as before.
//!
//! Every amount (unit price, line net, allowance, charge, group basis, tax,
//! totals, amount due) must stay within [`MAX_AMOUNT_MINOR`]; passing it is
//! an error, never a wrap or a panic.

use std::collections::BTreeMap;
use std::fmt;

use crate::limits::MAX_AMOUNT_MINOR;
use crate::model::{AllowanceCharge, Line, TaxCategory, TaxGroup, Totals};

/// The currency of an invoice: a current ISO 4217 currency with minor units.
///
/// Only [`Currency::from_code`] makes one, so funds (`BOV`), special units
/// (`XAU`, `XDR`, `XXX`) and superseded codes (`HRK`) never get this far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// The currency with this ISO 4217 alphabetic code (`"EUR"`).
    ///
    /// # Errors
    ///
    /// The text of the broken rule, ready to be reported: the code is not
    /// three uppercase letters, is no ISO 4217 code, was replaced by another
    /// currency (`"HRK was replaced by EUR"`), or is a fund or special unit
    /// that an invoice cannot be issued in.
    pub fn from_code(code: &str) -> Result<Currency, String> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err("must be 3 uppercase letters, an ISO 4217 currency code like EUR".into());
        }
        let Some(currency) = iso_currency::Currency::from_code(code) else {
            return Err("must be an ISO 4217 currency code, like EUR".into());
        };
        if let Some(successor) = currency.is_superseded() {
            return Err(format!("{code} was replaced by {}", successor.code()));
        }
        if currency.is_fund() || currency.is_special() {
            return Err(format!(
                "{code} is not a currency an invoice can be issued in"
            ));
        }
        match currency.exponent() {
            Some(exponent) if exponent <= 3 => Ok(Currency(currency)),
            _ => Err(format!(
                "{code} is not a currency an invoice can be issued in"
            )),
        }
    }

    /// The ISO 4217 alphabetic code, e.g. `"EUR"`.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// The English name, e.g. `"Euro"`.
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// How many decimals the minor unit has: EUR 2, JPY 0, KWD 3.
    pub fn exponent(&self) -> u8 {
        // `from_code` accepts only currencies with an exponent of at most 3.
        self.0
            .exponent()
            .and_then(|e| u8::try_from(e).ok())
            .unwrap_or(0)
    }

    /// The usual symbol, e.g. `"€"` (`"¤"` when the currency has none).
    pub fn symbol(&self) -> String {
        self.0.symbol().symbol
    }

    /// The amount alone, with `,` between thousands and `.` before the
    /// minor digits: EUR `123456789` → `"1,234,567.89"`, JPY `1234` →
    /// `"1,234"`, KWD `1234` → `"1.234"`, EUR `-100` → `"-1.00"`.
    pub fn format_minor(&self, minor: i64) -> String {
        let exponent = usize::from(self.exponent());
        let digits = minor.unsigned_abs().to_string();
        // At least one digit before the decimal point.
        let digits = format!("{digits:0>width$}", width = exponent + 1);
        let (whole, fraction) = digits.split_at(digits.len() - exponent);
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
        if minor < 0 {
            out.push('-');
        }
        out.push_str(&group_thousands(whole));
        if exponent > 0 {
            out.push('.');
            out.push_str(fraction);
        }
        out
    }

    /// The amount preceded by the code: `"EUR 1,234,567.89"`.
    pub fn format_with_code(&self, minor: i64) -> String {
        format!("{} {}", self.code(), self.format_minor(minor))
    }
}

impl fmt::Display for Currency {
    /// The ISO 4217 code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A quantity with at most three decimals, kept as thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(i64);

impl Quantity {
    /// The quantity of `milli` thousandths: `from_milli(1500)` is 1.5.
    pub fn from_milli(milli: i64) -> Quantity {
        Quantity(milli)
    }

    /// The quantity in thousandths.
    pub fn milli(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    /// Thousands grouped, no trailing zeros: `"24"`, `"1.5"`, `"0.125"`,
    /// `"1,250"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        if self.0 < 0 {
            f.write_str("-")?;
        }
        f.write_str(&group_thousands(&(abs / 1000).to_string()))?;
        let fraction = abs % 1000;
        if fraction != 0 {
            let digits = format!("{fraction:03}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        Ok(())
    }
}

/// A tax rate, kept in basis points (hundredths of a percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaxRate(u32);

impl TaxRate {
    /// The rate of `bp` basis points: `from_basis_points(2000)` is 20 %.
    pub fn from_basis_points(bp: u32) -> TaxRate {
        TaxRate(bp)
    }

    /// The rate in basis points.
    pub fn basis_points(self) -> u32 {
        self.0
    }
}

impl fmt::Display for TaxRate {
    /// A percentage without trailing zeros: `"20%"`, `"7.7%"`, `"12.25%"`,
    /// `"0%"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let fraction = self.0 % 100;
        if fraction == 0 {
            write!(f, "{whole}%")
        } else {
            let digits = format!("{fraction:02}");
            write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
        }
    }
}

/// `digits` (ASCII digits only) with a `,` between each group of three.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `numerator / denominator` rounded half away from zero; `None` when
/// `denominator` is not positive.
fn div_round_half_away(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator <= 0 {
        return None;
    }
    let quotient = numerator.checked_div(denominator)?;
    let remainder = numerator.checked_rem(denominator)?;
    // |remainder| < denominator, so doubling it cannot overflow i128 for any
    // denominator used here; stay checked all the same.
    if remainder.checked_abs()?.checked_mul(2)? >= denominator {
        quotient.checked_add(numerator.signum())
    } else {
        Some(quotient)
    }
}

/// `amount` as an `i64` if its magnitude is at most [`MAX_AMOUNT_MINOR`].
fn within_limit(amount: i128) -> Option<i64> {
    if amount.checked_abs()? <= i128::from(MAX_AMOUNT_MINOR) {
        i64::try_from(amount).ok()
    } else {
        None
    }
}

/// The net amount of a line: `quantity × unit_price_minor`, rounded half away
/// from zero to the minor unit.
///
/// `None` when the result's magnitude passes [`MAX_AMOUNT_MINOR`].
///
/// ```
/// use paperflow_invoice::{line_net_minor, Quantity};
/// // 24 × 878.27 = 21,078.48
/// assert_eq!(line_net_minor(Quantity::from_milli(24_000), 87_827), Some(2_107_848));
/// // 0.001 × 5 minor units = 0.005 → 0; 0.001 × 500 = 0.5 → 1
/// assert_eq!(line_net_minor(Quantity::from_milli(1), 5), Some(0));
/// assert_eq!(line_net_minor(Quantity::from_milli(1), 500), Some(1));
/// ```
pub fn line_net_minor(quantity: Quantity, unit_price_minor: i64) -> Option<i64> {
    let product = i128::from(quantity.milli()).checked_mul(i128::from(unit_price_minor))?;
    within_limit(div_round_half_away(product, 1000)?)
}

/// The tax on `net_minor` at `rate`, rounded half away from zero to the minor
/// unit. Apply it once per rate group, to the group's net.
///
/// `None` when the result does not fit an `i64` (only possible with rates far
/// above 100 %); [`compute_totals`] checks it against [`MAX_AMOUNT_MINOR`].
///
/// ```
/// use paperflow_invoice::{tax_minor, TaxRate};
/// // 20 % of 21,078.48 = 4,215.696 → 4,215.70
/// assert_eq!(tax_minor(2_107_848, TaxRate::from_basis_points(2000)), Some(421_570));
/// ```
pub fn tax_minor(net_minor: i64, rate: TaxRate) -> Option<i64> {
    let product = i128::from(net_minor).checked_mul(i128::from(rate.basis_points()))?;
    i64::try_from(div_round_half_away(product, 10_000)?).ok()
}

/// The totals of an invoice as EN 16931 defines them (see the module docs):
/// BT-106 from `lines`, BT-107 from `allowances`, BT-108 from `charges`,
/// BT-109, one BG-23 [`TaxGroup`] per (category, rate) in ascending order of
/// rate then category, BT-110, BT-112, BT-113 (`prepaid_minor`) and BT-115.
///
/// Sums the lines' `net_minor` (as [`line_net_minor`] computed them during
/// validation).
///
/// # Errors
///
/// The text of the broken rule when a line net, an allowance or charge, a
/// group's net or tax, or a total passes [`MAX_AMOUNT_MINOR`].
pub fn compute_totals(
    lines: &[Line],
    allowances: &[AllowanceCharge],
    charges: &[AllowanceCharge],
    prepaid_minor: i64,
) -> Result<Totals, String> {
    let limit = MAX_AMOUNT_MINOR;
    let mut groups: BTreeMap<(TaxRate, TaxCategory), i128> = BTreeMap::new();
    let mut add = |rate, category, amount: i128| -> Result<(), String> {
        let group = groups.entry((rate, category)).or_insert(0);
        *group = group
            .checked_add(amount)
            .ok_or_else(|| net_overflow(limit))?;
        Ok(())
    };

    let mut net: i128 = 0;
    for line in lines {
        let amount = checked_amount(line.net_minor, "a line amount")?;
        net = net.checked_add(amount).ok_or_else(|| net_overflow(limit))?;
        add(line.tax_rate, line.tax_category, amount)?;
    }
    let mut allowance_sum: i128 = 0;
    for allowance in allowances {
        let amount = checked_amount(allowance.amount_minor, "an allowance")?;
        allowance_sum = allowance_sum
            .checked_add(amount)
            .ok_or_else(|| sum_overflow("allowances", limit))?;
        add(allowance.tax_rate, allowance.tax_category, -amount)?;
    }
    let mut charge_sum: i128 = 0;
    for charge in charges {
        let amount = checked_amount(charge.amount_minor, "a charge")?;
        charge_sum = charge_sum
            .checked_add(amount)
            .ok_or_else(|| sum_overflow("charges", limit))?;
        add(charge.tax_rate, charge.tax_category, amount)?;
    }
    let net_minor = within_limit(net).ok_or_else(|| net_overflow(limit))?;
    let allowances_minor =
        within_limit(allowance_sum).ok_or_else(|| sum_overflow("allowances", limit))?;
    let charges_minor = within_limit(charge_sum).ok_or_else(|| sum_overflow("charges", limit))?;
    let tax_exclusive_minor = within_limit(net - allowance_sum + charge_sum).ok_or_else(|| {
        format!("the invoice total without tax exceeds the limit of {limit} minor units")
    })?;

    let mut tax_groups = Vec::with_capacity(groups.len());
    let mut tax: i128 = 0;
    for ((rate, category), group_net) in groups {
        let group_net = within_limit(group_net).ok_or_else(|| {
            format!(
                "the amount taxed at {rate} ({category}) exceeds the limit of {limit} minor units"
            )
        })?;
        let group_tax = tax_minor(group_net, rate)
            .and_then(|t| within_limit(i128::from(t)))
            .ok_or_else(|| format!("the tax at {rate} exceeds the limit of {limit} minor units"))?;
        tax = tax
            .checked_add(i128::from(group_tax))
            .ok_or_else(|| tax_overflow(limit))?;
        tax_groups.push(TaxGroup {
            category,
            rate,
            net_minor: group_net,
            tax_minor: group_tax,
        });
    }
    let tax_minor = within_limit(tax).ok_or_else(|| tax_overflow(limit))?;
    let gross_minor = within_limit(i128::from(tax_exclusive_minor) + i128::from(tax_minor))
        .ok_or_else(|| format!("the invoice total exceeds the limit of {limit} minor units"))?;
    let prepaid = checked_amount(prepaid_minor, "the prepaid amount")?;
    let due_minor = within_limit(i128::from(gross_minor) - prepaid)
        .ok_or_else(|| format!("the amount due exceeds the limit of {limit} minor units"))?;
    Ok(Totals {
        net_minor,
        allowances_minor,
        charges_minor,
        tax_exclusive_minor,
        tax_groups,
        tax_minor,
        gross_minor,
        prepaid_minor,
        due_minor,
    })
}

/// `amount` widened, when its magnitude is within [`MAX_AMOUNT_MINOR`].
fn checked_amount(amount: i64, what: &str) -> Result<i128, String> {
    match within_limit(i128::from(amount)) {
        Some(_) => Ok(i128::from(amount)),
        None => Err(format!(
            "{what} exceeds the limit of {MAX_AMOUNT_MINOR} minor units"
        )),
    }
}

fn net_overflow(limit: i64) -> String {
    format!("the invoice net total exceeds the limit of {limit} minor units")
}

fn sum_overflow(what: &str, limit: i64) -> String {
    format!("the sum of the {what} exceeds the limit of {limit} minor units")
}

fn tax_overflow(limit: i64) -> String {
    format!("the invoice tax total exceeds the limit of {limit} minor units")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").expect("EUR")
    }

    fn line(quantity_milli: i64, unit_price_minor: i64, bp: u32) -> Line {
        let quantity = Quantity::from_milli(quantity_milli);
        let tax_rate = TaxRate::from_basis_points(bp);
        Line {
            id: "1".into(),
            description: "x".into(),
            quantity,
            unit: None,
            unit_code: None,
            unit_price_minor,
            tax_rate,
            tax_category: TaxCategory::default_for(tax_rate),
            seller_item_id: None,
            gtin: None,
            net_minor: line_net_minor(quantity, unit_price_minor).expect("within limit"),
        }
    }

    /// The totals of `lines` alone: no allowances, charges or prepayment.
    fn totals_of(lines: &[Line]) -> Result<Totals, String> {
        compute_totals(lines, &[], &[], 0)
    }

    #[test]
    fn currency_exponents_come_from_iso_4217() {
        let exp = |c: &str| Currency::from_code(c).expect(c).exponent();
        assert_eq!(exp("EUR"), 2);
        assert_eq!(exp("JPY"), 0);
        assert_eq!(exp("KWD"), 3);
        assert_eq!(exp("USD"), 2);
    }

    #[test]
    fn currency_code_name_and_symbol() {
        assert_eq!(eur().code(), "EUR");
        assert_eq!(eur().name(), "Euro");
        assert_eq!(eur().symbol(), "€");
        assert_eq!(eur().to_string(), "EUR");
    }

    #[test]
    fn currency_must_be_three_uppercase_letters() {
        for code in ["eur", "EU", "EURO", "", "E1R", "ÉUR"] {
            let err = Currency::from_code(code).expect_err(code);
            assert!(err.contains("3 uppercase letters"), "{code}: {err}");
        }
    }

    #[test]
    fn currency_must_be_an_iso_4217_code() {
        let err = Currency::from_code("ABC").expect_err("ABC");
        assert_eq!(err, "must be an ISO 4217 currency code, like EUR");
    }

    #[test]
    fn currency_must_not_be_superseded() {
        assert_eq!(
            Currency::from_code("HRK").expect_err("HRK"),
            "HRK was replaced by EUR"
        );
    }

    #[test]
    fn currency_must_not_be_a_fund_or_special_unit() {
        for code in ["XAU", "XDR", "XXX", "XTS", "BOV", "CLF", "XAD"] {
            let err = Currency::from_code(code).expect_err(code);
            assert_eq!(
                err,
                format!("{code} is not a currency an invoice can be issued in")
            );
        }
    }

    #[test]
    fn format_minor_groups_thousands_and_places_the_decimal_point() {
        assert_eq!(eur().format_minor(123_456_789), "1,234,567.89");
        assert_eq!(eur().format_minor(0), "0.00");
        assert_eq!(eur().format_minor(5), "0.05");
        assert_eq!(eur().format_minor(100_000), "1,000.00");
        assert_eq!(eur().format_minor(-100), "-1.00");
        assert_eq!(eur().format_minor(-5), "-0.05");
        let jpy = Currency::from_code("JPY").expect("JPY");
        assert_eq!(jpy.format_minor(1234), "1,234");
        assert_eq!(jpy.format_minor(123), "123");
        assert_eq!(jpy.format_minor(0), "0");
        let kwd = Currency::from_code("KWD").expect("KWD");
        assert_eq!(kwd.format_minor(1234), "1.234");
        assert_eq!(kwd.format_minor(7), "0.007");
        assert_eq!(kwd.format_minor(1_234_567_890), "1,234,567.890");
    }

    #[test]
    fn format_minor_handles_the_extremes() {
        assert_eq!(eur().format_minor(i64::MIN), "-92,233,720,368,547,758.08");
        assert_eq!(eur().format_minor(i64::MAX), "92,233,720,368,547,758.07");
    }

    #[test]
    fn format_with_code_prefixes_the_code() {
        assert_eq!(eur().format_with_code(123_456_789), "EUR 1,234,567.89");
    }

    #[test]
    fn quantity_display_drops_trailing_zeros_and_groups_thousands() {
        let q = |m| Quantity::from_milli(m).to_string();
        assert_eq!(q(24_000), "24");
        assert_eq!(q(1_500), "1.5");
        assert_eq!(q(125), "0.125");
        assert_eq!(q(1_250_000), "1,250");
        assert_eq!(q(1_000_000_000_000), "1,000,000,000");
        assert_eq!(q(10), "0.01");
        assert_eq!(q(-1_500), "-1.5");
        assert_eq!(q(i64::MIN), "-9,223,372,036,854,775.808");
    }

    #[test]
    fn tax_rate_display_is_a_percentage_without_trailing_zeros() {
        let r = |bp| TaxRate::from_basis_points(bp).to_string();
        assert_eq!(r(2000), "20%");
        assert_eq!(r(770), "7.7%");
        assert_eq!(r(550), "5.5%");
        assert_eq!(r(0), "0%");
        assert_eq!(r(1225), "12.25%");
        assert_eq!(r(5), "0.05%");
        assert_eq!(r(10_000), "100%");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round_half_away(5, 10), Some(1));
        assert_eq!(div_round_half_away(4, 10), Some(0));
        assert_eq!(div_round_half_away(15, 10), Some(2));
        assert_eq!(div_round_half_away(25, 10), Some(3)); // not banker's 2
        assert_eq!(div_round_half_away(-5, 10), Some(-1));
        assert_eq!(div_round_half_away(-4, 10), Some(0));
        assert_eq!(div_round_half_away(-15, 10), Some(-2));
        assert_eq!(div_round_half_away(1, 0), None);
        assert_eq!(
            div_round_half_away(i128::MIN, 1000),
            Some(i128::MIN / 1000 - 1)
        );
    }

    #[test]
    fn line_net_rounds_half_a_minor_unit_up() {
        let q = Quantity::from_milli;
        // 0.001 × 500 = 0.5 → 1
        assert_eq!(line_net_minor(q(1), 500), Some(1));
        // 0.001 × 499 = 0.499 → 0
        assert_eq!(line_net_minor(q(1), 499), Some(0));
        // 0.003 × 500 = 1.5 → 2 (not banker's rounding to even)
        assert_eq!(line_net_minor(q(3), 500), Some(2));
        // 0.005 × 500 = 2.5 → 3
        assert_eq!(line_net_minor(q(5), 500), Some(3));
        // 1.5 × 1 = 1.5 → 2
        assert_eq!(line_net_minor(q(1_500), 1), Some(2));
        // 0.0015 cannot be written; 0.015 × 100 = 1.5 → 2
        assert_eq!(line_net_minor(q(15), 100), Some(2));
    }

    #[test]
    fn line_net_with_three_decimal_quantity() {
        // 2.125 h × 80.00 = 170.00
        assert_eq!(
            line_net_minor(Quantity::from_milli(2_125), 8_000),
            Some(17_000)
        );
        // 0.333 × 10.00 = 3.33
        assert_eq!(line_net_minor(Quantity::from_milli(333), 1_000), Some(333));
        // 1.234 × 0.99 = 1.22166 → 1.22
        assert_eq!(line_net_minor(Quantity::from_milli(1_234), 99), Some(122));
    }

    #[test]
    fn line_net_in_jpy_and_kwd() {
        // JPY has no minor unit: 2.5 × ¥333 = ¥832.5 → ¥833
        assert_eq!(line_net_minor(Quantity::from_milli(2_500), 333), Some(833));
        // KWD has 3 decimals: 0.125 × 1.001 KWD = 0.125125 → 0.125
        assert_eq!(line_net_minor(Quantity::from_milli(125), 1_001), Some(125));
        // 1.5 × 0.001 KWD = 0.0015 → 0.002
        assert_eq!(line_net_minor(Quantity::from_milli(1_500), 1), Some(2));
    }

    #[test]
    fn line_net_is_none_above_the_limit() {
        let one = Quantity::from_milli(1_000);
        assert_eq!(
            line_net_minor(one, MAX_AMOUNT_MINOR),
            Some(MAX_AMOUNT_MINOR)
        );
        assert_eq!(line_net_minor(one, MAX_AMOUNT_MINOR + 1), None);
        // 1.001 × 10^15 passes it
        assert_eq!(
            line_net_minor(Quantity::from_milli(1_001), MAX_AMOUNT_MINOR),
            None
        );
        // a product that only rounds up to the limit + 1
        assert_eq!(
            line_net_minor(Quantity::from_milli(1), MAX_AMOUNT_MINOR * 1000 + 500),
            None
        );
        assert_eq!(
            line_net_minor(Quantity::from_milli(i64::MAX), i64::MAX),
            None
        );
        assert_eq!(
            line_net_minor(Quantity::from_milli(i64::MIN), i64::MIN),
            None
        );
        assert_eq!(
            line_net_minor(Quantity::from_milli(i64::MIN), i64::MAX),
            None
        );
    }

    #[test]
    fn tax_is_rounded_half_away_from_zero() {
        let r = TaxRate::from_basis_points;
        assert_eq!(tax_minor(2_107_848, r(2000)), Some(421_570)); // 4215.696
        assert_eq!(tax_minor(250, r(2000)), Some(50));
        assert_eq!(tax_minor(25, r(2000)), Some(5));
        assert_eq!(tax_minor(5, r(1000)), Some(1)); // 0.5 → 1
        assert_eq!(tax_minor(-5, r(1000)), Some(-1)); // -0.5 → -1
        assert_eq!(tax_minor(4, r(1000)), Some(0));
        assert_eq!(tax_minor(1_000, r(770)), Some(77));
        assert_eq!(tax_minor(123, r(0)), Some(0));
    }

    #[test]
    fn tax_is_none_when_it_does_not_fit() {
        assert_eq!(
            tax_minor(i64::MAX, TaxRate::from_basis_points(10_000)),
            Some(i64::MAX)
        );
        assert_eq!(
            tax_minor(i64::MAX, TaxRate::from_basis_points(20_000)),
            None
        );
        assert_eq!(
            tax_minor(i64::MIN, TaxRate::from_basis_points(u32::MAX)),
            None
        );
    }

    #[test]
    fn tax_is_rounded_once_per_group_not_per_line() {
        // Three lines of 0.25 at 10 %: per line 0.025 → 0.03 each, 0.09 in all;
        // per group 0.75 × 10 % = 0.075 → 0.08.
        let lines = [
            line(1_000, 25, 1000),
            line(1_000, 25, 1000),
            line(1_000, 25, 1000),
        ];
        let per_line: i64 = lines
            .iter()
            .map(|l| tax_minor(l.net_minor, l.tax_rate).expect("fits"))
            .sum();
        assert_eq!(per_line, 9);
        let totals = totals_of(&lines).expect("totals");
        assert_eq!(totals.tax_minor, 8);
        assert_eq!(totals.net_minor, 75);
        assert_eq!(totals.gross_minor, 83);
    }

    #[test]
    fn totals_group_by_rate_in_ascending_order() {
        let lines = [
            line(1_000, 10_000, 2000),
            line(2_000, 5_000, 0),
            line(1_000, 1_000, 770),
            line(1_000, 10_000, 2000),
        ];
        let totals = totals_of(&lines).expect("totals");
        let rates: Vec<u32> = totals
            .tax_groups
            .iter()
            .map(|g| g.rate.basis_points())
            .collect();
        assert_eq!(rates, [0, 770, 2000]);
        assert_eq!(totals.tax_groups[0].net_minor, 10_000);
        assert_eq!(totals.tax_groups[0].tax_minor, 0);
        assert_eq!(totals.tax_groups[1].net_minor, 1_000);
        assert_eq!(totals.tax_groups[1].tax_minor, 77);
        assert_eq!(totals.tax_groups[2].net_minor, 20_000);
        assert_eq!(totals.tax_groups[2].tax_minor, 4_000);
        assert_eq!(totals.net_minor, 31_000);
        assert_eq!(totals.tax_minor, 4_077);
        assert_eq!(totals.gross_minor, 35_077);
    }

    #[test]
    fn totals_of_no_lines_are_zero() {
        let totals = totals_of(&[]).expect("totals");
        assert_eq!(totals.net_minor, 0);
        assert!(totals.tax_groups.is_empty());
        assert_eq!(totals.gross_minor, 0);
    }

    #[test]
    fn totals_at_the_limit_are_accepted() {
        let totals = totals_of(&[line(1_000, MAX_AMOUNT_MINOR, 0)]).expect("totals");
        assert_eq!(totals.gross_minor, MAX_AMOUNT_MINOR);
    }

    #[test]
    fn net_total_above_the_limit_is_an_error() {
        let half = MAX_AMOUNT_MINOR / 2;
        let err = totals_of(&[line(1_000, half, 0), line(1_000, half + 1, 0)]).expect_err("over");
        assert_eq!(
            err,
            "the invoice net total exceeds the limit of 1000000000000000 minor units"
        );
    }

    #[test]
    fn gross_total_above_the_limit_is_an_error() {
        let err = totals_of(&[line(1_000, MAX_AMOUNT_MINOR, 1)]).expect_err("over");
        assert_eq!(
            err,
            "the invoice total exceeds the limit of 1000000000000000 minor units"
        );
    }

    #[test]
    fn totals_never_wrap_on_forged_lines() {
        let mut forged = line(1_000, 1, 0);
        forged.net_minor = i64::MAX;
        assert!(totals_of(&[forged.clone(), forged]).is_err());
        let mut forged = line(1_000, 1, u32::MAX);
        forged.net_minor = MAX_AMOUNT_MINOR;
        let err = totals_of(&[forged]).expect_err("over");
        assert!(err.starts_with("the tax at"), "{err}");
    }

    fn adjustment(amount_minor: i64, bp: u32, category: TaxCategory) -> AllowanceCharge {
        AllowanceCharge {
            reason: Some("x".into()),
            reason_code: None,
            amount_minor,
            tax_rate: TaxRate::from_basis_points(bp),
            tax_category: category,
        }
    }

    #[test]
    fn allowances_and_charges_change_the_basis_of_their_own_group() {
        let lines = [line(1_000, 10_000, 2000), line(1_000, 10_000, 0)];
        let allowances = [adjustment(1_000, 2000, TaxCategory::S)];
        let charges = [
            adjustment(500, 2000, TaxCategory::S),
            adjustment(300, 0, TaxCategory::E),
        ];
        let totals = compute_totals(&lines, &allowances, &charges, 2_000).expect("totals");
        assert_eq!(totals.net_minor, 20_000);
        assert_eq!(totals.allowances_minor, 1_000);
        assert_eq!(totals.charges_minor, 800);
        assert_eq!(totals.tax_exclusive_minor, 19_800);
        let groups: Vec<(u32, TaxCategory, i64, i64)> = totals
            .tax_groups
            .iter()
            .map(|g| (g.rate.basis_points(), g.category, g.net_minor, g.tax_minor))
            .collect();
        assert_eq!(
            groups,
            [
                (0, TaxCategory::Z, 10_000, 0),
                (0, TaxCategory::E, 300, 0),
                (2000, TaxCategory::S, 9_500, 1_900),
            ]
        );
        assert_eq!(totals.tax_minor, 1_900);
        assert_eq!(totals.gross_minor, 21_700);
        assert_eq!(totals.prepaid_minor, 2_000);
        assert_eq!(totals.due_minor, 19_700);
    }

    #[test]
    fn a_negative_group_basis_has_negative_tax_rounded_away_from_zero() {
        // 0.10 of goods and an allowance of 0.35 at 10 %: −0.25 → tax −0.025 → −0.03
        let totals = compute_totals(
            &[line(1_000, 10, 1000)],
            &[adjustment(35, 1000, TaxCategory::S)],
            &[],
            0,
        )
        .expect("totals");
        assert_eq!(totals.tax_groups[0].net_minor, -25);
        assert_eq!(totals.tax_minor, -3);
        assert_eq!(totals.gross_minor, -28);
    }

    #[test]
    fn allowances_charges_and_the_amount_due_are_checked_against_the_limit() {
        let max = MAX_AMOUNT_MINOR;
        let at_limit = [line(1_000, max, 0)];
        let err = compute_totals(&at_limit, &[], &[adjustment(1, 0, TaxCategory::Z)], 0)
            .expect_err("over");
        assert_eq!(
            err,
            "the invoice total without tax exceeds the limit of 1000000000000000 minor units"
        );
        let err = compute_totals(&at_limit, &[], &[], -1).expect_err("over");
        assert_eq!(
            err,
            "the amount due exceeds the limit of 1000000000000000 minor units"
        );
        let err = compute_totals(&[], &[adjustment(max + 1, 0, TaxCategory::Z)], &[], 0)
            .expect_err("over");
        assert_eq!(
            err,
            "an allowance exceeds the limit of 1000000000000000 minor units"
        );
        let half = adjustment(max / 2 + 1, 0, TaxCategory::Z);
        let err = compute_totals(&[], &[], &[half.clone(), half], 0).expect_err("over");
        assert_eq!(
            err,
            "the sum of the charges exceeds the limit of 1000000000000000 minor units"
        );
    }
}
