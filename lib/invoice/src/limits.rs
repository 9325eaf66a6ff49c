//! Every bound that validation enforces, in one place.
//!
//! The limits keep a document printable, storable and cheap to check: an
//! invoice that passes them fits the PDF layout, its id fits inside an S3 key,
//! and no amount can overflow the arithmetic of [`crate::money`] (every
//! intermediate product is computed in `i128`, every stored amount is at most
//! [`MAX_AMOUNT_MINOR`], which leaves `i64` three orders of magnitude of room).

/// The largest amount, in minor units, that any unit price, line net, group
/// net, tax or total may reach: 10^15 (ten trillion euros in cents).
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

/// The most lines an invoice may have.
pub const MAX_LINES: usize = 5_000;

/// How many violations are reported in full; the rest are only counted.
pub const MAX_VIOLATIONS: usize = 100;

/// The longest invoice id, in characters.
pub const MAX_INVOICE_ID_CHARS: usize = 64;

/// The highest revision number.
pub const MAX_REVISION: u32 = 1_000_000;

/// The longest party name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The most address lines of a party.
pub const MAX_ADDRESS_LINES: usize = 8;

/// The longest address line, in characters.
pub const MAX_ADDRESS_LINE_CHARS: usize = 200;

/// The longest VAT id, in characters.
pub const MAX_VAT_ID_CHARS: usize = 32;

/// The longest e-mail address, in characters (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;

/// The longest line description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// The largest quantity of one line, in whole units.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// The most decimals a quantity may have (quantities are kept in thousandths).
pub const MAX_QUANTITY_DECIMALS: u32 = 3;

/// The longest unit (`pcs`, `h`, …), in characters.
pub const MAX_UNIT_CHARS: usize = 16;

/// The highest tax rate, in basis points (10000 = 100 %).
pub const MAX_TAX_RATE_BP: u32 = 10_000;

/// The longest notes text, in characters.
pub const MAX_NOTES_CHARS: usize = 10_000;

/// The most document-level allowances, and the most charges, of an invoice.
pub const MAX_ALLOWANCES_CHARGES: usize = 100;

/// The longest reference (`buyer_reference`, `order_reference`, the
/// preceding invoice's id), in characters.
pub const MAX_REFERENCE_CHARS: usize = 200;

/// The longest identifier (a line id, a seller's item id, a tax number, a
/// legal registration id, an electronic address), in characters.
pub const MAX_IDENTIFIER_CHARS: usize = 100;

/// The longest postal code, in characters.
pub const MAX_POSTAL_CODE_CHARS: usize = 32;

/// The longest telephone number, in characters.
pub const MAX_PHONE_CHARS: usize = 50;

/// The longest reason of an allowance or charge, and the longest account
/// name, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// The longest remittance information, in characters (what a SEPA transfer
/// carries).
pub const MAX_REMITTANCE_CHARS: usize = 140;

/// The longest payment terms and exemption reason, in characters.
pub const MAX_TERMS_CHARS: usize = 1_000;
