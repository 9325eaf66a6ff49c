//! How the buyer pays (BG-16, BG-17): the means, the account and the terms.

use serde_json::Value;

use super::{Path, Report, TextRule, object, optional_parsed, optional_text, single_line};
use crate::codes;
use crate::limits::{MAX_REASON_CHARS, MAX_REMITTANCE_CHARS, MAX_TERMS_CHARS};
use crate::model::Payment;

/// The means that need an account to pay into (BR-61): SEPA credit
/// transfer.
const MEANS_NEEDING_AN_IBAN: &[&str] = &["58"];

pub(super) fn payment(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Payment> {
    let fields = object(report, value, at)?;
    let means_code = optional_parsed(report, fields, "means_code", at, codes::payment_means);
    let iban = optional_parsed(report, fields, "iban", at, codes::iban);
    let bic = optional_parsed(report, fields, "bic", at, codes::bic);
    let account_name = optional_text(
        report,
        fields,
        "account_name",
        at,
        &single_line(MAX_REASON_CHARS),
    );
    let remittance = optional_text(
        report,
        fields,
        "remittance",
        at,
        &single_line(MAX_REMITTANCE_CHARS),
    );
    let terms = optional_text(
        report,
        fields,
        "terms",
        at,
        &TextRule {
            max_chars: MAX_TERMS_CHARS,
            not_blank: true,
            multiline: true,
        },
    );

    if let (Ok(Some(means)), Ok(None)) = (&means_code, &iban)
        && MEANS_NEEDING_AN_IBAN.contains(&means.as_str())
    {
        report.add(
            &at.key("iban"),
            format_args!(
                "is required for payment means {means}, SEPA credit transfer (BT-84; BR-61)"
            ),
        );
        return None;
    }
    let iban = iban.ok()?;
    let means_code = means_code
        .ok()?
        .unwrap_or_else(|| if iban.is_some() { "58" } else { "1" }.to_owned());
    Some(Payment {
        means_code,
        iban,
        bic: bic.ok()?,
        account_name: account_name.ok()?,
        remittance: remittance.ok()?,
        terms: terms.ok()?,
    })
}
