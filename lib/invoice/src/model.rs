//! The validated invoice: what the rest of paperflow may rely on.
//!
//! Values of these types exist only after [`crate::parse_invoice`] accepted a
//! document, so every field already satisfies the rules of `validate`: ids are
//! safe inside an S3 key, text has no control characters, amounts fit the
//! limits, codes come from their code lists and every total is computed here,
//! never taken from the input.
//!
//! The model follows EN 16931, the European semantic model of an invoice: a
//! field that has a business term there names it (`BT-n` for a term, `BG-n`
//! for a group), so that an e-invoice writer can map each one without
//! guessing. A document of the first version (none of the 1.1 fields) gives
//! an invoice whose new fields hold their defaults.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use time::Date;

use crate::money::{Currency, Quantity, TaxRate};

/// An invoice that passed validation, with its totals computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// BT-1: the producer's invoice number, 1 to 64 characters from
    /// `[A-Za-z0-9._/-]`.
    pub id: InvoiceId,
    /// 1, 2, …: a later revision supersedes an earlier one.
    pub revision: u32,
    /// BT-2: the day the invoice was issued.
    pub issue_date: Date,
    /// BT-9: the day payment is due; never before `issue_date`.
    pub due_date: Date,
    /// BT-5: the currency every amount is expressed in.
    pub currency: Currency,
    /// BT-3: an invoice (380) or a credit note (381); default invoice.
    pub document_type: DocumentType,
    /// The language of the printed labels, numbers and dates; default `en`.
    pub language: Language,
    /// The brand the PDF is printed in (`themes/{theme}/` in the documents
    /// bucket); `None` for paperflow's own look.
    pub theme: Option<ThemeName>,
    /// The e-invoice the document asked for; `None` when it did not ask, and
    /// the deployment's default applies.
    pub einvoice: Option<EInvoiceFormat>,
    /// BT-10: the buyer's reference (the Leitweg-ID for XRechnung).
    pub buyer_reference: Option<String>,
    /// BT-13: the buyer's purchase order.
    pub order_reference: Option<String>,
    /// BG-3: the invoice this document corrects or credits.
    pub preceding_invoice: Option<PrecedingInvoice>,
    /// BT-72: the day the goods or services were delivered.
    pub delivery_date: Option<Date>,
    /// BG-4: who issues the invoice.
    pub seller: Party,
    /// BG-7: who pays it.
    pub buyer: Party,
    /// BG-16: how to pay.
    pub payment: Option<Payment>,
    /// BG-25: at least one line, at most [`crate::limits::MAX_LINES`].
    pub lines: Vec<Line>,
    /// BG-20: allowances on the document as a whole, each lowering the
    /// tax basis of its group.
    pub allowances: Vec<AllowanceCharge>,
    /// BG-21: charges on the document as a whole (freight, packing), each
    /// raising the tax basis of its group.
    pub charges: Vec<AllowanceCharge>,
    /// BT-120 / BT-121: why a category is exempt from tax, per category
    /// (only for categories the invoice uses).
    pub exemptions: BTreeMap<TaxCategory, Exemption>,
    /// BT-22: free text printed under the totals; may contain line breaks.
    pub notes: Option<String>,
    /// BG-22 and BG-23: every total, computed from the lines, allowances,
    /// charges and the amount already paid.
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

impl fmt::Display for InvoiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// BT-3, the kind of document: what the totals mean to the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DocumentType {
    /// A commercial invoice (UNTDID 1001 code 380): the buyer owes the total.
    #[default]
    Invoice,
    /// A credit note (UNTDID 1001 code 381): the seller owes the total back.
    CreditNote,
}

impl DocumentType {
    /// The UNTDID 1001 code: `"380"` or `"381"`.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::Invoice => "380",
            DocumentType::CreditNote => "381",
        }
    }

    /// The document's spelling: `"invoice"` or `"credit_note"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Invoice => "invoice",
            DocumentType::CreditNote => "credit_note",
        }
    }
}

impl FromStr for DocumentType {
    type Err = String;

    /// `"invoice"` or `"credit_note"`; the error is the broken rule.
    fn from_str(s: &str) -> Result<DocumentType, String> {
        match s {
            "invoice" => Ok(DocumentType::Invoice),
            "credit_note" => Ok(DocumentType::CreditNote),
            _ => Err("must be \"invoice\" or \"credit_note\"".into()),
        }
    }
}

/// The primary language subtags paperflow prints labels in.
pub const SUPPORTED_LANGUAGES: [&str; 10] =
    ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja"];

/// A BCP 47 language tag whose primary language paperflow supports
/// ([`SUPPORTED_LANGUAGES`]), kept in its canonical spelling (`de-CH`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language {
    tag: String,
    /// The length of the primary subtag at the start of `tag`.
    primary_len: usize,
}

impl Language {
    /// The whole tag in canonical case: `"de-CH"`, `"pt-BR"`, `"en"`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The primary language subtag: `"de"` for `de-CH`.
    pub fn primary(&self) -> &str {
        &self.tag[..self.primary_len]
    }
}

impl Default for Language {
    /// English, `"en"`.
    fn default() -> Language {
        Language {
            tag: "en".into(),
            primary_len: 2,
        }
    }
}

impl FromStr for Language {
    type Err = String;

    /// A well-formed BCP 47 tag (`de`, `de-CH`, `pt-BR`, `en-GB-u-ca-gregory`)
    /// whose primary language is supported; case is canonicalised. The error
    /// is the broken rule, listing the supported languages when that is what
    /// failed.
    fn from_str(s: &str) -> Result<Language, String> {
        let locale = icu_locale_core::Locale::try_from_str(s).map_err(|_| {
            format!("must be a BCP 47 language tag like \"de\" or \"de-CH\" (got {s:?})")
        })?;
        let primary = locale.id.language.as_str();
        if !SUPPORTED_LANGUAGES.contains(&primary) {
            return Err(format!(
                "must be a language paperflow supports: {} (got {primary:?})",
                SUPPORTED_LANGUAGES.join(" ")
            ));
        }
        let primary_len = primary.len();
        Ok(Language {
            tag: locale.to_string(),
            primary_len,
        })
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

/// The name of a theme, safe as one segment of a storage key
/// (`themes/{name}/theme.json`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThemeName(String);

/// The longest theme name, in characters.
pub const MAX_THEME_CHARS: usize = 64;

impl ThemeName {
    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ThemeName {
    type Err = String;

    /// 1 to 64 characters from `A-Z a-z 0-9 . _ -`, not starting with `.`
    /// (so neither `.` nor `..`); the error is the broken rule.
    fn from_str(s: &str) -> Result<ThemeName, String> {
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        let chars = s.chars().count();
        if chars > MAX_THEME_CHARS {
            return Err(format!(
                "must be at most {MAX_THEME_CHARS} characters (has {chars})"
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if let Some((index, c)) = s.chars().enumerate().find(|&(_, c)| !allowed(c)) {
            return Err(format!(
                "must contain only A-Z, a-z, 0-9, '.', '_' and '-' (U+{:04X} at character {})",
                u32::from(c),
                index + 1
            ));
        }
        if s.starts_with('.') {
            return Err("must not start with \".\"".into());
        }
        Ok(ThemeName(s.to_owned()))
    }
}

impl fmt::Display for ThemeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The structured invoice that goes with the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EInvoiceFormat {
    /// No e-invoice: the PDF alone.
    None,
    /// Factur-X (ZUGFeRD 2.x), EN 16931 profile: CII XML inside a PDF/A-3b.
    FacturX,
    /// XRechnung 3.0 CII XML, stored beside the PDF.
    XRechnung,
    /// Peppol BIS Billing 3.0 UBL, stored beside the PDF.
    Peppol,
}

impl EInvoiceFormat {
    /// The document's spelling: `"none"`, `"factur-x"`, `"xrechnung"` or
    /// `"peppol"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EInvoiceFormat::None => "none",
            EInvoiceFormat::FacturX => "factur-x",
            EInvoiceFormat::XRechnung => "xrechnung",
            EInvoiceFormat::Peppol => "peppol",
        }
    }
}

impl FromStr for EInvoiceFormat {
    type Err = String;

    /// The document's spelling; the error is the broken rule.
    fn from_str(s: &str) -> Result<EInvoiceFormat, String> {
        match s {
            "none" => Ok(EInvoiceFormat::None),
            "factur-x" => Ok(EInvoiceFormat::FacturX),
            "xrechnung" => Ok(EInvoiceFormat::XRechnung),
            "peppol" => Ok(EInvoiceFormat::Peppol),
            _ => Err("must be \"none\", \"factur-x\", \"xrechnung\" or \"peppol\"".into()),
        }
    }
}

impl fmt::Display for EInvoiceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// BG-3: a reference to an earlier invoice, which a credit note credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrecedingInvoice {
    /// BT-25: the earlier invoice's number.
    pub id: String,
    /// BT-26: the earlier invoice's issue date.
    pub issue_date: Option<Date>,
}

/// A seller (BG-4) or a buyer (BG-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// BT-27 / BT-44: legal name.
    pub name: String,
    /// BG-5 / BG-8: postal address.
    pub address: Address,
    /// BT-31 / BT-48: VAT identifier, printed as given.
    pub vat_id: Option<String>,
    /// BT-32: the seller's tax registration number (a buyer's is kept too).
    pub tax_number: Option<String>,
    /// BT-30 / BT-47: legal registration identifier (`HRB 12345`).
    pub legal_id: Option<String>,
    /// BG-6 / BG-9: whom to contact.
    pub contact: Option<Contact>,
    /// BT-34 / BT-49: where e-invoices for this party are delivered.
    pub electronic_address: Option<ElectronicAddress>,
    /// Where documents for this party are e-mailed (the buyer's is where the
    /// PDF goes).
    pub email: Option<String>,
}

/// A postal address (BG-5 / BG-8), given either as printed lines (the first
/// version's form) or structured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// BT-35..BT-36 / BT-50..BT-51 (and BT-162 / BT-163): the street lines;
    /// in the first version's form, every printed line.
    pub lines: Vec<String>,
    /// BT-37 / BT-52: city.
    pub city: Option<String>,
    /// BT-38 / BT-53: postal code.
    pub postal_code: Option<String>,
    /// BT-39 / BT-54: region, state or province.
    pub subdivision: Option<String>,
    /// BT-40 / BT-55: ISO 3166-1 alpha-2 country code, upper case.
    pub country_code: Option<String>,
}

impl Address {
    /// The lines to print: the street lines, then `postal_code city`, then
    /// the subdivision, then the country code, each only when present. An
    /// address given as printed lines comes back unchanged.
    pub fn printed_lines(&self) -> Vec<String> {
        let mut printed = self.lines.clone();
        let place: Vec<&str> = [self.postal_code.as_deref(), self.city.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !place.is_empty() {
            printed.push(place.join(" "));
        }
        printed.extend(self.subdivision.iter().cloned());
        printed.extend(self.country_code.iter().cloned());
        printed
    }

    /// Whether the address holds only lines: the first version's form.
    pub fn is_lines_only(&self) -> bool {
        self.city.is_none()
            && self.postal_code.is_none()
            && self.subdivision.is_none()
            && self.country_code.is_none()
    }
}

/// BG-6 / BG-9: a contact point of a party.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// BT-41 / BT-56: a person or department.
    pub name: Option<String>,
    /// BT-42 / BT-57: a telephone number.
    pub phone: Option<String>,
    /// BT-43 / BT-58: an e-mail address.
    pub email: Option<String>,
}

/// BT-34 / BT-49: an electronic address and its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectronicAddress {
    /// The Electronic Address Scheme (EAS) code: `EM` (e-mail), `0088`
    /// (GLN), `9930` (German VAT number), …
    pub scheme: String,
    /// The address within the scheme.
    pub value: String,
}

/// BG-16 / BG-17: how the buyer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// BT-81: UNTDID 4461 payment means code (`58` SEPA credit transfer,
    /// `59` SEPA direct debit, `30` credit transfer, `48` bank card, …);
    /// default `58` when an IBAN is given, else `1` (not defined).
    pub means_code: String,
    /// BT-84: the account to pay into, normalised (no spaces, upper case)
    /// and checked (ISO 13616: country format and mod-97 check digits).
    pub iban: Option<String>,
    /// BT-86: the account's bank, 8 or 11 characters, upper case.
    pub bic: Option<String>,
    /// BT-85: the account holder's name.
    pub account_name: Option<String>,
    /// BT-83: the remittance information the buyer quotes when paying.
    pub remittance: Option<String>,
    /// BT-20: the payment terms, as text.
    pub terms: Option<String>,
}

/// A VAT category (UNCL5305), as EN 16931 uses it for lines (BT-151),
/// allowances (BT-95), charges (BT-102) and the tax breakdown (BT-118).
///
/// Ordered as declared, which orders tax groups of the same rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaxCategory {
    /// Standard rate.
    S,
    /// Zero rated goods.
    Z,
    /// Exempt from tax.
    E,
    /// VAT reverse charge.
    AE,
    /// Intra-community supply, exempt (VAT exempt for EEA intra-community
    /// supply of goods and services).
    K,
    /// Free export item, tax not charged.
    G,
    /// Services outside the scope of tax.
    O,
    /// Canary Islands general indirect tax (IGIC).
    L,
    /// Tax for production, services and importation in Ceuta and Melilla
    /// (IPSI).
    M,
}

impl TaxCategory {
    /// Every category, in order.
    pub const ALL: [TaxCategory; 9] = [
        TaxCategory::S,
        TaxCategory::Z,
        TaxCategory::E,
        TaxCategory::AE,
        TaxCategory::K,
        TaxCategory::G,
        TaxCategory::O,
        TaxCategory::L,
        TaxCategory::M,
    ];

    /// The UNCL5305 code: `"S"`, `"AE"`, …
    pub fn code(self) -> &'static str {
        match self {
            TaxCategory::S => "S",
            TaxCategory::Z => "Z",
            TaxCategory::E => "E",
            TaxCategory::AE => "AE",
            TaxCategory::K => "K",
            TaxCategory::G => "G",
            TaxCategory::O => "O",
            TaxCategory::L => "L",
            TaxCategory::M => "M",
        }
    }

    /// Whether EN 16931 fixes this category's rate at 0: Z, E, AE, K, G and
    /// O (BR-Z-5, BR-E-5, BR-AE-5, BR-IC-5, BR-G-5, BR-O-5). S needs a rate
    /// above 0; L and M take any.
    pub fn requires_zero_rate(self) -> bool {
        matches!(
            self,
            TaxCategory::Z
                | TaxCategory::E
                | TaxCategory::AE
                | TaxCategory::K
                | TaxCategory::G
                | TaxCategory::O
        )
    }

    /// The category a line, allowance or charge gets when the document
    /// names none: zero rated (`Z`) at 0 %, standard (`S`) otherwise.
    pub fn default_for(rate: TaxRate) -> TaxCategory {
        if rate.basis_points() == 0 {
            TaxCategory::Z
        } else {
            TaxCategory::S
        }
    }
}

impl FromStr for TaxCategory {
    type Err = String;

    /// The UNCL5305 code; the error is the broken rule.
    fn from_str(s: &str) -> Result<TaxCategory, String> {
        TaxCategory::ALL
            .into_iter()
            .find(|category| category.code() == s)
            .ok_or_else(|| "must be a tax category of UNCL5305: S Z E AE K G O L M".into())
    }
}

impl fmt::Display for TaxCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// BT-120 / BT-121: why the amounts of a category bear no tax.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Exemption {
    /// BT-120: the reason, as text (`Reverse charge`).
    pub reason: Option<String>,
    /// BT-121: the reason, as a VATEX code (`VATEX-EU-AE`).
    pub code: Option<String>,
}

/// One line of the invoice (BG-25), with its net amount computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// BT-126: the line's identifier; default its 1-based position.
    pub id: String,
    /// BT-153: what was sold.
    pub description: String,
    /// BT-129: how much of it; never 0, negative for a returned item, at most
    /// three decimals.
    pub quantity: Quantity,
    /// The unit of `quantity` as printed (`pcs`, `h`, …), if any.
    pub unit: Option<String>,
    /// BT-130: the unit as a UN/ECE Recommendation 20 code (`C62`, `HUR`);
    /// e-invoices use `C62` (one) when it is absent.
    pub unit_code: Option<String>,
    /// BT-146: price of one unit, in minor units of the invoice currency;
    /// never negative (BR-27).
    pub unit_price_minor: i64,
    /// BT-152: the tax rate that applies to this line.
    pub tax_rate: TaxRate,
    /// BT-151: the VAT category; default `S`, or `Z` at 0 %.
    pub tax_category: TaxCategory,
    /// BT-155: the seller's article number.
    pub seller_item_id: Option<String>,
    /// BT-157: the item's GTIN (8, 12, 13 or 14 digits, check digit
    /// verified).
    pub gtin: Option<String>,
    /// BT-131: `quantity × unit_price_minor`, rounded half away from zero to
    /// the minor unit.
    pub net_minor: i64,
}

/// A document-level allowance (BG-20) or charge (BG-21).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowanceCharge {
    /// BT-97 / BT-104: the reason, as text.
    pub reason: Option<String>,
    /// BT-98 / BT-105: the reason, as a code (UNTDID 5189 for allowances,
    /// UNTDID 7161 for charges).
    pub reason_code: Option<String>,
    /// BT-92 / BT-99: the amount, in minor units; positive.
    pub amount_minor: i64,
    /// BT-96 / BT-103: the tax rate of the group it belongs to.
    pub tax_rate: TaxRate,
    /// BT-95 / BT-102: the VAT category of the group it belongs to.
    pub tax_category: TaxCategory,
}

/// BG-22: the computed totals of an invoice, all in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    /// BT-106: sum of the line nets.
    pub net_minor: i64,
    /// BT-107: sum of the document-level allowances.
    pub allowances_minor: i64,
    /// BT-108: sum of the document-level charges.
    pub charges_minor: i64,
    /// BT-109: `net_minor − allowances_minor + charges_minor`, the total
    /// without tax.
    pub tax_exclusive_minor: i64,
    /// BG-23: one group per (category, rate), in ascending order of rate,
    /// then category.
    pub tax_groups: Vec<TaxGroup>,
    /// BT-110: sum of the groups' tax.
    pub tax_minor: i64,
    /// BT-112: `tax_exclusive_minor + tax_minor`, the total with tax.
    pub gross_minor: i64,
    /// BT-113: what was paid already (the document's `prepaid_minor`).
    pub prepaid_minor: i64,
    /// BT-115: `gross_minor − prepaid_minor`, what the buyer pays.
    pub due_minor: i64,
}

/// BG-23: the lines, allowances and charges that share one category and
/// rate, and the tax on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxGroup {
    /// BT-118: the category shared by the group.
    pub category: TaxCategory,
    /// BT-119: the rate shared by the group.
    pub rate: TaxRate,
    /// BT-116: the group's lines plus its charges minus its allowances.
    pub net_minor: i64,
    /// BT-117: `net_minor × rate`, rounded once for the whole group.
    pub tax_minor: i64,
}

impl Invoice {
    /// The buyer's e-mail address, if the invoice has one: where the PDF is
    /// sent.
    pub fn buyer_email(&self) -> Option<&str> {
        self.buyer.email.as_deref()
    }
}

/// `YYYY-MM-DD`.
pub(crate) fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
