//! The VAT category rules of EN 16931 that the document alone can answer:
//! which rate a category allows (BR-x-5/6/7), which identifiers of the
//! parties it needs or forbids (BR-x-2/3/4), that category O stands alone
//! (BR-O-12/13/14), that K needs a delivery date (BR-IC-11), and which categories
//! need or forbid an exemption reason (BR-x-10).
//!
//! Each rule is named in its violation, with EN 16931's own rule id; for
//! category K the ids are BR-IC-n, for L BR-AF-n and for M BR-AG-n. The
//! identifier rules of S and Z (BR-S-2, BR-Z-2) are not checked here: a
//! first-version document gets those categories by default, and stays valid
//! without a seller VAT id; e-invoice validation asks for them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Path, Report, object, optional_text, single_line};
use crate::codes;
use crate::limits::MAX_TERMS_CHARS;
use crate::model::{AllowanceCharge, Exemption, Line, Party, TaxCategory};
use crate::money::TaxRate;

/// What carries a tax category: a line, a document-level allowance or a
/// document-level charge. EN 16931 numbers its rules in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Item {
    Line,
    Allowance,
    Charge,
}

impl Item {
    /// The document's array of this kind of item.
    fn key(self) -> &'static str {
        match self {
            Item::Line => "lines",
            Item::Allowance => "allowances",
            Item::Charge => "charges",
        }
    }

    /// The rule number for `Line`, offset by one for allowances and two for
    /// charges: BR-S-5 (line), BR-S-6 (allowance), BR-S-7 (charge).
    fn rule(self, category: TaxCategory, line_number: u8) -> String {
        let offset = match self {
            Item::Line => 0,
            Item::Allowance => 1,
            Item::Charge => 2,
        };
        format!("{}-{}", rule_prefix(category), line_number + offset)
    }
}

/// EN 16931's prefix of the rules of `category`.
fn rule_prefix(category: TaxCategory) -> &'static str {
    match category {
        TaxCategory::S => "BR-S",
        TaxCategory::Z => "BR-Z",
        TaxCategory::E => "BR-E",
        TaxCategory::AE => "BR-AE",
        TaxCategory::K => "BR-IC",
        TaxCategory::G => "BR-G",
        TaxCategory::O => "BR-O",
        TaxCategory::L => "BR-AF",
        TaxCategory::M => "BR-AG",
    }
}

/// Whether `rate` is one `category` allows: S more than 0; Z, E, AE, K, G
/// and O exactly 0 (O has no rate at all; 0 is how the model says it); L
/// and M any.
///
/// # Errors
///
/// The broken rule, naming the category and EN 16931's rule.
pub(super) fn rate_fits_category(
    rate: TaxRate,
    category: TaxCategory,
    item: Item,
) -> Result<(), String> {
    let zero = rate.basis_points() == 0;
    match category {
        TaxCategory::S if zero => Err(format!(
            "must be greater than 0 for tax category S ({})",
            item.rule(category, 5)
        )),
        _ if category.requires_zero_rate() && !zero => Err(format!(
            "must be 0 for tax category {category} ({})",
            item.rule(category, 5)
        )),
        _ => Ok(()),
    }
}

/// The `exemptions` object: per category code, a reason, a VATEX code or
/// both.
pub(super) fn exemptions(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
) -> Option<BTreeMap<TaxCategory, Exemption>> {
    let entries = object(report, value, at)?;
    let mut exemptions = BTreeMap::new();
    let mut valid = true;
    for (key, value) in entries {
        let at = at.key(key);
        let category = key.parse::<TaxCategory>();
        if category.is_err() {
            report.add(
                &at,
                "is not a tax category: the keys are UNCL5305 codes (S Z E AE K G O L M)",
            );
        }
        match (category, exemption(report, value, &at)) {
            (Ok(category), Some(exemption)) => {
                exemptions.insert(category, exemption);
            }
            _ => valid = false,
        }
    }
    valid.then_some(exemptions)
}

fn exemption(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Exemption> {
    let fields = object(report, value, at)?;
    let reason = optional_text(report, fields, "reason", at, &single_line(MAX_TERMS_CHARS));
    let code = super::optional_parsed(report, fields, "code", at, codes::vatex);
    let exemption = Exemption {
        reason: reason.ok()?,
        code: code.ok()?,
    };
    if exemption == Exemption::default() {
        report.add(at, "must give a reason, a code or both (BT-120, BT-121)");
        return None;
    }
    Some(exemption)
}

/// The parts of a valid document that the category rules read.
pub(super) struct Categorised<'a> {
    pub lines: &'a [Line],
    pub allowances: &'a [AllowanceCharge],
    pub charges: &'a [AllowanceCharge],
    pub seller: Option<&'a Party>,
    pub buyer: Option<&'a Party>,
    pub has_delivery_date: bool,
    pub exemptions: Option<&'a BTreeMap<TaxCategory, Exemption>>,
}

/// Every rule that ties the categories in use to the rest of the document.
pub(super) fn check_categories(report: &mut Report, doc: &Categorised<'_>) {
    // The first item of each category, in document order: its kind picks
    // the rule number, its place the pointer.
    let mut first: BTreeMap<TaxCategory, (Item, usize)> = BTreeMap::new();
    let items = doc
        .lines
        .iter()
        .map(|line| (Item::Line, line.tax_category))
        .enumerate()
        .chain(
            doc.allowances
                .iter()
                .map(|a| (Item::Allowance, a.tax_category))
                .enumerate(),
        )
        .chain(
            doc.charges
                .iter()
                .map(|c| (Item::Charge, c.tax_category))
                .enumerate(),
        );
    for (index, (item, category)) in items {
        first.entry(category).or_insert((item, index));
    }

    let root = Path::ROOT;
    for (&category, &(item, _)) in &first {
        party_identifiers(report, doc, category, item);
        if category == TaxCategory::K && !doc.has_delivery_date {
            report.add(
                &root.key("delivery_date"),
                "is required for tax category K (BR-IC-11)",
            );
        }
    }

    if first.contains_key(&TaxCategory::O) {
        for (&category, &(item, index)) in &first {
            if category != TaxCategory::O {
                let items = root.key(item.key());
                let at = items.index(index);
                report.add(
                    &at.key("tax_category"),
                    format_args!(
                        "must be O like the rest of the invoice, not {category}: an invoice \
                         with an item not subject to VAT has no other category ({})",
                        item.rule(TaxCategory::O, 12)
                    ),
                );
            }
        }
    }

    if let Some(exemptions) = doc.exemptions {
        exemption_rules(report, &first, exemptions);
    }
}

/// BR-x-2/3/4: the VAT and legal identifiers a category needs or forbids.
fn party_identifiers(
    report: &mut Report,
    doc: &Categorised<'_>,
    category: TaxCategory,
    item: Item,
) {
    let rule = item.rule(category, 2);
    let root = Path::ROOT;
    let seller_at = root.key("seller");
    let buyer_at = root.key("buyer");
    let has = |party: Option<&Party>, field: fn(&Party) -> bool| party.is_none_or(field);
    let vat_id = |p: &Party| p.vat_id.is_some();
    let vat_or_tax_number = |p: &Party| p.vat_id.is_some() || p.tax_number.is_some();
    let vat_or_legal_id = |p: &Party| p.vat_id.is_some() || p.legal_id.is_some();

    match category {
        TaxCategory::E | TaxCategory::AE | TaxCategory::L | TaxCategory::M => {
            if !has(doc.seller, vat_or_tax_number) {
                report.add(
                    &seller_at.key("vat_id"),
                    format_args!(
                        "is required for tax category {category}, unless /seller/tax_number is \
                         given (BT-31, BT-32; {rule})"
                    ),
                );
            }
            if category == TaxCategory::AE && !has(doc.buyer, vat_or_legal_id) {
                report.add(
                    &buyer_at.key("vat_id"),
                    format_args!(
                        "is required for tax category AE, unless /buyer/legal_id is given \
                         (BT-48, BT-47; {rule})"
                    ),
                );
            }
        }
        TaxCategory::K | TaxCategory::G => {
            if !has(doc.seller, vat_id) {
                report.add(
                    &seller_at.key("vat_id"),
                    format_args!("is required for tax category {category} (BT-31; {rule})"),
                );
            }
            if category == TaxCategory::K && !has(doc.buyer, vat_id) {
                report.add(
                    &buyer_at.key("vat_id"),
                    format_args!("is required for tax category K (BT-48; {rule})"),
                );
            }
        }
        TaxCategory::O => {
            for (party, at) in [(doc.seller, &seller_at), (doc.buyer, &buyer_at)] {
                if party.is_some_and(vat_id) {
                    report.add(
                        &at.key("vat_id"),
                        format_args!(
                            "must be absent for tax category O, not subject to VAT ({rule})"
                        ),
                    );
                }
            }
        }
        TaxCategory::S | TaxCategory::Z => {}
    }
}

/// BR-x-10: E, AE, K, G and O need an exemption reason or code; S, Z, L and
/// M never have one. An exemption of a category no item uses is kept and
/// harmless: only the tax breakdown prints it.
fn exemption_rules(
    report: &mut Report,
    first: &BTreeMap<TaxCategory, (Item, usize)>,
    exemptions: &BTreeMap<TaxCategory, Exemption>,
) {
    let at = Path::ROOT.key("exemptions");
    for &category in first.keys() {
        let needs = matches!(
            category,
            TaxCategory::E | TaxCategory::AE | TaxCategory::K | TaxCategory::G | TaxCategory::O
        );
        if needs && !exemptions.contains_key(&category) {
            report.add(
                &at,
                format_args!(
                    "must give a reason or a code for tax category {category} (BT-120, BT-121; \
                     {}-10)",
                    rule_prefix(category)
                ),
            );
        }
    }
    for &category in exemptions.keys() {
        if matches!(
            category,
            TaxCategory::S | TaxCategory::Z | TaxCategory::L | TaxCategory::M
        ) {
            report.add(
                &at.key(category.code()),
                format_args!(
                    "must be absent: tax category {category} is not exempt ({}-10)",
                    rule_prefix(category)
                ),
            );
        }
    }
}
