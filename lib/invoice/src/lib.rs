//! The invoice domain of paperflow: the invoice model, money and tax
//! arithmetic, and the validation of the invoice document. No I/O, no AWS, no
//! Lambda types, and no panics on any input.
//!
//! # Layout
//!
//! - [`model`]: the validated types of the EN 16931 model ([`Invoice`],
//!   [`Party`], [`Address`], [`Payment`], [`Line`], [`AllowanceCharge`],
//!   [`TaxCategory`], [`Totals`], [`TaxGroup`], [`InvoiceId`], …), each field
//!   naming its business term. A value of them exists only after validation
//!   accepted a document; [`Invoice::to_document`] writes it back.
//! - [`money`]: [`Currency`] (ISO 4217 with its exponent), [`Quantity`]
//!   (thousandths), [`TaxRate`] (basis points), the formatting of amounts, and
//!   the arithmetic: [`line_net_minor`], [`tax_minor`], [`compute_totals`].
//!   Its module docs state the rounding rule.
//! - [`limits`]: every bound validation enforces (amounts, lengths, counts).
//! - [`codes`]: the code lists (UNTDID 4461, 5189, 7161, ISO 3166-1) and
//!   check digits (IBAN, GTIN) the document is checked against.
//! - [`validate`]: [`parse_invoice`] and [`invoice_from_value`], which walk the
//!   JSON by hand and report every problem at once as [`Violations`], each a
//!   JSON pointer and a rule. Its module docs list the rules.
//!
//! # Example
//!
//! ```
//! let json = br#"{
//!   "invoice_id": "INV-2026-000123",
//!   "issue_date": "2026-11-26", "due_date": "2026-12-26", "currency": "EUR",
//!   "seller": { "name": "Northwind Components GmbH", "address": ["Hafenstrasse 12", "20457 Hamburg"] },
//!   "buyer":  { "name": "Contoso Facilities Ltd", "address": ["Leeds LS1 4AP"], "email": "ap@contoso.example" },
//!   "lines": [ { "description": "Insulated gasket set", "quantity": 24, "unit": "pcs",
//!                "unit_price_minor": 87827, "tax_rate_bp": 2000 } ]
//! }"#;
//! let invoice = paperflow_invoice::parse_invoice(json).expect("valid");
//! assert_eq!(invoice.currency.format_with_code(invoice.totals.gross_minor), "EUR 25,294.18");
//! assert_eq!(invoice.buyer_email(), Some("ap@contoso.example"));
//!
//! let errors = paperflow_invoice::parse_invoice(br#"{"invoice_id": "../x"}"#).unwrap_err();
//! assert!(errors.iter().any(|v| v.pointer == "/invoice_id"));
//! assert!(errors.iter().any(|v| v.pointer == "/lines" && v.rule == "is required"));
//! ```

#![forbid(unsafe_code)]

pub mod codes;
mod document;
pub mod limits;
pub mod model;
pub mod money;
pub mod validate;

pub use model::{
    Address, AllowanceCharge, Contact, DocumentType, EInvoiceFormat, ElectronicAddress, Exemption,
    Invoice, InvoiceId, Language, Line, Party, Payment, PrecedingInvoice, SUPPORTED_LANGUAGES,
    TaxCategory, TaxGroup, ThemeName, Totals,
};
pub use money::{Currency, Quantity, TaxRate, compute_totals, line_net_minor, tax_minor};
pub use validate::{Violation, Violations, invoice_from_value, parse_invoice, parse_invoice_id};
