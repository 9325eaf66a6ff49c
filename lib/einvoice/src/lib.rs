//! paperflow's e-invoices: whether an invoice can become a Factur-X, XRechnung or Peppol BIS
//! e-invoice, and its XML. Pure: no I/O, no AWS, no Lambda types.
//!
//! # Layout
//!
//! - [`requirements`]: what each format requires of an [`Invoice`] beyond the model's own
//!   validation, as a table ([`requirements::REQUIREMENTS`]) that [`check`] walks; each problem
//!   is a [`Violation`] naming the document's JSON pointer, the rule and its business term.
//! - [`cii`]: the UN/CEFACT CII D16B XML (Factur-X EN 16931, XRechnung 3.0).
//! - [`ubl`]: the UBL 2.1 Invoice or CreditNote of Peppol BIS Billing 3.0.
//!
//! The XML is checked in the test suite by the official XML Schemas and schematrons
//! (`scripts/check_einvoice.py`, `tests/official_validators.rs`), which this crate does not
//! depend on.

#![forbid(unsafe_code)]

pub mod cii;
pub mod requirements;
pub mod ubl;
mod xml;

pub use paperflow_invoice::Violation;
pub use paperflow_invoice::model::EInvoiceFormat;
use paperflow_invoice::model::Invoice;
pub use requirements::check;

/// The e-invoice XML of `invoice` in `format`, after [`check`]: every reason it cannot be that
/// format, or the bytes (UTF-8, deterministic). `EInvoiceFormat::None` has no XML: it is one
/// violation at `/einvoice`.
pub fn to_xml(invoice: &Invoice, format: EInvoiceFormat) -> Result<Vec<u8>, Vec<Violation>> {
    check(invoice, format)?;
    match format {
        EInvoiceFormat::FacturX => Ok(cii::write(invoice, cii::CiiProfile::FacturX)),
        EInvoiceFormat::XRechnung => Ok(cii::write(invoice, cii::CiiProfile::XRechnung)),
        EInvoiceFormat::Peppol => Ok(ubl::write(invoice)),
        EInvoiceFormat::None => Err(vec![Violation::new(
            "/einvoice",
            "names no e-invoice format: \"none\" has no XML",
        )]),
    }
}
