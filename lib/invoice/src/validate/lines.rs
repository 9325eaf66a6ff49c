//! The lines (BG-25) and the document-level allowances (BG-20) and charges
//! (BG-21): what is sold, and what is taken off or added on.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::tax::{self, Item};
use super::{
    Number, Path, Report, WholeRule, array, kind, number, object, optional_parsed, optional_text,
    required, single_line, text_value, whole_number,
};
use crate::codes;
use crate::limits::{
    MAX_ALLOWANCES_CHARGES, MAX_AMOUNT_MINOR, MAX_DESCRIPTION_CHARS, MAX_IDENTIFIER_CHARS,
    MAX_LINES, MAX_QUANTITY, MAX_REASON_CHARS, MAX_TAX_RATE_BP, MAX_UNIT_CHARS,
};
use crate::model::{AllowanceCharge, Line, TaxCategory};
use crate::money::{Quantity, TaxRate, line_net_minor};

pub(super) fn lines(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Vec<Line>> {
    let items = array(report, value, at)?;
    if items.is_empty() {
        report.add(at, "must have at least 1 line");
        return None;
    }
    if items.len() > MAX_LINES {
        report.add(
            at,
            format_args!("must have at most {MAX_LINES} lines (has {})", items.len()),
        );
        return None;
    }
    let mut lines = Vec::with_capacity(items.len());
    let mut valid = true;
    // Which line first had each id, to report a second one.
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        match line(report, item, &at.index(i), i) {
            Some(line) => {
                if let Some(first) = ids.get(&line.id) {
                    report.add(
                        &at.index(i).key("id"),
                        format_args!(
                            "must be unique: /lines/{first} has the id {:?} too (an id defaults \
                             to the line's position, from 1)",
                            line.id
                        ),
                    );
                    valid = false;
                } else {
                    ids.insert(line.id.clone(), i);
                }
                if valid {
                    lines.push(line);
                }
            }
            None => valid = false,
        }
    }
    valid.then_some(lines)
}

/// The line at `index` (0-based) of the document.
fn line(report: &mut Report, value: &Value, at: &Path<'_>, index: usize) -> Option<Line> {
    let fields = object(report, value, at)?;
    let identifier = single_line(MAX_IDENTIFIER_CHARS);

    let id = optional_text(report, fields, "id", at, &identifier)
        .map(|id| id.unwrap_or_else(|| (index + 1).to_string()));
    let description = {
        let at = at.key("description");
        required(report, fields, "description", &at)
            .and_then(|v| text_value(report, v, &at, &single_line(MAX_DESCRIPTION_CHARS)))
    };
    let quantity = {
        let at = at.key("quantity");
        required(report, fields, "quantity", &at).and_then(|v| quantity(report, v, &at))
    };
    let unit = optional_text(report, fields, "unit", at, &single_line(MAX_UNIT_CHARS));
    let unit_code = optional_parsed(report, fields, "unit_code", at, codes::unit_code);
    let unit_price_minor = amount(report, fields, "unit_price_minor", at, 0);
    let (tax_rate, tax_category) = rate_and_category(report, fields, at, Item::Line);
    let seller_item_id = optional_text(report, fields, "seller_item_id", at, &identifier);
    let gtin = optional_parsed(report, fields, "gtin", at, codes::gtin);

    let net_minor = match (quantity, unit_price_minor) {
        (Some(quantity), Some(price)) => {
            let net = line_net_minor(quantity, price);
            if net.is_none() {
                report.add(
                    at,
                    format_args!(
                        "line amount {quantity} × {price} exceeds the limit of {MAX_AMOUNT_MINOR} minor units"
                    ),
                );
            }
            net
        }
        _ => None,
    };

    Some(Line {
        id: id.ok()?,
        description: description?,
        quantity: quantity?,
        unit: unit.ok()?,
        unit_code: unit_code.ok()?,
        unit_price_minor: unit_price_minor?,
        tax_rate: tax_rate?,
        tax_category: tax_category?,
        seller_item_id: seller_item_id.ok()?,
        gtin: gtin.ok()?,
        net_minor: net_minor?,
    })
}

/// A required whole number of minor units, from `min` to 10^15.
fn amount(
    report: &mut Report,
    fields: &Map<String, Value>,
    key: &str,
    at: &Path<'_>,
    min: i128,
) -> Option<i64> {
    let at = at.key(key);
    required(report, fields, key, &at)
        .and_then(|v| {
            whole_number(
                report,
                v,
                &at,
                &WholeRule {
                    min,
                    max: i128::from(MAX_AMOUNT_MINOR),
                    not_whole: "must be a whole number of minor units",
                    too_large_note: "",
                },
            )
        })
        .and_then(|n| i64::try_from(n).ok())
}

/// `tax_rate_bp` (required) and `tax_category` (default `S`, or `Z` at
/// 0 %) of a line, allowance or charge, checked against each other.
fn rate_and_category(
    report: &mut Report,
    fields: &Map<String, Value>,
    at: &Path<'_>,
    item: Item,
) -> (Option<TaxRate>, Option<TaxCategory>) {
    let rate_at = at.key("tax_rate_bp");
    let rate = required(report, fields, "tax_rate_bp", &rate_at)
        .and_then(|v| {
            whole_number(
                report,
                v,
                &rate_at,
                &WholeRule {
                    min: 0,
                    max: i128::from(MAX_TAX_RATE_BP),
                    not_whole: "must be a whole number of basis points (2000 = 20%)",
                    too_large_note: " (100%)",
                },
            )
        })
        .and_then(|n| u32::try_from(n).ok())
        .map(TaxRate::from_basis_points);
    let category = optional_parsed(report, fields, "tax_category", at, |s| s.parse());
    let category = match (rate, category) {
        (Some(rate), Ok(None)) => Some(TaxCategory::default_for(rate)),
        (_, Ok(Some(category))) => Some(category),
        (None, Ok(None)) | (_, Err(())) => None,
    };
    if let (Some(rate), Some(category)) = (rate, category)
        && let Err(rule) = tax::rate_fits_category(rate, category, item)
    {
        report.add(&rate_at, rule);
        return (None, Some(category));
    }
    (rate, category)
}

/// Relative distance within which a float counts as a value with 3 decimals.
const QUANTITY_TOLERANCE: f64 = 1e-14;

pub(super) fn quantity(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Quantity> {
    let Some(n) = number(value) else {
        report.add(at, format_args!("must be a number (got {})", kind(value)));
        return None;
    };
    let milli = match n {
        Number::Integer(i) => {
            if i == 0 {
                report.add(at, "must not be 0");
                return None;
            }
            if i.abs() > i128::from(MAX_QUANTITY) {
                report.add(at, quantity_range_rule(i > 0));
                return None;
            }
            i.checked_mul(1000).and_then(|m| i64::try_from(m).ok())
        }
        Number::Float(f) => {
            // serde_json never yields NaN, but be safe.
            if f.is_nan() {
                report.add(at, "must be a number");
                return None;
            }
            // -0.0 == 0.0 holds.
            if f == 0.0 {
                report.add(at, "must not be 0");
                return None;
            }
            // MAX_QUANTITY (10^9) is exact in f64.
            if f.abs() > MAX_QUANTITY as f64 {
                report.add(at, quantity_range_rule(f > 0.0));
                return None;
            }
            let scaled = f * 1000.0;
            let rounded = scaled.round();
            if rounded == 0.0 || (scaled - rounded).abs() > scaled.abs() * QUANTITY_TOLERANCE {
                report.add(at, "must have at most 3 decimals");
                return None;
            }
            // 1 ≤ |rounded| ≤ 10^12: exact, and the cast cannot saturate.
            Some(rounded as i64)
        }
    };
    milli.map(Quantity::from_milli)
}

fn quantity_range_rule(positive: bool) -> String {
    if positive {
        format!("must be at most {MAX_QUANTITY}")
    } else {
        format!("must be at least -{MAX_QUANTITY}")
    }
}

/// The document-level allowances (`item` [`Item::Allowance`]) or charges
/// ([`Item::Charge`]).
pub(super) fn allowances_or_charges(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
    item: Item,
) -> Option<Vec<AllowanceCharge>> {
    let items = array(report, value, at)?;
    if items.len() > MAX_ALLOWANCES_CHARGES {
        report.add(
            at,
            format_args!(
                "must have at most {MAX_ALLOWANCES_CHARGES} entries (has {})",
                items.len()
            ),
        );
        return None;
    }
    let mut list = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, value) in items.iter().enumerate() {
        match allowance_or_charge(report, value, &at.index(i), item) {
            Some(entry) => list.push(entry),
            None => valid = false,
        }
    }
    valid.then_some(list)
}

fn allowance_or_charge(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
    item: Item,
) -> Option<AllowanceCharge> {
    let fields = object(report, value, at)?;
    let reason = optional_text(report, fields, "reason", at, &single_line(MAX_REASON_CHARS));
    let reason_code = match item {
        Item::Charge => optional_parsed(report, fields, "reason_code", at, codes::charge_reason),
        _ => optional_parsed(report, fields, "reason_code", at, codes::allowance_reason),
    };
    let amount_minor = amount(report, fields, "amount_minor", at, 1);
    let (tax_rate, tax_category) = rate_and_category(report, fields, at, item);
    if let (Ok(None), Ok(None)) = (&reason, &reason_code) {
        let (terms, rule) = match item {
            Item::Charge => ("BT-104, BT-105", "BR-38"),
            _ => ("BT-97, BT-98", "BR-33"),
        };
        report.add(
            at,
            format_args!("must give a reason or a reason_code or both ({terms}; {rule})"),
        );
        return None;
    }
    Some(AllowanceCharge {
        reason: reason.ok()?,
        reason_code: reason_code.ok()?,
        amount_minor: amount_minor?,
        tax_rate: tax_rate?,
        tax_category: tax_category?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_floats_with_three_decimals_are_exact() {
        // Every thousandth written as the shortest decimal a producer would
        // print parses back to the same thousandths.
        for milli in (1..=20_000).chain([999_999_999_999, 1_000_000_000_000, 123_456_789_123]) {
            let f = milli as f64 / 1000.0;
            let value: Value = serde_json::from_str(&f.to_string()).expect("json");
            let mut report = Report::default();
            let q = quantity(&mut report, &value, &Path::ROOT);
            assert_eq!(q, Some(Quantity::from_milli(milli)), "{f}");
            let negative: Value = serde_json::from_str(&(-f).to_string()).expect("json");
            let q = quantity(&mut report, &negative, &Path::ROOT);
            assert_eq!(q, Some(Quantity::from_milli(-milli)), "-{f}");
        }
    }
}
