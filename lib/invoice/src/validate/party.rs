//! The seller and the buyer: name, postal address in either form, tax and
//! legal identifiers, contact and addresses for documents.

use serde_json::{Map, Value};

use super::{
    Path, Report, TextRule, array, object, optional, optional_parsed, optional_text, required,
    single_line, string, text, text_value,
};
use crate::codes;
use crate::limits::{
    MAX_ADDRESS_LINE_CHARS, MAX_ADDRESS_LINES, MAX_EMAIL_CHARS, MAX_IDENTIFIER_CHARS,
    MAX_NAME_CHARS, MAX_PHONE_CHARS, MAX_POSTAL_CODE_CHARS, MAX_VAT_ID_CHARS,
};
use crate::model::{Address, Contact, ElectronicAddress, Party};

pub(super) fn party(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Party> {
    let fields = object(report, value, at)?;

    let name = {
        let at = at.key("name");
        required(report, fields, "name", &at)
            .and_then(|v| text_value(report, v, &at, &single_line(MAX_NAME_CHARS)))
    };
    let address = {
        let at = at.key("address");
        required(report, fields, "address", &at).and_then(|v| address(report, v, &at))
    };
    let vat_id = optional_text(report, fields, "vat_id", at, &single_line(MAX_VAT_ID_CHARS));
    let identifier = single_line(MAX_IDENTIFIER_CHARS);
    let tax_number = optional_text(report, fields, "tax_number", at, &identifier);
    let legal_id = optional_text(report, fields, "legal_id", at, &identifier);
    let contact = match optional(fields, "contact") {
        None => Ok(None),
        Some(v) => contact(report, v, &at.key("contact")).map(Some).ok_or(()),
    };
    let electronic_address = match optional(fields, "electronic_address") {
        None => Ok(None),
        Some(v) => electronic_address(report, v, &at.key("electronic_address"))
            .map(Some)
            .ok_or(()),
    };
    let email = optional_email(report, fields, "email", at);

    Some(Party {
        name: name?,
        address: address?,
        vat_id: vat_id.ok()?,
        tax_number: tax_number.ok()?,
        legal_id: legal_id.ok()?,
        contact: contact.ok()?,
        electronic_address: electronic_address.ok()?,
        email: email.ok()?,
    })
}

/// Either form: the first version's array of printed lines, or the
/// structured object.
fn address(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Address> {
    match value {
        Value::Array(items) => Some(Address {
            lines: address_lines(report, items, at)?,
            ..Address::default()
        }),
        Value::Object(fields) => structured_address(report, fields, at),
        other => {
            report.add(
                at,
                format_args!(
                    "must be an array of printed lines or an object with lines, city, \
                     postal_code, subdivision and country_code (got {})",
                    super::kind(other)
                ),
            );
            None
        }
    }
}

fn structured_address(
    report: &mut Report,
    fields: &Map<String, Value>,
    at: &Path<'_>,
) -> Option<Address> {
    let lines = match optional(fields, "lines") {
        None => Ok(Vec::new()),
        Some(v) => {
            let at = at.key("lines");
            array(report, v, &at)
                .and_then(|items| address_lines(report, items, &at))
                .ok_or(())
        }
    };
    let place = single_line(MAX_ADDRESS_LINE_CHARS);
    let city = optional_text(report, fields, "city", at, &place);
    let postal_code = optional_text(
        report,
        fields,
        "postal_code",
        at,
        &single_line(MAX_POSTAL_CODE_CHARS),
    );
    let subdivision = optional_text(report, fields, "subdivision", at, &place);
    let country_code = optional_parsed(report, fields, "country_code", at, codes::country_code);

    let address = Address {
        lines: lines.ok()?,
        city: city.ok()?,
        postal_code: postal_code.ok()?,
        subdivision: subdivision.ok()?,
        country_code: country_code.ok()?,
    };
    if address.printed_lines().is_empty() {
        report.add(
            at,
            "must give at least one of lines, city, postal_code, subdivision and country_code",
        );
        return None;
    }
    Some(address)
}

fn address_lines(report: &mut Report, items: &[Value], at: &Path<'_>) -> Option<Vec<String>> {
    if items.is_empty() {
        report.add(at, "must have at least 1 line");
        return None;
    }
    if items.len() > MAX_ADDRESS_LINES {
        report.add(
            at,
            format_args!(
                "must have at most {MAX_ADDRESS_LINES} lines (has {})",
                items.len()
            ),
        );
        return None;
    }
    let rule = single_line(MAX_ADDRESS_LINE_CHARS);
    let mut lines = Vec::with_capacity(items.len());
    let mut valid = true;
    for (i, item) in items.iter().enumerate() {
        match text_value(report, item, &at.index(i), &rule) {
            Some(line) => lines.push(line),
            None => valid = false,
        }
    }
    valid.then_some(lines)
}

fn contact(report: &mut Report, value: &Value, at: &Path<'_>) -> Option<Contact> {
    let fields = object(report, value, at)?;
    let name = optional_text(report, fields, "name", at, &single_line(MAX_NAME_CHARS));
    let phone = optional_text(report, fields, "phone", at, &single_line(MAX_PHONE_CHARS));
    let email = optional_email(report, fields, "email", at);
    let contact = Contact {
        name: name.ok()?,
        phone: phone.ok()?,
        email: email.ok()?,
    };
    if contact == Contact::default() {
        report.add(at, "must give at least one of name, phone and email");
        return None;
    }
    Some(contact)
}

fn electronic_address(
    report: &mut Report,
    value: &Value,
    at: &Path<'_>,
) -> Option<ElectronicAddress> {
    let fields = object(report, value, at)?;
    let scheme = {
        let at = at.key("scheme");
        required(report, fields, "scheme", &at)
            .and_then(|v| string(report, v, &at))
            .and_then(|s| match codes::electronic_address_scheme(s) {
                Ok(scheme) => Some(scheme),
                Err(rule) => {
                    report.add(&at, rule);
                    None
                }
            })
    };
    let value = {
        let at = at.key("value");
        let value = required(report, fields, "value", &at)
            .and_then(|v| text_value(report, v, &at, &single_line(MAX_EMAIL_CHARS)));
        // An e-mail scheme's value is an e-mail address.
        match (scheme.as_deref(), value) {
            (Some("EM"), Some(value)) => email(report, &value, &at),
            (_, value) => value,
        }
    };
    Some(ElectronicAddress {
        scheme: scheme?,
        value: value?,
    })
}

/// An optional e-mail field: `Ok(None)` when absent, `Err(())` when invalid.
fn optional_email(
    report: &mut Report,
    fields: &Map<String, Value>,
    key: &str,
    at: &Path<'_>,
) -> Result<Option<String>, ()> {
    let at = at.key(key);
    match optional(fields, key) {
        None => Ok(None),
        Some(v) => string(report, v, &at)
            .and_then(|s| email(report, s, &at))
            .map(Some)
            .ok_or(()),
    }
}

fn email(report: &mut Report, s: &str, at: &Path<'_>) -> Option<String> {
    let rule = TextRule {
        max_chars: MAX_EMAIL_CHARS,
        not_blank: true,
        multiline: false,
    };
    if !text(report, s, at, &rule) {
        return None;
    }
    match codes::email_address(s) {
        Err(rule) => {
            report.add(at, rule);
            None
        }
        Ok(()) => Some(s.to_owned()),
    }
}
