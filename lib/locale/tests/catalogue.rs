//! Every language has every text: the catalogues are complete, parse, format without a Fluent
//! error, and keep every argument.

use paperflow_locale::{
    Language, Locale, Message, QrBillLanguage, QrBillText, check_catalogue, invoice_source,
};

fn invoice_messages() -> Vec<(&'static str, &'static [&'static str])> {
    Message::ALL.iter().map(|m| (m.key(), m.args())).collect()
}

fn qr_bill_messages() -> Vec<(&'static str, &'static [&'static str])> {
    QrBillText::ALL
        .iter()
        .map(|m| (m.key(), m.args()))
        .collect()
}

/// The keys a catalogue source defines, read from the source itself, so that a message left in a
/// file after the renderer stopped printing it is found too.
fn defined_keys(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|line| line.split_once(" =").map(|(key, _)| key.trim()))
        .collect()
}

#[test]
fn every_language_has_every_invoice_message_and_formats_it_without_errors() {
    let messages = invoice_messages();
    let problems: Vec<String> = Language::ALL
        .iter()
        .filter_map(|language| {
            check_catalogue(language.code(), invoice_source(*language), &messages).err()
        })
        .map(|error| error.to_string())
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_qr_bill_language_has_every_text_of_the_six_guidelines() {
    let messages = qr_bill_messages();
    for language in QrBillLanguage::ALL {
        check_catalogue(language.code(), language.source(), &messages)
            .unwrap_or_else(|error| panic!("{error}"));
    }
}

#[test]
fn no_catalogue_holds_a_message_paperflow_does_not_print() {
    let known: Vec<&str> = Message::ALL.iter().map(|m| m.key()).collect();
    for language in Language::ALL {
        let unknown: Vec<&str> = defined_keys(invoice_source(language))
            .into_iter()
            .filter(|key| !known.contains(key))
            .collect();
        assert!(unknown.is_empty(), "{language}: unknown keys {unknown:?}");
        assert_eq!(
            defined_keys(invoice_source(language)).len(),
            Message::ALL.len(),
            "{language}: a key defined twice"
        );
    }
    let known: Vec<&str> = QrBillText::ALL.iter().map(|m| m.key()).collect();
    for language in QrBillLanguage::ALL {
        let keys = defined_keys(language.source());
        assert_eq!(keys, known, "{}", language.code());
    }
}

#[test]
fn the_translations_are_translated() {
    // Words that must differ from English in every other language (IBAN and BIC are the same
    // everywhere; these are not).
    let english = Locale::for_tag("en").expect("en");
    for language in Language::ALL.into_iter().skip(1) {
        let locale = Locale::for_tag(language.code()).expect("supported");
        for message in [
            Message::InvoiceTitle,
            Message::BillTo,
            Message::DueDate,
            Message::ScanToPay,
        ] {
            assert_ne!(
                locale.text(message),
                english.text(message),
                "{language}: {message:?} is English"
            );
        }
    }
}

#[test]
fn labels_follow_the_language_of_the_tag() {
    let cases = [
        ("en", "INVOICE", "Page 2 of 3"),
        ("de", "RECHNUNG", "Seite 2 von 3"),
        ("de-CH", "RECHNUNG", "Seite 2 von 3"),
        ("fr", "FACTURE", "Page 2 sur 3"),
        ("es", "FACTURA", "Página 2 de 3"),
        ("it", "FATTURA", "Pagina 2 di 3"),
        ("nl", "FACTUUR", "Pagina 2 van 3"),
        ("pt", "FATURA", "Página 2 de 3"),
        ("pl", "FAKTURA", "Strona 2 z 3"),
        ("sv", "FAKTURA", "Sida 2 av 3"),
        ("ja", "請求書", "2 / 3 ページ"),
    ];
    for (tag, title, page) in cases {
        let locale = Locale::for_tag(tag).expect(tag);
        assert_eq!(locale.text(Message::InvoiceTitle), title, "{tag}");
        assert_eq!(
            locale.message(Message::PageOf, &[("page", "2"), ("pages", "3")]),
            page,
            "{tag}"
        );
    }
}

#[test]
fn arguments_are_inserted_without_isolation_marks() {
    let locale = Locale::for_tag("de").expect("de");
    let text = locale.message(Message::ColumnAmount, &[("currency", "EUR")]);
    assert_eq!(text, "Betrag (EUR)");
}

#[test]
fn a_missing_argument_shows_its_name_instead_of_failing() {
    let locale = Locale::for_tag("en").expect("en");
    assert_eq!(locale.text(Message::PageOf), "Page {$page} of {$pages}");
}

#[test]
fn the_qr_bill_speaks_german_french_italian_or_english() {
    let cases = [
        ("de-CH", "Zahlteil", "Empfangsschein"),
        ("fr-CH", "Section paiement", "Récépissé"),
        ("it-CH", "Sezione pagamento", "Ricevuta"),
        ("en", "Payment part", "Receipt"),
        ("ja", "Payment part", "Receipt"),
        ("nl", "Payment part", "Receipt"),
    ];
    for (tag, payment_part, receipt) in cases {
        let locale = Locale::for_tag(tag).expect(tag);
        assert_eq!(
            locale.qr_bill_text(QrBillText::PaymentPart),
            payment_part,
            "{tag}"
        );
        assert_eq!(locale.qr_bill_text(QrBillText::Receipt), receipt, "{tag}");
    }
    let locale = Locale::for_tag("de").expect("de");
    assert_eq!(
        locale.qr_bill_text(QrBillText::AccountPayableTo),
        "Konto / Zahlbar an"
    );
}

#[test]
fn tax_categories_have_names_and_exemptions_default_reasons() {
    let locale = Locale::for_tag("de").expect("de");
    for code in ["S", "Z", "E", "AE", "K", "G", "O", "L", "M"] {
        let message = Message::tax_category(code).expect(code);
        assert!(!locale.text(message).is_empty());
    }
    assert_eq!(Message::tax_category("X"), None);
    let reason = Message::default_exemption_reason("AE").expect("AE needs a reason");
    assert_eq!(
        locale.text(reason),
        "Steuerschuldnerschaft des Leistungsempfängers"
    );
    assert_eq!(Message::default_exemption_reason("S"), None);
}
