//! What became of an invoice revision: pending, ready or failed, read back from the store.
//!
//! Each revision leaves records in its invoice's folder `invoices/{id}/`:
//!
//! | key | written by | means |
//! |---|---|---|
//! | `r{N}.submitted.json` | invoice-api, before it publishes `invoice.finalized.v1` | pending |
//! | `r{N}.pdf` | pdf-generator | ready |
//! | `r{N}.xml` | pdf-generator, before the PDF, for an XML e-invoice (XRechnung, Peppol) | the ready revision's XML |
//! | `r{N}.failed.json` | pdf-generator, when it rejects the revision | failed, and why |
//!
//! A PDF outranks a failure: a rejected copy of a revision that is already stored (a
//! `revision_conflict`) leaves the first PDF as the truth. A failure outranks the submission.
//! Without a revision number, the status is the one of the highest revision that has any record.
//! A producer that publishes to the topic directly leaves no submission record: its revision is
//! unknown until it is ready or failed.
//!
//! A ready revision names its XML when the folder lists one: the pdf-generator stores the XML
//! before the PDF, so a listed PDF of an XML e-invoice always has its XML beside it.
//!
//! The keys are [`crate::store::layout`]'s; this module only decides what they mean together.

use crate::ports::{DependencyError, DocumentStore};
use crate::store::layout::{RevisionRecord, invoice_folder, revision_record, xml_key};
use crate::store::records::Records;
use crate::store::{failed_key, metadata, pdf_key, submitted_key};
use paperflow_invoice::InvoiceId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `invoices/{id}/r{N}.submitted.json`: the revision was accepted and announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedRevision {
    /// The invoice.
    pub invoice_id: String,
    /// The revision.
    pub revision: u32,
    /// The id of the `invoice.finalized.v1` event that announced it.
    pub event_id: String,
    /// The flow it belongs to.
    pub correlation_id: String,
    /// When it was accepted (RFC 3339).
    pub submitted_at: String,
}

/// `invoices/{id}/r{N}.failed.json`: the revision was rejected, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedRevision {
    /// The invoice.
    pub invoice_id: String,
    /// The revision.
    pub revision: u32,
    /// The stable code of the failure (`invalid_invoice`, `revision_conflict`, …).
    pub code: String,
    /// What is wrong, naming the field and the rule where there is one.
    pub message: String,
    /// The id of the `invoice.pdf.failed.v1` notice that announced it.
    pub notice_id: String,
    /// The flow it belongs to.
    pub correlation_id: String,
    /// When it was rejected (RFC 3339).
    pub failed_at: String,
}

/// A stored PDF, as its object describes itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadyRevision {
    /// The invoice.
    pub invoice_id: String,
    /// The revision.
    pub revision: u32,
    /// Where the PDF is.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex (empty if the object was stored without it).
    pub sha256: String,
    /// Its page count (0 if the object was stored without it).
    pub pages: u32,
    /// Where its separate e-invoice XML is (XRechnung, Peppol), when it has one.
    pub xml_key: Option<String>,
}

/// The status of one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionStatus {
    /// Accepted, not rendered yet.
    Pending(SubmittedRevision),
    /// The PDF is stored.
    Ready(ReadyRevision),
    /// Rejected.
    Failed(FailedRevision),
}

impl RevisionStatus {
    /// The revision the status is about.
    pub fn revision(&self) -> u32 {
        match self {
            RevisionStatus::Pending(submitted) => submitted.revision,
            RevisionStatus::Ready(ready) => ready.revision,
            RevisionStatus::Failed(failed) => failed.revision,
        }
    }
}

/// Which records one revision has.
#[derive(Debug, Default, Clone, Copy)]
struct RevisionRecords {
    pdf: bool,
    xml: bool,
    failed: bool,
    submitted: bool,
}

/// The records in an invoice's folder, by revision. Keys of other invoices whose ids extend
/// this one (`ACME/2026` and `ACME/2026/0001`) are one folder deeper and are skipped.
fn records_by_revision(folder: &str, keys: &[String]) -> BTreeMap<u32, RevisionRecords> {
    let mut revisions: BTreeMap<u32, RevisionRecords> = BTreeMap::new();
    for (revision, record) in keys.iter().filter_map(|key| revision_record(folder, key)) {
        let records = revisions.entry(revision).or_default();
        match record {
            RevisionRecord::Pdf => records.pdf = true,
            RevisionRecord::Xml => records.xml = true,
            RevisionRecord::Failed => records.failed = true,
            RevisionRecord::Submitted => records.submitted = true,
        }
    }
    revisions
}

/// The status of `revision` of the invoice, or of its highest known revision when `revision` is
/// `None`; `None` when the store knows nothing of it.
///
/// # Errors
///
/// The store could not be read. A record that exists but cannot be parsed is an error too
/// (`retryable: false`): it was written by a different version and needs a person.
pub async fn revision_status<S: DocumentStore>(
    store: &S,
    invoice_id: &InvoiceId,
    revision: Option<u32>,
) -> Result<Option<RevisionStatus>, DependencyError> {
    let id = invoice_id.as_str();
    let folder = invoice_folder(id);
    let keys = store.list(&folder).await?;
    let revisions = records_by_revision(&folder, &keys);
    let chosen = match revision {
        Some(revision) => revisions.get(&revision).map(|records| (revision, *records)),
        None => revisions
            .last_key_value()
            .map(|(revision, records)| (*revision, *records)),
    };
    let Some((revision, records)) = chosen else {
        return Ok(None);
    };
    if records.pdf {
        let key = pdf_key(id, revision);
        // Listed a moment ago; gone now only if somebody deleted it.
        let Some(info) = store.head(&key).await? else {
            return Ok(None);
        };
        return Ok(Some(RevisionStatus::Ready(ReadyRevision {
            invoice_id: id.to_owned(),
            revision,
            size: info.size,
            sha256: metadata::sha256_of(&info.metadata),
            pages: metadata::pages_of(&info.metadata).unwrap_or(0),
            key,
            xml_key: records.xml.then(|| xml_key(id, revision)),
        })));
    }
    if records.failed {
        let failed = read_record(store, &failed_key(id, revision)).await?;
        return Ok(failed.map(RevisionStatus::Failed));
    }
    let submitted = read_record(store, &submitted_key(id, revision)).await?;
    Ok(submitted.map(RevisionStatus::Pending))
}

/// The record under `key`; one this version cannot read is an error that is not retried.
async fn read_record<S: DocumentStore, T: for<'de> Deserialize<'de>>(
    store: &S,
    key: &str,
) -> Result<Option<T>, DependencyError> {
    let read = Records::new(store).read(key).await?;
    Ok(read.map(|versioned| versioned.record))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn records_are_grouped_by_revision_and_deeper_folders_are_other_invoices() {
        let folder = "invoices/ACME/2026/";
        let listed = keys(&[
            "invoices/ACME/2026/latest.json",
            "invoices/ACME/2026/r1.pdf",
            "invoices/ACME/2026/r1.xml",
            "invoices/ACME/2026/r2.submitted.json",
            "invoices/ACME/2026/r2.failed.json",
            "invoices/ACME/2026/r10.submitted.json",
            "invoices/ACME/2026/0001/r99.pdf",
            "invoices/ACME/2026/rx.pdf",
        ]);
        let revisions = records_by_revision(folder, &listed);
        assert_eq!(revisions.keys().copied().collect::<Vec<_>>(), [1, 2, 10]);
        assert!(revisions[&1].pdf && revisions[&1].xml && !revisions[&1].failed);
        assert!(revisions[&2].failed && revisions[&2].submitted && !revisions[&2].pdf);
        assert!(!revisions[&2].xml && !revisions[&10].xml);
        assert!(revisions[&10].submitted);
    }
}
