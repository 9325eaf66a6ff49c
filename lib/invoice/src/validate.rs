//! Parsing and validation of the invoice document, versions 1 and 1.1.
//!
//! The document is walked by hand as a [`serde_json::Value`], so that **every**
//! problem is reported at once, each as a [`Violation`]: an RFC 6901 JSON
//! pointer to the offending value and the rule it breaks, in words a producer
//! can act on (`/lines/0/quantity: must not be 0`). Unknown fields are
//! ignored. At most [`MAX_VIOLATIONS`] violations are kept; the rest are only
//! counted and summed up in one last entry at the document pointer
//! (`… and 17 more problems`), so that a huge document of garbage stays cheap
//! to reject.
//!
//! The walk of the parties is in `party`, of the lines, allowances and
//! charges in `lines`, of the payment in `payment`, and the VAT category
//! rules of EN 16931 in `tax`; the code lists and check digits are in
//! [`crate::codes`]. Rules of EN 16931 are named in the violation (`BR-AE-5`),
//! business terms where a field stands for one (`BT-84`). What an e-invoice
//! format additionally requires is not checked here.
//!
//! # Rules
//!
//! | pointer | rule |
//! |---|---|
//! | (document) | a JSON document (a UTF-8 byte order mark is skipped), whose root is an object |
//! | `/invoice_id` | required string of 1 to 64 characters from `A-Z a-z 0-9 . _ - /`; no `..`, no `.` segment, no `//`, does not start or end with `/` (it becomes part of a storage key) |
//! | `/revision` | optional (default 1), whole number from 1 to 1,000,000 |
//! | `/issue_date`, `/due_date` | required strings `YYYY-MM-DD` naming a real calendar day; the due date is not before the issue date |
//! | `/currency` | required string: a current ISO 4217 code, not superseded (`HRK`), not a fund or special unit (`XAU`) |
//! | `/document_type` | optional (default `invoice`): `invoice` or `credit_note` |
//! | `/language` | optional (default `en`): a BCP 47 tag (`de`, `de-CH`, case canonicalised) whose language is one of en de fr es it nl pt pl sv ja |
//! | `/theme` | optional: 1 to 64 characters from `A-Z a-z 0-9 . _ -`, not starting with `.` |
//! | `/einvoice` | optional: `none`, `factur-x`, `xrechnung` or `peppol` |
//! | `/buyer_reference`, `/order_reference` | optional, 1 to 200 characters, not blank |
//! | `/preceding_invoice` | optional object: `id` required, 1 to 200 characters; `issue_date` optional, a date not after `/issue_date` |
//! | `/delivery_date` | optional date; required when a tax category is K (BR-IC-11) |
//! | `/seller`, `/buyer` | required objects |
//! | `…/name` | required, 1 to 200 characters, not blank |
//! | `…/address` | required: an array of 1 to 8 printed lines, each 1 to 200 characters, not blank; or an object of `lines` (the same array, optional), `city` and `subdivision` (1 to 200 characters), `postal_code` (1 to 32), `country_code` (ISO 3166-1 alpha-2, upper case), at least one of them given |
//! | `…/vat_id` | optional, 1 to 32 characters, not blank |
//! | `…/tax_number`, `…/legal_id` | optional, 1 to 100 characters, not blank |
//! | `…/contact` | optional object of `name` (1 to 200 characters), `phone` (1 to 50), `email` (the e-mail rule), at least one given |
//! | `…/electronic_address` | optional object: `scheme` required, an EAS code (4 digits or 2 upper-case letters); `value` required, 1 to 254 characters, an e-mail address when the scheme is `EM` |
//! | `…/email` | optional, at most 254 characters, no whitespace, exactly one `@` with a local part before it and a domain with a dot after it |
//! | `/payment` | optional object |
//! | `/payment/means_code` | optional (default `58` with an IBAN, else `1`): a code of UNTDID 4461 as EN 16931 lists it |
//! | `/payment/iban` | optional: spaces removed and letters upper-cased, then the country's format and the ISO 13616 mod-97 check digits; required for means `58` (BR-61) |
//! | `/payment/bic` | optional: 8 or 11 characters, 4 letters, an ISO 3166-1 country, 2 and optionally 3 letters or digits; upper-cased |
//! | `/payment/account_name` | optional, 1 to 200 characters, not blank |
//! | `/payment/remittance` | optional, 1 to 140 characters, not blank |
//! | `/payment/terms` | optional, 1 to 1,000 characters, not blank, may contain line breaks |
//! | payment codes | where an invoice prints a Swiss QR-bill or an EPC code (`validate::payment_code`), the code's rules on the fields it is made of: a QR-IBAN takes a QR reference (27 digits, mod 10 recursive) in `/payment/remittance`, a plain CH/LI IBAN an `RF` reference or a message; the QR-bill's character set and address lengths on `/seller` and `/buyer` (name 70, street 70, postal code 16, town 35); the EPC payload's 331 bytes on `/payment` |
//! | `/lines` | required array of 1 to 5,000 lines (past 5,000 the lines themselves are not examined) |
//! | `/lines/N` | an object whose amount stays within the limit |
//! | `/lines/N/id` | optional (default the position, from 1), 1 to 100 characters, not blank, unique among the lines |
//! | `/lines/N/description` | required, 1 to 2,000 characters, not blank |
//! | `/lines/N/quantity` | required number, not 0, from -1,000,000,000 to 1,000,000,000, at most 3 decimals (negative for a returned item) |
//! | `/lines/N/unit` | optional, 1 to 16 characters, not blank |
//! | `/lines/N/unit_code` | optional: 2 or 3 upper-case letters or digits (UN/ECE Recommendation 20, shape only) |
//! | `/lines/N/unit_price_minor` | required whole number of minor units, 0 to 10^15 (BR-27) |
//! | `/lines/N/tax_rate_bp` | required whole number of basis points, 0 to 10,000; more than 0 for category S, 0 for Z E AE K G O (BR-x-5) |
//! | `/lines/N/tax_category` | optional (default `S`, or `Z` at 0 %): one of S Z E AE K G O L M (UNCL5305) |
//! | `/lines/N/seller_item_id` | optional, 1 to 100 characters, not blank |
//! | `/lines/N/gtin` | optional: 8, 12, 13 or 14 digits whose last is the GS1 check digit |
//! | `/allowances`, `/charges` | optional arrays of at most 100 objects |
//! | `…/N` | a `reason` (1 to 200 characters), a `reason_code` or both (BR-33, BR-38) |
//! | `…/N/reason_code` | an allowance's from UNTDID 5189, a charge's from UNTDID 7161, as EN 16931 lists them |
//! | `…/N/amount_minor` | required whole number of minor units, 1 to 10^15 |
//! | `…/N/tax_rate_bp`, `…/N/tax_category` | as for a line; the rate rules are BR-x-6 (allowances) and BR-x-7 (charges) |
//! | `/exemptions` | optional object; each key a tax category, each value an object with a `reason` (1 to 1,000 characters), a `code` (`VATEX-…`, at most 30 characters) or both; never for S, Z, L or M (BR-x-10) |
//! | `/exemptions` | has an entry for each of E, AE, K, G and O that an item uses (BR-x-10) |
//! | `/seller/vat_id` | given (or `tax_number`) when an item is E, AE, L or M; given when K or G; absent when O (BR-x-2, -3, -4 for a line, an allowance, a charge) |
//! | `/buyer/vat_id` | given (or `legal_id`) when an item is AE; given when K; absent when O (BR-x-2, -3, -4) |
//! | `…/N/tax_category` | O only when every line, allowance and charge is O (BR-O-12, -13, -14) |
//! | `/prepaid_minor` | optional (default 0), whole number of minor units, 0 to 10^15 |
//! | `/lines`, or the document with allowances or charges | the totals stay within 10^15 minor units |
//! | `/notes` | optional, at most 10,000 characters |
//!
//! Every string obeys the text rule: no control characters (Unicode category
//! Cc) and no bidirectional embeddings, overrides or isolates (U+202A–U+202E,
//! U+2066–U+2069), which let a text disguise what it says; `notes` and
//! `payment/terms` alone may contain line breaks (`\n`, `\r`).
//! Right-to-left, CJK and emoji text is valid. Lengths are counted in
//! characters (Unicode scalar values), not bytes.
//!
//! Optional fields may be absent or `null`. Whole-number fields accept any
//! JSON number with no fractional part (`2` and `2.0` alike, as JSON Schema's
//! `integer` does).
//!
//! A quantity given as a binary floating-point number counts as the value
//! with three decimals nearest to it when it is within 10^-14 (relative) of
//! it, which absorbs the noise of producers that compute in `f64`
//! (`0.30000000000000004` is 0.3) without ever dropping a real fourth decimal
//! (`123456789.0004` is rejected).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, Month};

use crate::limits::{
    MAX_AMOUNT_MINOR, MAX_INVOICE_ID_CHARS, MAX_NOTES_CHARS, MAX_REFERENCE_CHARS, MAX_REVISION,
    MAX_VIOLATIONS,
};
use crate::model::{
    AllowanceCharge, DocumentType, EInvoiceFormat, Invoice, InvoiceId, Language, Line,
    PrecedingInvoice, ThemeName, Totals,
};
use crate::money::{Currency, compute_totals};

mod lines;
mod party;
mod payment;
pub mod payment_code;
mod tax;

use tax::Item;

/// One broken rule: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// RFC 6901 JSON pointer to the offending value (`/lines/0/quantity`);
    /// `""` for the document as a whole.
    pub pointer: String,
    /// The rule that the value breaks, e.g. `must be greater than 0`.
    pub rule: String,
}

impl Violation {
    /// A violation of `rule` at `pointer`.
    pub fn new(pointer: impl Into<String>, rule: impl Into<String>) -> Violation {
        Violation {
            pointer: pointer.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Violation {
    /// `"/lines/0/quantity: must be greater than 0"`; the document pointer
    /// `""` is shown as `(document)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "(document): {}", self.rule)
        } else {
            write!(f, "{}: {}", self.pointer, self.rule)
        }
    }
}

/// Why a document is not a valid invoice: at least one [`Violation`], at most
/// [`MAX_VIOLATIONS`] plus one summing up the rest.
///
/// Serializes as a JSON array of `{"pointer", "rule"}` objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// The violations, in document order.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.0.iter()
    }

    /// How many entries there are (the summing-up entry included).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (never true for an error of [`parse_invoice`]).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The violations as a slice.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// The violations as a vector.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl From<Violation> for Violations {
    fn from(violation: Violation) -> Violations {
        Violations(vec![violation])
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for Violations {
    /// One violation per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// Parse and validate the JSON document.
///
/// # Errors
///
/// Every rule the document breaks. A document that is not JSON gives one
/// violation at the document pointer `""`: `must be a JSON document: …` with
/// serde_json's message, which names the line and column.
pub fn parse_invoice(json: &[u8]) -> Result<Invoice, Violations> {
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    match serde_json::from_slice::<Value>(json) {
        Ok(value) => invoice_from_value(&value),
        Err(error) => Err(Violation::new("", format!("must be a JSON document: {error}")).into()),
    }
}

/// Check an invoice id on its own (a URL path segment, a storage key part) by the same rule as
/// `/invoice_id` in a document.
///
/// # Errors
///
/// Every rule the id breaks, each at the pointer `pointer`.
pub fn parse_invoice_id(id: &str, pointer: &str) -> Result<InvoiceId, Violations> {
    let mut report = Report::default();
    let at = Path::ROOT;
    let parsed = invoice_id(&mut report, id, &at);
    match parsed {
        Some(parsed) if report.total() == 0 => Ok(parsed),
        _ => Err(Violations(
            report
                .kept
                .into_iter()
                .map(|violation| Violation::new(pointer, violation.rule))
                .collect(),
        )),
    }
}

/// Validate an already-parsed document (the `data` of an event).
///
/// # Errors
///
/// Every rule the document breaks, as for [`parse_invoice`].
pub fn invoice_from_value(value: &Value) -> Result<Invoice, Violations> {
    let mut report = Report::default();
    let invoice = document(&mut report, value);
    match invoice {
        Some(invoice) if report.total() == 0 => Ok(invoice),
        _ => {
            if report.total() == 0 {
                // Unreachable by construction: every rejected value reports.
                report.add(&Path::ROOT, "is not a valid invoice");
            }
            Err(report.finish())
        }
    }
}

// ---------------------------------------------------------------------------
// Pointers and the report
// ---------------------------------------------------------------------------

/// A JSON pointer under construction, kept on the stack; rendered only when a
/// violation is stored.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            segments.push(path.segment);
            at = path.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Key(key) => {
                    out.push('/');
                    out.push_str(&escape_pointer_token(key));
                }
                Segment::Index(index) => {
                    out.push('/');
                    out.push_str(&index.to_string());
                }
            }
        }
        out
    }
}

/// A reference token escaped as RFC 6901 requires: `~` → `~0`, `/` → `~1`.
fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The violations found so far: the first [`MAX_VIOLATIONS`] in full, the
/// others only counted.
#[derive(Default)]
struct Report {
    kept: Vec<Violation>,
    more: usize,
}

impl Report {
    fn add(&mut self, at: &Path<'_>, rule: impl fmt::Display) {
        if self.kept.len() < MAX_VIOLATIONS {
            self.kept.push(Violation {
                pointer: at.render(),
                rule: rule.to_string(),
            });
        } else {
            self.more = self.more.saturating_add(1);
        }
    }

    fn total(&self) -> usize {
        self.kept.len().saturating_add(self.more)
    }

    fn finish(mut self) -> Violations {
        match self.more {
            0 => {}
            1 => self.kept.push(Violation::new("", "… and 1 more problem")),
            n => self
                .kept
                .push(Violation::new("", format!("… and {n} more problems"))),
        }
        Violations(self.kept)
    }
}

// ---------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------

/// "a string", "null", … for "must be X (got …)".
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value of a required field; reports `is required` when it is absent.
fn required<'v>(
    report: &mut Report,
    object: &'v Map<String, Value>,
    key: &str,
    at: &Path<'_>,
) -> Option<&'v Value> {
    let value = object.get(key);
    if value.is_none() {
        report.add(at, "is required");
    }
    value
}

/// The value of an optional field; `null` counts as absent.
fn optional<'v>(object: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    object.get(key).filter(|value| !value.is_null())
}

fn object<'v>(
    report: &mut Report,
    value: &'v Value,
    at: &Path<'_>,
) -> Option<&'v Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        other => {
            report.add(at, format_args!("must be an object (got {})", kind(other)));
            None
        }
    }
}

fn array<'v>(report: &mut Report, value: &'v Value, at: &Path<'_>) -> Option<&'v [Value]> {
    match value {
        Value::Array(items) => Some(items),
        other => {
            report.add(at, format_args!("must be an array (got {})", kind(other)));
            None
        }
    }
}

fn string<'v>(report: &mut Report, value: &'v Value, at: &Path<'_>) -> Option<&'v str> {
    match value {
        Value::String(s) => Some(s),
        other => {
            report.add(at, format_args!("must be a string (got {})", kind(other)));
            None
        }
    }
}

/// A JSON number as serde_json holds it.
enum Number {
    Integer(i128),
    Float(f64),
}

fn number(value: &Value) -> Option<Number> {
    let Value::Number(n) = value else {
        return None;
    };
    if let Some(i) = n.as_i64() {
        Some(Number::Integer(i128::from(i)))
    } else if let Some(u) = n.as_u64() {
        Some(Number::Integer(i128::from(u)))
    } else {
        n.as_f64().map(Number::Float)
    }
}

/// How to report a whole-number field.
struct WholeRule {
    min: i128,
    max: i128,
    not_whole: &'static str,
    too_large_note: &'static str,
}

/// A whole number within `rule.min..=rule.max`; `2.0` counts as `2`.
fn whole_number(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
    rule: &WholeRule,
) -> Option<i128> {
    let Some(n) = number(value) else {
        report.add(at, format_args!("must be an integer (got {})", kind(value)));
        return None;
    };
    let n = match n {
        Number::Integer(i) => i,
        // `as` saturates, so 1e300 becomes i128::MAX and fails the range check.
        Number::Float(f) if f.is_finite() && f.fract() == 0.0 => f as i128,
        Number::Float(_) => {
            report.add(at, rule.not_whole);
            return None;
        }
    };
    if n < rule.min {
        if rule.min == 0 {
            report.add(at, "must not be negative");
        } else {
            report.add(at, format_args!("must be at least {}", rule.min));
        }
        None
    } else if n > rule.max {
        report.add(
            at,
            format_args!("must be at most {}{}", rule.max, rule.too_large_note),
        );
        None
    } else {
        Some(n)
    }
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

/// The length and content rules of one text field.
struct TextRule {
    max_chars: usize,
    /// Must have at least one character that is not whitespace.
    not_blank: bool,
    /// May contain `\n` and `\r`.
    multiline: bool,
}

/// The rule of a one-line text that must not be blank.
const fn single_line(max_chars: usize) -> TextRule {
    TextRule {
        max_chars,
        not_blank: true,
        multiline: false,
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks `s` against `rule`, reporting each broken part; true when valid.
fn text(report: &mut Report, s: &str, at: &Path<'_>, rule: &TextRule) -> bool {
    let before = report.total();
    if rule.not_blank {
        if s.is_empty() {
            report.add(at, "must not be empty");
        } else if s.trim().is_empty() {
            report.add(at, "must not be blank");
        }
    }
    let chars = s.chars().count();
    if chars > rule.max_chars {
        report.add(
            at,
            format_args!(
                "must be at most {} characters (has {chars})",
                rule.max_chars
            ),
        );
    }
    let forbidden = s.chars().enumerate().find(|&(_, c)| {
        (c.is_control() && !(rule.multiline && matches!(c, '\n' | '\r'))) || is_bidi_control(c)
    });
    if let Some((index, c)) = forbidden {
        let what = if c.is_control() {
            "control characters"
        } else {
            "bidirectional override or isolate characters"
        };
        report.add(
            at,
            format_args!(
                "must not contain {what} (U+{:04X} at character {})",
                u32::from(c),
                index + 1
            ),
        );
    }
    report.total() == before
}

/// A text field's value as an owned string, when it is a valid text.
fn text_value(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
    rule: &TextRule,
) -> Option<String> {
    let s = string(report, value, at)?;
    text(report, s, at, rule).then(|| s.to_owned())
}

/// An optional text field: `Ok(None)` when absent, `Err(())` when invalid.
fn optional_text(
    report: &mut Report,
    object: &Map<String, Value>,
    key: &str,
    at: &Path<'_>,
    rule: &TextRule,
) -> Result<Option<String>, ()> {
    let at = at.key(key);
    match optional(object, key) {
        None => Ok(None),
        Some(value) => text_value(report, value, &at, rule).map(Some).ok_or(()),
    }
}

/// An optional string field read by `parse` (a code, a tag, an IBAN):
/// `Ok(None)` when absent, `Err(())` when invalid, with `parse`'s error as the
/// rule.
fn optional_parsed<T>(
    report: &mut Report,
    object: &Map<String, Value>,
    key: &str,
    at: &Path<'_>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ()> {
    let at = at.key(key);
    let Some(value) = optional(object, key) else {
        return Ok(None);
    };
    let s = string(report, value, &at).ok_or(())?;
    match parse(s) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(rule) => {
            report.add(&at, rule);
            Err(())
        }
    }
}

/// An optional date field: `Ok(None)` when absent, `Err(())` when invalid.
fn optional_date<'v>(
    report: &mut Report,
    object: &'v Map<String, Value>,
    key: &str,
    at: &Path<'_>,
) -> Result<Option<(Date, &'v str)>, ()> {
    match optional(object, key) {
        None => Ok(None),
        Some(value) => date(report, value, &at.key(key)).map(Some).ok_or(()),
    }
}

// ---------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------

fn document(report: &mut Report, value: &Value) -> Option<Invoice> {
    let root = Path::ROOT;
    let Value::Object(doc) = value else {
        report.add(
            &root,
            format_args!("must be a JSON object (got {})", kind(value)),
        );
        return None;
    };

    let id = {
        let at = root.key("invoice_id");
        required(report, doc, "invoice_id", &at)
            .and_then(|v| string(report, v, &at))
            .and_then(|s| invoice_id(report, s, &at))
    };
    let revision = revision(report, doc, &root);
    let (issue_date, due_date) = issue_and_due_dates(report, doc);
    let currency = currency(report, doc);
    let header = header(report, doc, issue_date);

    let seller = {
        let at = root.key("seller");
        required(report, doc, "seller", &at).and_then(|v| party::party(report, v, &at))
    };
    let buyer = {
        let at = root.key("buyer");
        required(report, doc, "buyer", &at).and_then(|v| party::party(report, v, &at))
    };
    let payment = match optional(doc, "payment") {
        None => Ok(None),
        Some(v) => payment::payment(report, v, &root.key("payment"))
            .map(Some)
            .ok_or(()),
    };
    let lines = {
        let at = root.key("lines");
        required(report, doc, "lines", &at).and_then(|v| lines::lines(report, v, &at))
    };
    let allowances = optional_list(report, doc, "allowances", Item::Allowance);
    let charges = optional_list(report, doc, "charges", Item::Charge);
    let exemptions = match optional(doc, "exemptions") {
        None => Ok(BTreeMap::new()),
        Some(v) => tax::exemptions(report, v, &root.key("exemptions")).ok_or(()),
    };
    let prepaid_minor = prepaid_minor(report, doc);
    let notes = optional_text(
        report,
        doc,
        "notes",
        &root,
        &TextRule {
            max_chars: MAX_NOTES_CHARS,
            not_blank: false,
            multiline: true,
        },
    );

    let (lines, allowances, charges) = (lines?, allowances.ok()?, charges.ok()?);
    tax::check_categories(
        report,
        &tax::Categorised {
            lines: &lines,
            allowances: &allowances,
            charges: &charges,
            seller: seller.as_ref(),
            buyer: buyer.as_ref(),
            has_delivery_date: matches!(header.delivery_date, Ok(Some(_))),
            exemptions: exemptions.as_ref().ok(),
        },
    );
    let totals = totals(report, &lines, &allowances, &charges, prepaid_minor?)?;

    let invoice = Invoice {
        id: id?,
        revision: revision?,
        issue_date: issue_date?.0,
        due_date: due_date?.0,
        currency: currency?,
        document_type: header.document_type.ok()?.unwrap_or_default(),
        language: header.language.ok()?.unwrap_or_default(),
        theme: header.theme.ok()?,
        einvoice: header.einvoice.ok()?,
        buyer_reference: header.buyer_reference.ok()?,
        order_reference: header.order_reference.ok()?,
        preceding_invoice: header.preceding_invoice.ok()?,
        delivery_date: header.delivery_date.ok()?,
        seller: seller?,
        buyer: buyer?,
        payment: payment.ok()?,
        lines,
        allowances,
        charges,
        exemptions: exemptions.ok()?,
        notes: notes.ok()?,
        totals,
    };
    payment_code::check(report, &invoice);
    Some(invoice)
}

/// A date and its text, to quote it in a rule.
type DateText<'v> = (Date, &'v str);

/// The issue date and the due date, the latter checked against the former.
fn issue_and_due_dates<'v>(
    report: &mut Report,
    doc: &'v Map<String, Value>,
) -> (Option<DateText<'v>>, Option<DateText<'v>>) {
    let root = Path::ROOT;
    let issue_date = {
        let at = root.key("issue_date");
        required(report, doc, "issue_date", &at).and_then(|v| date(report, v, &at))
    };
    let due_date = {
        let at = root.key("due_date");
        required(report, doc, "due_date", &at).and_then(|v| date(report, v, &at))
    };
    if let (Some((issue, issue_text)), Some((due, _))) = (issue_date, due_date)
        && due < issue
    {
        report.add(
            &root.key("due_date"),
            format_args!("must not be before issue_date ({issue_text})"),
        );
    }
    (issue_date, due_date)
}

fn currency(report: &mut Report, doc: &Map<String, Value>) -> Option<Currency> {
    let at = Path::ROOT.key("currency");
    required(report, doc, "currency", &at)
        .and_then(|v| string(report, v, &at))
        .and_then(|s| match Currency::from_code(s) {
            Ok(currency) => Some(currency),
            Err(rule) => {
                report.add(&at, rule);
                None
            }
        })
}

/// BT-113: what was paid already; 0 when absent.
fn prepaid_minor(report: &mut Report, doc: &Map<String, Value>) -> Option<i64> {
    match optional(doc, "prepaid_minor") {
        None => Some(0),
        Some(v) => whole_number(
            report,
            v,
            &Path::ROOT.key("prepaid_minor"),
            &WholeRule {
                min: 0,
                max: i128::from(MAX_AMOUNT_MINOR),
                not_whole: "must be a whole number of minor units",
                too_large_note: "",
            },
        )
        .and_then(|n| i64::try_from(n).ok()),
    }
}

/// The totals, or the violation of a limit they pass.
fn totals(
    report: &mut Report,
    lines: &[Line],
    allowances: &[AllowanceCharge],
    charges: &[AllowanceCharge],
    prepaid_minor: i64,
) -> Option<Totals> {
    match compute_totals(lines, allowances, charges, prepaid_minor) {
        Ok(totals) => Some(totals),
        Err(rule) => {
            // Lines alone point at the lines, as the first version did.
            let only_lines = allowances.is_empty() && charges.is_empty();
            let root = Path::ROOT;
            let at = if only_lines { root.key("lines") } else { root };
            report.add(&at, rule);
            None
        }
    }
}

fn revision(report: &mut Report, doc: &Map<String, Value>, root: &Path<'_>) -> Option<u32> {
    match optional(doc, "revision") {
        None => Some(1),
        Some(v) => whole_number(
            report,
            v,
            &root.key("revision"),
            &WholeRule {
                min: 1,
                max: i128::from(MAX_REVISION),
                not_whole: "must be a whole number",
                too_large_note: "",
            },
        )
        .and_then(|n| u32::try_from(n).ok()),
    }
}

/// The optional fields of the 1.1 document that describe the document as a
/// whole; `Err(())` marks one that was given and is invalid.
struct Header {
    document_type: Result<Option<DocumentType>, ()>,
    language: Result<Option<Language>, ()>,
    theme: Result<Option<ThemeName>, ()>,
    einvoice: Result<Option<EInvoiceFormat>, ()>,
    buyer_reference: Result<Option<String>, ()>,
    order_reference: Result<Option<String>, ()>,
    preceding_invoice: Result<Option<PrecedingInvoice>, ()>,
    delivery_date: Result<Option<Date>, ()>,
}

fn header(
    report: &mut Report,
    doc: &Map<String, Value>,
    issue_date: Option<(Date, &str)>,
) -> Header {
    let root = Path::ROOT;
    let reference = single_line(MAX_REFERENCE_CHARS);
    Header {
        document_type: optional_parsed(report, doc, "document_type", &root, str::parse),
        language: optional_parsed(report, doc, "language", &root, str::parse),
        theme: optional_parsed(report, doc, "theme", &root, str::parse),
        einvoice: optional_parsed(report, doc, "einvoice", &root, str::parse),
        buyer_reference: optional_text(report, doc, "buyer_reference", &root, &reference),
        order_reference: optional_text(report, doc, "order_reference", &root, &reference),
        preceding_invoice: match optional(doc, "preceding_invoice") {
            None => Ok(None),
            Some(v) => preceding_invoice(report, v, &root.key("preceding_invoice"), issue_date)
                .map(Some)
                .ok_or(()),
        },
        delivery_date: optional_date(report, doc, "delivery_date", &root)
            .map(|date| date.map(|(date, _)| date)),
    }
}

fn preceding_invoice(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
    issue_date: Option<(Date, &str)>,
) -> Option<PrecedingInvoice> {
    let fields = object(report, value, at)?;
    let id = {
        let at = at.key("id");
        required(report, fields, "id", &at)
            .and_then(|v| text_value(report, v, &at, &single_line(MAX_REFERENCE_CHARS)))
    };
    let preceding_date = optional_date(report, fields, "issue_date", at);
    if let (Ok(Some((preceding, _))), Some((issue, issue_text))) = (preceding_date, issue_date)
        && preceding > issue
    {
        report.add(
            &at.key("issue_date"),
            format_args!("must not be after the issue_date of this document ({issue_text})"),
        );
        return None;
    }
    Some(PrecedingInvoice {
        id: id?,
        issue_date: preceding_date.ok()?.map(|(date, _)| date),
    })
}

/// `allowances` or `charges`: an empty list when absent.
fn optional_list(
    report: &mut Report,
    doc: &Map<String, Value>,
    key: &str,
    item: Item,
) -> Result<Vec<AllowanceCharge>, ()> {
    match optional(doc, key) {
        None => Ok(Vec::new()),
        Some(v) => lines::allowances_or_charges(report, v, &Path::ROOT.key(key), item).ok_or(()),
    }
}

fn invoice_id(report: &mut Report, s: &str, at: &Path<'_>) -> Option<InvoiceId> {
    let before = report.total();
    if s.is_empty() {
        report.add(at, "must not be empty");
        return None;
    }
    let chars = s.chars().count();
    if chars > MAX_INVOICE_ID_CHARS {
        report.add(
            at,
            format_args!("must be at most {MAX_INVOICE_ID_CHARS} characters (has {chars})"),
        );
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/');
    if let Some((index, c)) = s.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        report.add(
            at,
            format_args!(
                "must contain only A-Z, a-z, 0-9, '.', '_', '-' and '/' (U+{:04X} at character {})",
                u32::from(c),
                index + 1
            ),
        );
    }
    if s.contains("..") {
        report.add(at, "must not contain \"..\"");
    } else if s.split('/').any(|segment| segment == ".") {
        report.add(at, "must not have \".\" between slashes");
    }
    if s.starts_with('/') || s.ends_with('/') {
        report.add(at, "must not start or end with \"/\"");
    }
    if s.contains("//") {
        report.add(at, "must not contain \"//\"");
    }
    (report.total() == before).then(|| InvoiceId(s.to_owned()))
}

/// A `YYYY-MM-DD` date and its text.
fn date<'v>(report: &mut Report, value: &'v Value, at: &Path<'_>) -> Option<(Date, &'v str)> {
    let s = string(report, value, at)?;
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        report.add(at, "must be a date written YYYY-MM-DD, like 2026-11-26");
        return None;
    }
    // Only ASCII digits: the numbers are small and always parse.
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0_i32, |n, d| n * 10 + i32::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let Some(month) = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
    else {
        report.add(
            at,
            format_args!("must be a real calendar date (there is no month {month:02})"),
        );
        return None;
    };
    let length = month.length(year);
    if day < 1 || day > i32::from(length) {
        report.add(
            at,
            format_args!(
                "must be a real calendar date ({month} {year:04} has {length} days, not {day:02})"
            ),
        );
        return None;
    }
    match u8::try_from(day)
        .ok()
        .and_then(|d| Date::from_calendar_date(year, month, d).ok())
    {
        Some(date) => Some((date, s)),
        None => {
            report.add(at, "must be a real calendar date");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped_as_rfc_6901_says() {
        assert_eq!(escape_pointer_token("a/b"), "a~1b");
        assert_eq!(escape_pointer_token("m~n"), "m~0n");
        assert_eq!(escape_pointer_token("~1"), "~01");
        let root = Path::ROOT;
        let lines = root.key("lines");
        let first = lines.index(0);
        assert_eq!(first.key("a/b~").render(), "/lines/0/a~1b~0");
        assert_eq!(root.render(), "");
    }

    #[test]
    fn the_report_counts_past_the_cap() {
        let mut report = Report::default();
        for _ in 0..MAX_VIOLATIONS + 7 {
            report.add(&Path::ROOT.key("x"), "bad");
        }
        assert_eq!(report.total(), MAX_VIOLATIONS + 7);
        let violations = report.finish();
        assert_eq!(violations.len(), MAX_VIOLATIONS + 1);
        assert_eq!(
            violations.as_slice()[MAX_VIOLATIONS],
            Violation::new("", "… and 7 more problems")
        );
    }

    #[test]
    fn one_more_problem_is_singular() {
        let mut report = Report::default();
        for _ in 0..=MAX_VIOLATIONS {
            report.add(&Path::ROOT, "bad");
        }
        let violations = report.finish();
        assert_eq!(
            violations.as_slice()[MAX_VIOLATIONS].rule,
            "… and 1 more problem"
        );
    }
}
