//! What each e-invoice format requires of an [`Invoice`], as a table.
//!
//! Every row of [`REQUIREMENTS`] is one rule of EN 16931 or of a format built on it: the
//! formats it applies to, the business term and rule it comes from, what it says, and a function
//! that finds the places in the document that break it. [`check`] walks the table; adding a
//! rule is adding a row. A reader sees in one screen what Factur-X, XRechnung and Peppol BIS ask
//! beyond the invoice model's own validation.
//!
//! The table is complete for any [`Invoice`] value. Some of its rows (EN 16931's VAT category
//! rules: rates, identifiers, exemption reasons, BR-61, BR-33/38) are also enforced by the
//! model's validation of every document, so a parsed invoice never breaks them; they stay
//! because `Invoice`'s fields are public, and an invoice built or changed in code must not
//! become an XML that claims a format it breaks. Rules no `Invoice` can break are not rows: a name, a description and an issue date always exist, amounts are computed
//! (BR-CO-10 … BR-CO-16 hold by construction), prices are never negative (BR-27), the due date
//! is always there (BR-CO-25). What the XML writers always write is not a row either: the
//! specification identifier (BT-24), the business process of Peppol and XRechnung (BT-23), the
//! unit code (BT-130, default `C62`).
//!
//! Rules paperflow does not check, because no one here can: the XRechnung and Peppol rules of
//! their own schematrons beyond the ones listed (code lists of electronic address schemes, the
//! IBAN's country…); the shape of a Leitweg-ID.

use paperflow_invoice::Violation;
use paperflow_invoice::codes::has_gs1_check_digit;
use paperflow_invoice::model::{DocumentType, EInvoiceFormat, Invoice, Party, TaxCategory};
use std::collections::BTreeSet;

/// Every format: the rules of EN 16931 itself.
const ALL: &[EInvoiceFormat] = &[
    EInvoiceFormat::FacturX,
    EInvoiceFormat::XRechnung,
    EInvoiceFormat::Peppol,
];
const XRECHNUNG: &[EInvoiceFormat] = &[EInvoiceFormat::XRechnung];
const PEPPOL: &[EInvoiceFormat] = &[EInvoiceFormat::Peppol];
const XRECHNUNG_AND_PEPPOL: &[EInvoiceFormat] =
    &[EInvoiceFormat::XRechnung, EInvoiceFormat::Peppol];

/// One rule an e-invoice format sets for the document.
#[derive(Debug, Clone, Copy)]
pub struct Requirement {
    /// The formats that have this rule.
    pub formats: &'static [EInvoiceFormat],
    /// What the rule says of the value at each pointer `find` returns (`required for an
    /// e-invoice`).
    pub rule: &'static str,
    /// The business terms and rule ids it comes from (`BT-40` or `BT-10, BR-DE-15`).
    pub source: &'static str,
    /// The JSON pointers of the document that break the rule; empty when it holds.
    pub find: fn(&Invoice) -> Vec<String>,
}

/// The rules, in the order of the document: header, parties, lines, taxes, payment.
pub static REQUIREMENTS: &[Requirement] = &[
    Requirement {
        formats: ALL,
        rule: "has more than 2 decimals, which an e-invoice cannot carry; the invoice can be a PDF, not an e-invoice",
        source: "BT-5, BR-DEC",
        find: |inv| at_if(inv.currency.exponent() > 2, "/currency"),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung: the buyer reference, for a public buyer its Leitweg-ID",
        source: "BT-10, BR-DE-15",
        find: |inv| at_if(blank(inv.buyer_reference.as_deref()), "/buyer_reference"),
    },
    Requirement {
        formats: PEPPOL,
        rule: "required for Peppol unless /order_reference is given",
        source: "BT-10, PEPPOL-EN16931-R003",
        find: |inv| {
            at_if(
                blank(inv.buyer_reference.as_deref()) && blank(inv.order_reference.as_deref()),
                "/buyer_reference",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for an intra-community supply (K): the day of delivery",
        source: "BT-72, BR-IC-11",
        find: |inv| {
            at_if(
                uses(inv, TaxCategory::K) && inv.delivery_date.is_none(),
                "/delivery_date",
            )
        },
    },
    // The seller (BG-4).
    Requirement {
        formats: ALL,
        rule: "required for an e-invoice",
        source: "BT-40",
        find: |inv| country_missing(&inv.seller, "/seller"),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-37, BR-DE-3",
        find: |inv| {
            at_if(
                blank(inv.seller.address.city.as_deref()),
                "/seller/address/city",
            )
        },
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-38, BR-DE-4",
        find: |inv| {
            at_if(
                blank(inv.seller.address.postal_code.as_deref()),
                "/seller/address/postal_code",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for an e-invoice unless /seller/legal_id is given",
        source: "BT-31, BR-CO-26",
        find: |inv| {
            at_if(
                inv.seller.vat_id.is_none() && inv.seller.legal_id.is_none(),
                "/seller/vat_id",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required with VAT category S, Z, E, L or M unless /seller/tax_number is given",
        source: "BT-31/BT-32, BR-S-02, BR-Z-02, BR-E-02, BR-AF-02, BR-AG-02, BR-DE-16",
        find: |inv| {
            let taxed = [
                TaxCategory::S,
                TaxCategory::Z,
                TaxCategory::E,
                TaxCategory::L,
                TaxCategory::M,
            ];
            at_if(
                taxed.iter().any(|c| uses(inv, *c))
                    && inv.seller.vat_id.is_none()
                    && inv.seller.tax_number.is_none(),
                "/seller/vat_id",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required with VAT category AE, K or G: the seller's VAT identifier",
        source: "BT-31, BR-AE-02, BR-IC-02, BR-G-02",
        find: |inv| {
            let categories = [TaxCategory::AE, TaxCategory::K, TaxCategory::G];
            at_if(
                categories.iter().any(|c| uses(inv, *c)) && inv.seller.vat_id.is_none(),
                "/seller/vat_id",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "must begin with the country's two-letter prefix",
        source: "BT-31/BT-48, BR-CO-09",
        find: |inv| {
            let mut found = Vec::new();
            for (party, pointer) in [
                (&inv.seller, "/seller/vat_id"),
                (&inv.buyer, "/buyer/vat_id"),
            ] {
                if party
                    .vat_id
                    .as_deref()
                    .is_some_and(|id| !has_country_prefix(id))
                {
                    found.push(pointer.to_string());
                }
            }
            found
        },
    },
    Requirement {
        formats: ALL,
        rule: "must be absent when the invoice is not subject to VAT (category O)",
        source: "BT-31/BT-48, BR-O-02",
        find: |inv| {
            let mut found = Vec::new();
            if uses(inv, TaxCategory::O) {
                if inv.seller.vat_id.is_some() {
                    found.push("/seller/vat_id".to_string());
                }
                if inv.buyer.vat_id.is_some() {
                    found.push("/buyer/vat_id".to_string());
                }
            }
            found
        },
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung: the seller's contact with a name, a phone number and an e-mail address",
        source: "BG-6, BR-DE-2",
        find: |inv| at_if(inv.seller.contact.is_none(), "/seller/contact"),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-41, BR-DE-5",
        find: |inv| contact_field_missing(inv, "name", |c| c.name.as_deref()),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-42, BR-DE-6",
        find: |inv| contact_field_missing(inv, "phone", |c| c.phone.as_deref()),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-43, BR-DE-7",
        find: |inv| contact_field_missing(inv, "email", |c| c.email.as_deref()),
    },
    Requirement {
        formats: XRECHNUNG_AND_PEPPOL,
        rule: "required for XRechnung and Peppol: where the seller receives e-invoices",
        source: "BT-34, PEPPOL-EN16931-R020",
        find: |inv| {
            at_if(
                inv.seller.electronic_address.is_none(),
                "/seller/electronic_address",
            )
        },
    },
    // The buyer (BG-7).
    Requirement {
        formats: ALL,
        rule: "required for an e-invoice",
        source: "BT-55",
        find: |inv| country_missing(&inv.buyer, "/buyer"),
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-52, BR-DE-8",
        find: |inv| {
            at_if(
                blank(inv.buyer.address.city.as_deref()),
                "/buyer/address/city",
            )
        },
    },
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung",
        source: "BT-53, BR-DE-9",
        find: |inv| {
            at_if(
                blank(inv.buyer.address.postal_code.as_deref()),
                "/buyer/address/postal_code",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required with a reverse-charge (AE) line unless /buyer/legal_id is given",
        source: "BT-48, BR-AE-02",
        find: |inv| {
            at_if(
                uses(inv, TaxCategory::AE)
                    && inv.buyer.vat_id.is_none()
                    && inv.buyer.legal_id.is_none(),
                "/buyer/vat_id",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for an intra-community supply (K): the buyer's VAT identifier",
        source: "BT-48, BR-IC-02",
        find: |inv| {
            at_if(
                uses(inv, TaxCategory::K) && inv.buyer.vat_id.is_none(),
                "/buyer/vat_id",
            )
        },
    },
    Requirement {
        formats: XRECHNUNG_AND_PEPPOL,
        rule: "required for XRechnung and Peppol: where the buyer receives e-invoices",
        source: "BT-49, PEPPOL-EN16931-R010",
        find: |inv| {
            at_if(
                inv.buyer.electronic_address.is_none(),
                "/buyer/electronic_address",
            )
        },
    },
    Requirement {
        formats: PEPPOL,
        rule: "must be a Belgian enterprise number for scheme 0208: 10 digits, the last two 97 minus the first eight mod 97",
        source: "BT-34/BT-49, PEPPOL-COMMON-R043",
        find: |inv| electronic_addresses_where(inv, "0208", |id| !belgian_enterprise_number(id)),
    },
    Requirement {
        formats: PEPPOL,
        rule: "must be a GLN for scheme 0088: 13 digits with a valid check digit",
        source: "BT-34/BT-49, PEPPOL-COMMON-R040",
        find: |inv| electronic_addresses_where(inv, "0088", |id| !has_gs1_check_digit(id, 13)),
    },
    // Lines, allowances and charges: their VAT category and rate.
    Requirement {
        formats: ALL,
        rule: "must be greater than 0 with VAT category S",
        source: "BT-152, BR-S-05, BR-S-06, BR-S-07",
        find: |inv| rates_where(inv, |category, bp| category == TaxCategory::S && bp == 0),
    },
    Requirement {
        formats: ALL,
        rule: "must be 0 with VAT category Z, E, AE, K, G or O",
        source: "BT-152, BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05, BR-O-05",
        find: |inv| rates_where(inv, |category, bp| bp != 0 && category.requires_zero_rate()),
    },
    Requirement {
        formats: ALL,
        rule: "cannot be combined with another VAT category: an invoice not subject to VAT (O) has only O",
        source: "BT-151, BR-O-11",
        find: |inv| {
            if uses(inv, TaxCategory::O) && categories(inv).len() > 1 {
                item_categories(inv)
                    .filter(|(_, category)| *category != TaxCategory::O)
                    .map(|(pointer, _)| format!("{pointer}/tax_category"))
                    .collect()
            } else {
                Vec::new()
            }
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for an allowance unless reason_code is given",
        source: "BT-97, BR-33",
        find: |inv| {
            (inv.allowances.iter().enumerate())
                .filter(|(_, a)| blank(a.reason.as_deref()) && blank(a.reason_code.as_deref()))
                .map(|(i, _)| format!("/allowances/{i}/reason"))
                .collect()
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for a charge unless reason_code is given",
        source: "BT-104, BR-38",
        find: |inv| {
            (inv.charges.iter().enumerate())
                .filter(|(_, c)| blank(c.reason.as_deref()) && blank(c.reason_code.as_deref()))
                .map(|(i, _)| format!("/charges/{i}/reason"))
                .collect()
        },
    },
    Requirement {
        formats: ALL,
        rule: "required for VAT category E, AE, K, G and O: the exemption reason or its code",
        source: "BT-120/BT-121, BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10",
        find: |inv| {
            let exempt = [
                TaxCategory::E,
                TaxCategory::AE,
                TaxCategory::K,
                TaxCategory::G,
                TaxCategory::O,
            ];
            exempt
                .into_iter()
                .filter(|category| uses(inv, *category))
                .filter(|category| {
                    inv.exemptions
                        .get(category)
                        .is_none_or(|e| blank(e.reason.as_deref()) && blank(e.code.as_deref()))
                })
                .map(|category| format!("/exemptions/{}", category.code()))
                .collect()
        },
    },
    // Payment instructions (BG-16).
    Requirement {
        formats: XRECHNUNG,
        rule: "required for XRechnung: how to pay",
        source: "BG-16, BR-DE-1",
        find: |inv| at_if(inv.payment.is_none(), "/payment"),
    },
    Requirement {
        formats: PEPPOL,
        rule: "required for a Peppol credit note with an amount due: a UBL 2.1 credit note carries its due date in the payment means",
        source: "BT-9, BR-CO-25",
        find: |inv| {
            at_if(
                inv.document_type == DocumentType::CreditNote
                    && inv.totals.due_minor > 0
                    && inv.payment.is_none(),
                "/payment",
            )
        },
    },
    Requirement {
        formats: ALL,
        rule: "required with payment means 30 or 58, a credit transfer",
        source: "BT-84, BR-61, BR-DE-23-a",
        find: |inv| {
            at_if(
                inv.payment.as_ref().is_some_and(|p| {
                    matches!(p.means_code.as_str(), "30" | "58") && blank(p.iban.as_deref())
                }),
                "/payment/iban",
            )
        },
    },
    Requirement {
        formats: XRECHNUNG_AND_PEPPOL,
        rule: "a card payment (48, 54, 55) or a direct debit (59) needs card or mandate data that paperflow does not carry yet; use a credit transfer (30, 58) or another means",
        source: "BT-81, BR-DE-24-a, BR-DE-25-a, PEPPOL-EN16931-R061",
        find: |inv| {
            at_if(
                inv.payment
                    .as_ref()
                    .is_some_and(|p| matches!(p.means_code.as_str(), "48" | "54" | "55" | "59")),
                "/payment/means_code",
            )
        },
    },
];

/// Whether `invoice` can become an e-invoice of `format`: every rule of [`REQUIREMENTS`] for
/// the format, each broken place as a [`Violation`] whose rule names its business term
/// (`/seller/address/country_code: required for an e-invoice (BT-40)`). `EInvoiceFormat::None`
/// requires nothing.
pub fn check(invoice: &Invoice, format: EInvoiceFormat) -> Result<(), Vec<Violation>> {
    let violations: Vec<Violation> = REQUIREMENTS
        .iter()
        .filter(|requirement| requirement.formats.contains(&format))
        .flat_map(|requirement| {
            (requirement.find)(invoice).into_iter().map(|pointer| {
                Violation::new(
                    pointer,
                    format!("{} ({})", requirement.rule, requirement.source),
                )
            })
        })
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

/// The VAT categories the invoice uses, on its lines, allowances and charges.
pub(crate) fn categories(invoice: &Invoice) -> BTreeSet<TaxCategory> {
    item_categories(invoice)
        .map(|(_, category)| category)
        .collect()
}

fn uses(invoice: &Invoice, category: TaxCategory) -> bool {
    item_categories(invoice).any(|(_, c)| c == category)
}

/// Every line, allowance and charge as its pointer and VAT category.
fn item_categories(invoice: &Invoice) -> impl Iterator<Item = (String, TaxCategory)> + '_ {
    items(invoice).map(|(pointer, category, _)| (pointer, category))
}

/// Every line, allowance and charge as its pointer, VAT category and rate (basis points).
fn items(invoice: &Invoice) -> impl Iterator<Item = (String, TaxCategory, u32)> + '_ {
    let lines = (invoice.lines.iter().enumerate()).map(|(i, l)| {
        (
            format!("/lines/{i}"),
            l.tax_category,
            l.tax_rate.basis_points(),
        )
    });
    let allowances = (invoice.allowances.iter().enumerate()).map(|(i, a)| {
        (
            format!("/allowances/{i}"),
            a.tax_category,
            a.tax_rate.basis_points(),
        )
    });
    let charges = (invoice.charges.iter().enumerate()).map(|(i, c)| {
        (
            format!("/charges/{i}"),
            c.tax_category,
            c.tax_rate.basis_points(),
        )
    });
    lines.chain(allowances).chain(charges)
}

/// The `tax_rate_bp` pointers of the items whose category and rate match `broken`.
fn rates_where(invoice: &Invoice, broken: fn(TaxCategory, u32) -> bool) -> Vec<String> {
    items(invoice)
        .filter(|(_, category, bp)| broken(*category, *bp))
        .map(|(pointer, _, _)| format!("{pointer}/tax_rate_bp"))
        .collect()
}

fn country_missing(party: &Party, pointer: &str) -> Vec<String> {
    at_if(
        blank(party.address.country_code.as_deref()),
        &format!("{pointer}/address/country_code"),
    )
}

/// A field of the seller's contact that is missing, when there is a contact at all (a missing
/// contact is one problem, BR-DE-2, not four).
fn contact_field_missing(
    invoice: &Invoice,
    field: &str,
    value: fn(&paperflow_invoice::model::Contact) -> Option<&str>,
) -> Vec<String> {
    match &invoice.seller.contact {
        Some(contact) if blank(value(contact)) => vec![format!("/seller/contact/{field}")],
        _ => Vec::new(),
    }
}

/// The `value` pointers of the parties' electronic addresses in `scheme` that are `broken`.
fn electronic_addresses_where(
    invoice: &Invoice,
    scheme: &str,
    broken: fn(&str) -> bool,
) -> Vec<String> {
    [(&invoice.seller, "/seller"), (&invoice.buyer, "/buyer")]
        .into_iter()
        .filter(|(party, _)| {
            party
                .electronic_address
                .as_ref()
                .is_some_and(|a| a.scheme == scheme && broken(&a.value))
        })
        .map(|(_, pointer)| format!("{pointer}/electronic_address/value"))
        .collect()
}

/// A Belgian enterprise number: `0123456749`, where `49 = 97 - 01234567 mod 97`.
fn belgian_enterprise_number(id: &str) -> bool {
    if id.len() != 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match (id[..8].parse::<u64>(), id[8..].parse::<u64>()) {
        (Ok(number), Ok(check)) => 97 - number % 97 == check,
        _ => false,
    }
}

/// BR-CO-09: ISO 3166-1 alpha-2, or `EL` for Greece; both are two upper-case letters.
fn has_country_prefix(vat_id: &str) -> bool {
    let prefix = vat_id.as_bytes();
    prefix.len() > 2 && prefix[0].is_ascii_uppercase() && prefix[1].is_ascii_uppercase()
}

fn blank(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

fn at_if(broken: bool, pointer: &str) -> Vec<String> {
    if broken {
        vec![pointer.to_string()]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn belgian_enterprise_numbers_carry_their_mod_97_check() {
        assert!(belgian_enterprise_number("0123456749"));
        assert!(belgian_enterprise_number("0987654394"));
        assert!(!belgian_enterprise_number("0987654321"));
        assert!(!belgian_enterprise_number("123456749"));
        assert!(!belgian_enterprise_number("01234567AB"));
    }

    #[test]
    fn glns_carry_their_gs1_check_digit() {
        assert!(has_gs1_check_digit("4012345678901", 13));
        assert!(has_gs1_check_digit("5412345000013", 13));
        assert!(!has_gs1_check_digit("5412345000014", 13));
        assert!(!has_gs1_check_digit("541234500001", 13));
    }

    #[test]
    fn vat_ids_begin_with_a_country_prefix() {
        assert!(has_country_prefix("DE811907980"));
        assert!(has_country_prefix("EL123456789"));
        assert!(!has_country_prefix("811907980"));
        assert!(!has_country_prefix("de811907980"));
    }
}
