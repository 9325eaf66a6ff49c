//! The validated invoice: what the rest of paperflow may rely on.
//!
//! Values of these types exist only after [`crate::parse_invoice`] accepted a
//! document, so every field already satisfies the rules of `validate`: ids are
//! safe inside an S3 key, text has no control characters, amounts fit the
//! limits and every total is computed here, never taken from the input.

use crate::money::{Currency, Quantity, TaxRate};
use time::Date;

/// An invoice that passed validation, with its totals computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// The producer's invoice number, 1 to 64 characters from `[A-Za-z0-9._/-]`.
    pub id: InvoiceId,
    /// 1, 2, …: a later revision supersedes an earlier one.
    pub revision: u32,
    /// The day the invoice was issued.
    pub issue_date: Date,
    /// The day payment is due; never before `issue_date`.
    pub due_date: Date,
    /// The currency every amount is expressed in.
    pub currency: Currency,
    /// Who issues the invoice.
    pub seller: Party,
    /// Who pays it.
    pub buyer: Party,
    /// At least one line, at most [`crate::limits::MAX_LINES`].
    pub lines: Vec<Line>,
    /// Free text printed under the totals; may contain line breaks.
    pub notes: Option<String>,
    /// Net, tax per rate and grand total, computed from `lines`.
    pub totals: Totals,
}

/// An invoice id that is safe to use as part of a storage key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InvoiceId(pub(crate) String);

impl InvoiceId {
    /// The id as the producer spelled it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A seller or a buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Legal name.
    pub name: String,
    /// Postal address, one entry per printed line.
    pub address: Vec<String>,
    /// VAT registration number, printed as given.
    pub vat_id: Option<String>,
    /// Where documents for this party are sent.
    pub email: Option<String>,
}

/// One line of the invoice, with its net amount computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What was sold.
    pub description: String,
    /// How much of it; positive, at most three decimals.
    pub quantity: Quantity,
    /// The unit of `quantity` (`pcs`, `h`, …), if any.
    pub unit: Option<String>,
    /// Price of one unit, in minor units of the invoice currency.
    pub unit_price_minor: i64,
    /// The tax rate that applies to this line.
    pub tax_rate: TaxRate,
    /// `quantity × unit_price_minor`, rounded to the minor unit.
    pub net_minor: i64,
}

/// Computed totals of an invoice, all in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the line nets.
    pub net_minor: i64,
    /// One group per distinct tax rate, in ascending order of rate.
    pub tax_groups: Vec<TaxGroup>,
    /// Sum of the groups' tax.
    pub tax_minor: i64,
    /// `net_minor + tax_minor`: what the buyer pays.
    pub gross_minor: i64,
}

/// The lines that share one tax rate, and the tax on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxGroup {
    /// The rate shared by the group.
    pub rate: TaxRate,
    /// Sum of the nets of the group's lines.
    pub net_minor: i64,
    /// `net_minor × rate`, rounded once for the whole group.
    pub tax_minor: i64,
}

impl Invoice {
    /// The buyer's e-mail address, if the invoice has one: where the PDF is
    /// sent.
    pub fn buyer_email(&self) -> Option<&str> {
        self.buyer.email.as_deref()
    }

    /// The invoice as a document in the input shape, with every optional
    /// field that is set and `revision` always present; totals are left out
    /// (they are computed, never read). Parsing it gives this invoice back.
    pub fn to_document(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};

        let mut doc = Map::new();
        doc.insert("invoice_id".into(), json!(self.id.as_str()));
        doc.insert("revision".into(), json!(self.revision));
        doc.insert("issue_date".into(), json!(format_date(self.issue_date)));
        doc.insert("due_date".into(), json!(format_date(self.due_date)));
        doc.insert("currency".into(), json!(self.currency.code()));
        doc.insert("seller".into(), self.seller.to_document());
        doc.insert("buyer".into(), self.buyer.to_document());
        let lines = self.lines.iter().map(Line::to_document).collect();
        doc.insert("lines".into(), Value::Array(lines));
        if let Some(notes) = &self.notes {
            doc.insert("notes".into(), json!(notes));
        }
        Value::Object(doc)
    }
}

impl Party {
    fn to_document(&self) -> serde_json::Value {
        let mut party = serde_json::Map::new();
        party.insert("name".into(), self.name.clone().into());
        party.insert("address".into(), self.address.clone().into());
        if let Some(vat_id) = &self.vat_id {
            party.insert("vat_id".into(), vat_id.clone().into());
        }
        if let Some(email) = &self.email {
            party.insert("email".into(), email.clone().into());
        }
        serde_json::Value::Object(party)
    }
}

impl Line {
    fn to_document(&self) -> serde_json::Value {
        let milli = self.quantity.milli();
        // A whole quantity stays an integer; otherwise the nearest f64 to the
        // decimal, which serde_json prints as that shortest decimal.
        let quantity = if milli % 1000 == 0 {
            serde_json::Value::from(milli / 1000)
        } else {
            serde_json::Value::from(milli as f64 / 1000.0)
        };
        let mut line = serde_json::Map::new();
        line.insert("description".into(), self.description.clone().into());
        line.insert("quantity".into(), quantity);
        if let Some(unit) = &self.unit {
            line.insert("unit".into(), unit.clone().into());
        }
        line.insert("unit_price_minor".into(), self.unit_price_minor.into());
        line.insert("tax_rate_bp".into(), self.tax_rate.basis_points().into());
        serde_json::Value::Object(line)
    }
}

/// `YYYY-MM-DD`.
fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
