//! The one owner of paperflow's buckets: every key, who may touch it, and how records are
//! written there.
//!
//! - [`layout`]: every key of the documents bucket and the archive bucket, and
//!   [`layout::safe_token`], the one rule that keeps an outside id inside its prefix;
//! - [`access`]: what each function may read, write and list, the source of
//!   `infra/bucket-layout.json`, which the IAM policies of both templates are tested against;
//! - [`metadata`]: the names of the metadata on stored objects;
//! - [`records`]: typed JSON records: created once, read with their version, replaced over a
//!   version, and updated by the one compare-and-swap loop, with one error type.
//!
//! The services (generate, submit, status, mail, archive) decide what to write; they name no
//! key and write no record but through here. Like the rest of the crate, this module does no
//! I/O of its own: it speaks to a [`crate::ports::DocumentStore`].

pub mod access;
pub mod layout;
pub mod metadata;
pub mod records;

pub use layout::{
    archive_batch_key, archive_key, direct_pdf_key, failed_key, idempotency_record_key, latest_key,
    mail_claim_key, pdf_key, safe_token, submitted_key, xml_key,
};
pub use records::{Decision, Records, StoreError, Versioned};
