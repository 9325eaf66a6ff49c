//! Payment QR codes for paperflow's invoices, and the checks of what goes into them.
//!
//! - [`EpcTransfer`]: the EPC QR code ("GiroCode", EPC069-12 version 002) of a SEPA credit
//!   transfer in euros, printed when an invoice in EUR has an IBAN.
//! - [`SwissQrBill`]: the Swiss QR-bill's code (SIX IG QR-bill 2.x), for CHF and EUR invoices
//!   paid to a Swiss or Liechtenstein IBAN or QR-IBAN.
//! - [`Iban`], [`QrReference`], [`CreditorReference`]: account and references with their check
//!   digits (ISO 13616 mod 97, Swiss modulo 10 recursive, ISO 11649 mod 97).
//! - [`QrSymbol`]: the module grid of a payload at error correction level M, for the renderer
//!   to draw.
//!
//! Every builder reports all the rules a payment breaks at once ([`InvalidPayment`]), each with
//! its field. The crate is pure: no I/O, no drawing; the printed size of a symbol, its quiet
//! zone, the Swiss cross and the QR-bill's payment part are the renderer's.
//!
//! ```
//! use paperflow_payment_qr::{EpcTransfer, Iban, Remittance};
//!
//! let transfer = EpcTransfer {
//!     bic: None,
//!     name: "Northwind Components GmbH".into(),
//!     iban: Iban::parse("DE89 3704 0044 0532 0130 00").unwrap(),
//!     amount_cents: Some(123_456),
//!     purpose: None,
//!     remittance: Some(Remittance::Unstructured("INV-2026-000123".into())),
//!     information: None,
//! };
//! let (payload, symbol) = transfer.symbol().unwrap();
//! assert!(payload.starts_with("BCD\n002\n1\nSCT\n\nNorthwind Components GmbH\n"));
//! assert_eq!((symbol.version(), symbol.size()), (6, 41)); // 92 bytes at level M
//! ```

mod epc;
mod iban;
mod problem;
mod reference;
mod swiss;
mod symbol;

pub use epc::{EPC_MAX_AMOUNT_CENTS, EPC_MAX_PAYLOAD_BYTES, EpcTransfer, Remittance};
pub use iban::{Iban, IbanError};
pub use problem::{InvalidPayment, Problem};
pub use reference::{CreditorReference, QrReference, ReferenceError, mod10_recursive};
pub use swiss::{
    SWISS_MAX_AMOUNT_MINOR, SWISS_MAX_PAYLOAD_CHARS, SwissAddress, SwissQrBill, SwissReference,
    is_qr_bill_character,
};
pub use symbol::{EPC_VERSIONS, QrSymbol, SWISS_VERSIONS, SymbolTooLarge};
