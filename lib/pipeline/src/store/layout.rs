//! Every key of paperflow's two buckets, built in one place.
//!
//! The documents bucket:
//!
//! | key | what | written by |
//! |---|---|---|
//! | `invoices/{id}/r{N}.pdf` | a revision's PDF, immutable ([`pdf_key`]) | pdf-generator |
//! | `invoices/{id}/r{N}.xml` | a revision's XRechnung or Peppol XML, immutable, stored before the PDF ([`xml_key`]) | pdf-generator |
//! | `invoices/{id}/latest.json` | the newest stored revision ([`latest_key`]) | pdf-generator |
//! | `invoices/{id}/r{N}.submitted.json` | a revision accepted by the API ([`submitted_key`]) | invoice-api |
//! | `invoices/{id}/r{N}.failed.json` | a revision rejected, and why ([`failed_key`]) | pdf-generator |
//! | `idempotency/{sha256 of the key}.json` | an idempotency key's record ([`idempotency_record_key`]) | invoice-api |
//! | `api/{sha256}.pdf` | a direct PDF too large to answer inline ([`direct_pdf_key`]) | invoice-api |
//! | `mail/{notice id}.json` | a notice's send record, the mail claim ([`mail_claim_key`]) | pdf-mailer |
//! | `themes/{name}/theme.json`, `themes/{name}/{logo}` | a brand ([`theme_file_key`]) | people, never paperflow |
//!
//! The archive bucket: `events/date=YYYY-MM-DD/type={event type}/{name}.jsonl`, one object per
//! partition of an SQS batch, named by its one message id ([`archive_key`]) or, for several,
//! `batch-{sha256 of their sorted message ids}` ([`archive_batch_key`]); written by the
//! event-archiver.
//!
//! Ids that come from outside (a notice id, an SQS message id) become part of a key only
//! through [`safe_token`], the one rule that keeps a key inside its prefix. Invoice ids are
//! checked by `paperflow-invoice` before they get here (`[A-Za-z0-9._/-]`, no `..`, no leading
//! `/`). Which function may read and write which of these keys is [`super::access`]'s table,
//! and the IAM policies of both templates are checked against it.
//!
//! Stored data is found by these keys: changing one loses what is stored under the old one.

use crate::digest::sha256_hex;
use time::{Date, OffsetDateTime};

/// Where every key of an invoice starts (documents bucket).
pub const INVOICES: &str = "invoices/";
/// Where idempotency records are (documents bucket); a lifecycle rule expires them.
pub const IDEMPOTENCY: &str = "idempotency/";
/// Where large direct PDFs are (documents bucket).
pub const DIRECT_PDFS: &str = "api/";
/// Where the mailer's send records are (documents bucket).
pub const MAIL_CLAIMS: &str = "mail/";
/// Where the event log is (archive bucket).
pub const EVENTS: &str = "events/";
/// Where themes are (documents bucket): one folder per theme, read, never written.
pub const THEMES: &str = "themes/";

/// The longest text [`safe_token`] keeps as it is.
pub const SAFE_TOKEN_MAX_LEN: usize = 128;

/// Whether `text` may be part of a key as it is: 1 to [`SAFE_TOKEN_MAX_LEN`] ASCII letters,
/// digits, `-` and `_` (UUIDs, SQS message ids, hex digests). No `/`, no `.`: a token can
/// neither leave its folder nor pose as a file suffix.
pub fn is_safe_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= SAFE_TOKEN_MAX_LEN
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// `text` as a key segment: itself when [`is_safe_token`], otherwise `sha256-` and its
/// SHA-256 in hex, so that no outside id can choose a key outside its prefix.
pub fn safe_token(text: &str) -> String {
    if is_safe_token(text) {
        text.to_owned()
    } else {
        hashed_token(text.as_bytes())
    }
}

/// `sha256-` and the SHA-256 of `bytes` in hex: a safe token that names bytes.
pub fn hashed_token(bytes: &[u8]) -> String {
    format!("sha256-{}", sha256_hex(bytes))
}

/// The folder of one invoice: `invoices/{id}/`.
pub fn invoice_folder(invoice_id: &str) -> String {
    format!("{INVOICES}{invoice_id}/")
}

/// The key of an invoice revision's PDF: `invoices/{id}/r{N}.pdf`.
pub fn pdf_key(invoice_id: &str, revision: u32) -> String {
    revision_key(invoice_id, revision, RevisionRecord::Pdf)
}

/// The key of an invoice's latest-revision pointer: `invoices/{id}/latest.json`.
pub fn latest_key(invoice_id: &str) -> String {
    format!("{}latest.json", invoice_folder(invoice_id))
}

/// The key of a revision's separate e-invoice XML (XRechnung, Peppol): `invoices/{id}/r{N}.xml`.
pub fn xml_key(invoice_id: &str, revision: u32) -> String {
    revision_key(invoice_id, revision, RevisionRecord::Xml)
}

/// The key of a revision's submission record: `invoices/{id}/r{N}.submitted.json`.
pub fn submitted_key(invoice_id: &str, revision: u32) -> String {
    revision_key(invoice_id, revision, RevisionRecord::Submitted)
}

/// The key of a revision's failure record: `invoices/{id}/r{N}.failed.json`.
pub fn failed_key(invoice_id: &str, revision: u32) -> String {
    revision_key(invoice_id, revision, RevisionRecord::Failed)
}

/// The key of an idempotency key's record: `idempotency/{sha256 of the key}.json`. The key is
/// hashed, so that any text a caller picks is a safe storage key.
pub fn idempotency_record_key(idempotency_key: &str) -> String {
    format!("{IDEMPOTENCY}{}.json", sha256_hex(idempotency_key))
}

/// The key of a large direct PDF: `api/{sha256}.pdf`, content-addressed by the PDF's SHA-256.
pub fn direct_pdf_key(pdf_sha256: &str) -> String {
    format!("{DIRECT_PDFS}{}.pdf", safe_token(pdf_sha256))
}

/// The key of a file of a theme: `themes/{name}/{file}`. The name is checked by
/// `paperflow-invoice` (`ThemeName`: no `/`, no leading `.`), the logo's file name by
/// `paperflow-render` (no `/`, no leading `.`) before they get here.
pub fn theme_file_key(theme: &str, file: &str) -> String {
    format!("{THEMES}{theme}/{file}")
}

/// The key of a notice's send record: `mail/{notice id}.json` (through [`safe_token`]).
pub fn mail_claim_key(notice_id: &str) -> String {
    format!("{MAIL_CLAIMS}{}.json", safe_token(notice_id))
}

/// The key of an archived message:
/// `events/date=YYYY-MM-DD/type={event type}/{message id}.jsonl` (the message id through
/// [`safe_token`]). `date=` and `type=` are Hive-style partitions.
pub fn archive_key(received: OffsetDateTime, event_type: &str, message_id: &str) -> String {
    format!(
        "{}{}.jsonl",
        archive_partition(received.date(), event_type),
        safe_token(message_id)
    )
}

/// The key of an archive object holding the messages `message_ids` of one partition: the
/// [`archive_key`] of the message when there is one, otherwise
/// `events/date=YYYY-MM-DD/type={event type}/batch-{sha256}.jsonl`, the SHA-256 of the sorted,
/// distinct ids, one per line. The same messages give the same key in any order, and other
/// messages another key: a create-only put of a redelivered batch finds the object it wrote,
/// and one of a batch put together differently never mistakes another object for its own.
pub fn archive_batch_key(date: Date, event_type: &str, message_ids: &[&str]) -> String {
    let mut ids = message_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let name = match ids.as_slice() {
        [message_id] => safe_token(message_id),
        _ => format!("batch-{}", sha256_hex(ids.join("\n"))),
    };
    format!("{}{name}.jsonl", archive_partition(date, event_type))
}

/// `events/date=YYYY-MM-DD/type={event type}/`: the Hive-style partitions of the archive.
fn archive_partition(date: Date, event_type: &str) -> String {
    format!(
        "{EVENTS}date={:04}-{:02}-{:02}/type={event_type}/",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The records a revision leaves in its invoice's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionRecord {
    /// `r{N}.pdf`
    Pdf,
    /// `r{N}.xml`: the e-invoice XML stored beside the PDF
    Xml,
    /// `r{N}.submitted.json`
    Submitted,
    /// `r{N}.failed.json`
    Failed,
}

impl RevisionRecord {
    /// What follows `r{N}` in the key.
    fn suffix(self) -> &'static str {
        match self {
            RevisionRecord::Pdf => ".pdf",
            RevisionRecord::Xml => ".xml",
            RevisionRecord::Submitted => ".submitted.json",
            RevisionRecord::Failed => ".failed.json",
        }
    }
}

fn revision_key(invoice_id: &str, revision: u32, record: RevisionRecord) -> String {
    format!(
        "{}r{revision}{}",
        invoice_folder(invoice_id),
        record.suffix()
    )
}

/// Which revision record `key` is, when it is one directly in `folder` (an
/// [`invoice_folder`]). Keys one folder deeper belong to other invoices whose ids extend this
/// one (`ACME/2026` and `ACME/2026/0001`) and are `None`, as is anything else in the folder.
pub fn revision_record(folder: &str, key: &str) -> Option<(u32, RevisionRecord)> {
    let rest = key.strip_prefix(folder)?.strip_prefix('r')?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(digits);
    let revision = number.parse::<u32>().ok()?;
    [
        RevisionRecord::Pdf,
        RevisionRecord::Xml,
        RevisionRecord::Submitted,
        RevisionRecord::Failed,
    ]
    .into_iter()
    .find(|record| record.suffix() == suffix)
    .map(|record| (revision, record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn keys_are_what_stored_data_is_found_by() {
        assert_eq!(pdf_key("INV-1", 2), "invoices/INV-1/r2.pdf");
        assert_eq!(latest_key("INV-1"), "invoices/INV-1/latest.json");
        assert_eq!(xml_key("INV-1", 2), "invoices/INV-1/r2.xml");
        assert_eq!(submitted_key("A/B", 1), "invoices/A/B/r1.submitted.json");
        assert_eq!(failed_key("INV-1", 3), "invoices/INV-1/r3.failed.json");
        assert_eq!(
            idempotency_record_key(""),
            "idempotency/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.json"
        );
        assert_eq!(direct_pdf_key("ab12"), "api/ab12.pdf");
        assert_eq!(mail_claim_key("abc-123"), "mail/abc-123.json");
        assert_eq!(
            archive_key(
                datetime!(2026-11-26 23:59:59.999 UTC),
                "invoice.pdf.ready.v1",
                "5f1c0a3e-aaaa"
            ),
            "events/date=2026-11-26/type=invoice.pdf.ready.v1/5f1c0a3e-aaaa.jsonl"
        );
    }

    #[test]
    fn a_batch_object_is_named_by_its_set_of_messages() {
        let at = datetime!(2026-11-26 12:00 UTC);
        let date = at.date();
        let kind = "invoice.finalized.v1";
        let key = archive_batch_key(date, kind, &["m2", "m1", "m2"]);
        assert_eq!(
            key,
            archive_batch_key(date, kind, &["m1", "m2"]),
            "any order"
        );
        assert!(
            key.starts_with("events/date=2026-11-26/type=invoice.finalized.v1/batch-"),
            "{key}"
        );
        assert_ne!(key, archive_batch_key(date, kind, &["m1", "m2", "m3"]));
        assert_ne!(key, archive_batch_key(date, kind, &["m1", "m3"]));
        assert_eq!(
            archive_batch_key(date, kind, &["m1"]),
            archive_key(at, kind, "m1"),
            "one message keeps the one-object-per-message name"
        );
    }

    #[test]
    fn outside_ids_cannot_leave_their_prefix() {
        for odd in ["../invoices/x", "", "a.json", "a/b", &"x".repeat(129)] {
            let token = safe_token(odd);
            assert!(
                token.starts_with("sha256-") && is_safe_token(&token),
                "{odd:?}"
            );
        }
        let key = mail_claim_key("../invoices/x");
        assert!(
            key.starts_with("mail/sha256-") && !key.contains(".."),
            "{key}"
        );
        assert_eq!(safe_token(&"x".repeat(128)), "x".repeat(128));
    }

    #[test]
    fn revision_records_are_read_back_from_their_keys() {
        let folder = invoice_folder("ACME/2026");
        let read = |key: &str| revision_record(&folder, key);
        assert_eq!(
            read("invoices/ACME/2026/r1.pdf"),
            Some((1, RevisionRecord::Pdf))
        );
        assert_eq!(
            read("invoices/ACME/2026/r10.submitted.json"),
            Some((10, RevisionRecord::Submitted))
        );
        assert_eq!(
            read(&failed_key("ACME/2026", 2)),
            Some((2, RevisionRecord::Failed))
        );
        for other in [
            "invoices/ACME/2026/latest.json",
            "invoices/ACME/2026/0001/r99.pdf",
            "invoices/ACME/2026/rx.pdf",
            "invoices/ACME/2026/r1.txt",
            "invoices/OTHER/r1.pdf",
        ] {
            assert_eq!(read(other), None, "{other}");
        }
    }
}
