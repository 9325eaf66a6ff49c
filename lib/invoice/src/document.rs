//! The way back: an [`Invoice`] as an invoice document.
//!
//! [`Invoice::to_document`] writes the input shape that `validate` reads, so
//! that parsing it gives the same invoice back. A field that holds its
//! default is left out, so an invoice of the first version's document comes
//! back as that document's shape, without 1.1 fields.

use serde_json::{Map, Value, json};

use crate::model::{
    Address, AllowanceCharge, Contact, DocumentType, ElectronicAddress, Exemption, Invoice, Line,
    Party, Payment, PrecedingInvoice, TaxCategory, format_date,
};

impl Invoice {
    /// The invoice as a document in the input shape, with every optional
    /// field that is set and `revision` always present; fields at their
    /// default and totals are left out (totals are computed, never read).
    /// Parsing it gives this invoice back.
    pub fn to_document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("invoice_id".into(), json!(self.id.as_str()));
        doc.insert("revision".into(), json!(self.revision));
        doc.insert("issue_date".into(), json!(format_date(self.issue_date)));
        doc.insert("due_date".into(), json!(format_date(self.due_date)));
        doc.insert("currency".into(), json!(self.currency.code()));
        if self.document_type != DocumentType::Invoice {
            doc.insert("document_type".into(), json!(self.document_type.as_str()));
        }
        if self.language.tag() != "en" {
            doc.insert("language".into(), json!(self.language.tag()));
        }
        insert_text(&mut doc, "theme", self.theme.as_ref().map(|t| t.as_str()));
        insert_text(&mut doc, "einvoice", self.einvoice.map(|e| e.as_str()));
        insert_text(&mut doc, "buyer_reference", self.buyer_reference.as_deref());
        insert_text(&mut doc, "order_reference", self.order_reference.as_deref());
        if let Some(preceding) = &self.preceding_invoice {
            doc.insert("preceding_invoice".into(), preceding.to_document());
        }
        if let Some(delivery) = self.delivery_date {
            doc.insert("delivery_date".into(), json!(format_date(delivery)));
        }
        doc.insert("seller".into(), self.seller.to_document());
        doc.insert("buyer".into(), self.buyer.to_document());
        if let Some(payment) = &self.payment {
            doc.insert("payment".into(), payment.to_document());
        }
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| line.to_document(index))
            .collect();
        doc.insert("lines".into(), Value::Array(lines));
        for (key, list) in [("allowances", &self.allowances), ("charges", &self.charges)] {
            if !list.is_empty() {
                let items = list.iter().map(AllowanceCharge::to_document).collect();
                doc.insert(key.into(), Value::Array(items));
            }
        }
        if !self.exemptions.is_empty() {
            let exemptions = self
                .exemptions
                .iter()
                .map(|(category, exemption)| (category.code().to_owned(), exemption.to_document()))
                .collect();
            doc.insert("exemptions".into(), Value::Object(exemptions));
        }
        if self.totals.prepaid_minor != 0 {
            doc.insert("prepaid_minor".into(), json!(self.totals.prepaid_minor));
        }
        insert_text(&mut doc, "notes", self.notes.as_deref());
        Value::Object(doc)
    }
}

/// Sets `key` to `value` when there is one.
fn insert_text(object: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        object.insert(key.into(), json!(value));
    }
}

impl PrecedingInvoice {
    fn to_document(&self) -> Value {
        let mut preceding = Map::new();
        preceding.insert("id".into(), json!(self.id));
        if let Some(date) = self.issue_date {
            preceding.insert("issue_date".into(), json!(format_date(date)));
        }
        Value::Object(preceding)
    }
}

impl Party {
    fn to_document(&self) -> Value {
        let mut party = Map::new();
        party.insert("name".into(), json!(self.name));
        party.insert("address".into(), self.address.to_document());
        insert_text(&mut party, "vat_id", self.vat_id.as_deref());
        insert_text(&mut party, "tax_number", self.tax_number.as_deref());
        insert_text(&mut party, "legal_id", self.legal_id.as_deref());
        if let Some(contact) = &self.contact {
            party.insert("contact".into(), contact.to_document());
        }
        if let Some(address) = &self.electronic_address {
            party.insert("electronic_address".into(), address.to_document());
        }
        insert_text(&mut party, "email", self.email.as_deref());
        Value::Object(party)
    }
}

impl Address {
    /// The first version's array when the address is only lines, else the
    /// structured object.
    fn to_document(&self) -> Value {
        if self.is_lines_only() {
            return json!(self.lines);
        }
        let mut address = Map::new();
        if !self.lines.is_empty() {
            address.insert("lines".into(), json!(self.lines));
        }
        insert_text(&mut address, "city", self.city.as_deref());
        insert_text(&mut address, "postal_code", self.postal_code.as_deref());
        insert_text(&mut address, "subdivision", self.subdivision.as_deref());
        insert_text(&mut address, "country_code", self.country_code.as_deref());
        Value::Object(address)
    }
}

impl Contact {
    fn to_document(&self) -> Value {
        let mut contact = Map::new();
        insert_text(&mut contact, "name", self.name.as_deref());
        insert_text(&mut contact, "phone", self.phone.as_deref());
        insert_text(&mut contact, "email", self.email.as_deref());
        Value::Object(contact)
    }
}

impl ElectronicAddress {
    fn to_document(&self) -> Value {
        json!({ "scheme": self.scheme, "value": self.value })
    }
}

impl Payment {
    fn to_document(&self) -> Value {
        let mut payment = Map::new();
        payment.insert("means_code".into(), json!(self.means_code));
        insert_text(&mut payment, "iban", self.iban.as_deref());
        insert_text(&mut payment, "bic", self.bic.as_deref());
        insert_text(&mut payment, "account_name", self.account_name.as_deref());
        insert_text(&mut payment, "remittance", self.remittance.as_deref());
        insert_text(&mut payment, "terms", self.terms.as_deref());
        Value::Object(payment)
    }
}

impl Line {
    /// The line at `index` (0-based) of the invoice.
    fn to_document(&self, index: usize) -> Value {
        let milli = self.quantity.milli();
        // A whole quantity stays an integer; otherwise the nearest f64 to the
        // decimal, which serde_json prints as that shortest decimal.
        let quantity = if milli % 1000 == 0 {
            Value::from(milli / 1000)
        } else {
            Value::from(milli as f64 / 1000.0)
        };
        let mut line = Map::new();
        if self.id != (index + 1).to_string() {
            line.insert("id".into(), json!(self.id));
        }
        line.insert("description".into(), json!(self.description));
        line.insert("quantity".into(), quantity);
        insert_text(&mut line, "unit", self.unit.as_deref());
        insert_text(&mut line, "unit_code", self.unit_code.as_deref());
        line.insert("unit_price_minor".into(), json!(self.unit_price_minor));
        line.insert("tax_rate_bp".into(), json!(self.tax_rate.basis_points()));
        if self.tax_category != TaxCategory::default_for(self.tax_rate) {
            line.insert("tax_category".into(), json!(self.tax_category.code()));
        }
        insert_text(&mut line, "seller_item_id", self.seller_item_id.as_deref());
        insert_text(&mut line, "gtin", self.gtin.as_deref());
        Value::Object(line)
    }
}

impl AllowanceCharge {
    fn to_document(&self) -> Value {
        let mut item = Map::new();
        insert_text(&mut item, "reason", self.reason.as_deref());
        insert_text(&mut item, "reason_code", self.reason_code.as_deref());
        item.insert("amount_minor".into(), json!(self.amount_minor));
        item.insert("tax_rate_bp".into(), json!(self.tax_rate.basis_points()));
        item.insert("tax_category".into(), json!(self.tax_category.code()));
        Value::Object(item)
    }
}

impl Exemption {
    fn to_document(&self) -> Value {
        let mut exemption = Map::new();
        insert_text(&mut exemption, "reason", self.reason.as_deref());
        insert_text(&mut exemption, "code", self.code.as_deref());
        Value::Object(exemption)
    }
}
