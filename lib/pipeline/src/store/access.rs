//! Who may read and write which keys: the table the IAM policies of both templates must say,
//! and `infra/bucket-layout.json`, the file the infrastructure's tests read it from.
//!
//! Each function's grants are key patterns in IAM's notation (`*` is any text, `/` included),
//! each inside one of [`super::layout`]'s prefixes. The tests below hold the table to the code
//! from both sides: every key a function builds is granted to it, and every grant is used by
//! some key. `infra/tests/test_bucket_layout.py` holds the templates to the file, and
//! [`bucket_layout_json`] is what the file must contain.

use super::layout::{
    DIRECT_PDFS, EVENTS, IDEMPOTENCY, INVOICES, MAIL_CLAIMS, SAFE_TOKEN_MAX_LEN, THEMES,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The command that rewrites `infra/bucket-layout.json` from this table.
pub const REGENERATE: &str =
    "UPDATE_BUCKET_LAYOUT=1 cargo test -p paperflow-pipeline --lib bucket_layout";

/// paperflow's buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    /// `DOCUMENTS_BUCKET`: PDFs and the records beside them.
    Documents,
    /// `ARCHIVE_BUCKET`: the event log.
    Archive,
}

/// What one function may do in one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The function, by its crate and binary name.
    pub function: &'static str,
    /// The bucket.
    pub bucket: Bucket,
    /// The keys it may read (`s3:GetObject`; presigning a download is a read too).
    pub read: &'static [&'static str],
    /// The keys it may write (`s3:PutObject`).
    pub write: &'static [&'static str],
    /// Whether it may list the bucket (`s3:ListBucket`): to list an invoice's revisions, and
    /// so that S3 answers a read of a missing key with 404 rather than 403.
    pub list: bool,
}

/// Every function's access to the buckets. A function or bucket that is not named here gets
/// nothing.
pub const GRANTS: &[Grant] = &[
    Grant {
        function: "invoice-api",
        bucket: Bucket::Documents,
        read: &["invoices/*", "idempotency/*", "api/*", "themes/*"],
        // Submissions only: PDFs themselves are written by the pdf-generator alone.
        write: &["invoices/*.submitted.json", "idempotency/*", "api/*"],
        list: true,
    },
    Grant {
        function: "pdf-generator",
        bucket: Bucket::Documents,
        read: &["invoices/*", "themes/*"],
        write: &["invoices/*"],
        list: true,
    },
    Grant {
        function: "pdf-mailer",
        bucket: Bucket::Documents,
        read: &["invoices/*", "mail/*"],
        write: &["mail/*"],
        list: true,
    },
    Grant {
        function: "event-archiver",
        bucket: Bucket::Archive,
        read: &[],
        write: &["events/*"],
        list: false,
    },
];

/// The prefixes of each bucket, and what is kept under each.
pub const PREFIXES: &[(Bucket, &str, &str)] = &[
    (
        Bucket::Documents,
        INVOICES,
        "per invoice: r{N}.pdf, r{N}.xml, latest.json, r{N}.submitted.json, r{N}.failed.json",
    ),
    (
        Bucket::Documents,
        IDEMPOTENCY,
        "{sha256 of the idempotency key}.json",
    ),
    (
        Bucket::Documents,
        DIRECT_PDFS,
        "{sha256}.pdf: large direct PDFs",
    ),
    (
        Bucket::Documents,
        MAIL_CLAIMS,
        "{notice id}.json: send records",
    ),
    (
        Bucket::Documents,
        THEMES,
        "{name}/theme.json and its logo: brands, put there by people, read by the renderers",
    ),
    (
        Bucket::Archive,
        EVENTS,
        "date=YYYY-MM-DD/type={event type}/{message id, or batch-{sha256 of the message ids}}.jsonl",
    ),
];

#[derive(Serialize)]
struct LayoutFile {
    generated_by: &'static str,
    safe_token: TokenRule,
    buckets: BTreeMap<Bucket, BTreeMap<&'static str, &'static str>>,
    functions: BTreeMap<&'static str, BTreeMap<Bucket, Grants>>,
}

#[derive(Serialize)]
struct TokenRule {
    pattern: String,
    otherwise: &'static str,
}

#[derive(Serialize)]
struct Grants {
    read: Vec<&'static str>,
    write: Vec<&'static str>,
    list: bool,
}

/// The text of `infra/bucket-layout.json`: every bucket's prefixes, the safe-token rule, and
/// what each function may read, write and list. Sorted, so that it is the same on every run.
pub fn bucket_layout_json() -> String {
    let mut buckets: BTreeMap<Bucket, BTreeMap<&str, &str>> = BTreeMap::new();
    for (bucket, prefix, what) in PREFIXES {
        buckets.entry(*bucket).or_default().insert(prefix, what);
    }
    let mut functions: BTreeMap<&str, BTreeMap<Bucket, Grants>> = BTreeMap::new();
    for grant in GRANTS {
        let sorted = |keys: &[&'static str]| {
            let mut keys = keys.to_vec();
            keys.sort_unstable();
            keys
        };
        functions.entry(grant.function).or_default().insert(
            grant.bucket,
            Grants {
                read: sorted(grant.read),
                write: sorted(grant.write),
                list: grant.list,
            },
        );
    }
    let file = LayoutFile {
        generated_by: REGENERATE,
        safe_token: TokenRule {
            pattern: format!("^[A-Za-z0-9_-]{{1,{SAFE_TOKEN_MAX_LEN}}}$"),
            otherwise: "sha256-{sha256 of the text, hex}",
        },
        buckets,
        functions,
    };
    // Plain data of strings and booleans: serialising it cannot fail.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::layout::{
        archive_key, direct_pdf_key, failed_key, idempotency_record_key, is_safe_token, latest_key,
        mail_claim_key, pdf_key, submitted_key, theme_file_key, xml_key,
    };
    use std::path::PathBuf;
    use time::macros::datetime;

    /// Whether IAM's `pattern` (`*` any text, `?` one character) matches `key`.
    fn glob(pattern: &str, key: &str) -> bool {
        match pattern.chars().next() {
            None => key.is_empty(),
            Some('*') => (0..=key.len())
                .filter(|at| key.is_char_boundary(*at))
                .any(|at| glob(&pattern[1..], &key[at..])),
            Some(first) => {
                key.chars()
                    .next()
                    .is_some_and(|c| first == '?' || c == first)
                    && {
                        let width = key.chars().next().map_or(0, char::len_utf8);
                        glob(&pattern[first.len_utf8()..], &key[width..])
                    }
            }
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Access {
        Read,
        Write,
    }

    /// Every key each function reads or writes, as the pipeline builds it.
    fn uses() -> Vec<(&'static str, Bucket, Access, String)> {
        use Access::{Read, Write};
        use Bucket::{Archive, Documents};
        let at = datetime!(2026-11-26 14:05:42 UTC);
        vec![
            // The pdf-generator: the XML and the PDF (a duplicate is checked, a foreign object
            // read), the pointer, a failure.
            ("pdf-generator", Documents, Write, xml_key("A/1", 2)),
            ("pdf-generator", Documents, Read, xml_key("A/1", 2)),
            ("pdf-generator", Documents, Write, pdf_key("A/1", 2)),
            ("pdf-generator", Documents, Read, pdf_key("A/1", 2)),
            ("pdf-generator", Documents, Read, latest_key("A/1")),
            ("pdf-generator", Documents, Write, latest_key("A/1")),
            ("pdf-generator", Documents, Write, failed_key("A/1", 2)),
            (
                "pdf-generator",
                Documents,
                Read,
                theme_file_key("t", "theme.json"),
            ),
            (
                "pdf-generator",
                Documents,
                Read,
                theme_file_key("t", "logo.png"),
            ),
            // The invoice API: status (records and PDFs), submissions, idempotency, direct.
            ("invoice-api", Documents, Read, pdf_key("A/1", 2)),
            ("invoice-api", Documents, Read, submitted_key("A/1", 2)),
            ("invoice-api", Documents, Read, failed_key("A/1", 2)),
            ("invoice-api", Documents, Write, submitted_key("A/1", 2)),
            ("invoice-api", Documents, Read, idempotency_record_key("k")),
            ("invoice-api", Documents, Write, idempotency_record_key("k")),
            ("invoice-api", Documents, Read, direct_pdf_key("ab")),
            ("invoice-api", Documents, Write, direct_pdf_key("ab")),
            (
                "invoice-api",
                Documents,
                Read,
                theme_file_key("t", "theme.json"),
            ),
            (
                "invoice-api",
                Documents,
                Read,
                theme_file_key("t", "logo.png"),
            ),
            // The pdf-mailer: the PDF and the XML to attach or link, its claim.
            ("pdf-mailer", Documents, Read, pdf_key("A/1", 2)),
            ("pdf-mailer", Documents, Read, xml_key("A/1", 2)),
            ("pdf-mailer", Documents, Read, mail_claim_key("n")),
            ("pdf-mailer", Documents, Write, mail_claim_key("n")),
            // The event-archiver: create-only puts, no reads.
            (
                "event-archiver",
                Archive,
                Write,
                archive_key(at, "invoice.pdf.ready.v1", "m"),
            ),
        ]
    }

    fn patterns(grant: &Grant, access: Access) -> &'static [&'static str] {
        match access {
            Access::Read => grant.read,
            Access::Write => grant.write,
        }
    }

    #[test]
    fn every_key_a_function_builds_is_granted_to_it() {
        for (function, bucket, access, key) in uses() {
            let granted = GRANTS
                .iter()
                .filter(|grant| grant.function == function && grant.bucket == bucket)
                .any(|grant| patterns(grant, access).iter().any(|p| glob(p, &key)));
            assert!(granted, "{function} may not {access:?} {bucket:?} {key}");
        }
    }

    #[test]
    fn every_grant_is_used_and_inside_a_prefix_of_its_bucket() {
        let uses = uses();
        for grant in GRANTS {
            for access in [Access::Read, Access::Write] {
                for pattern in patterns(grant, access) {
                    let used = uses.iter().any(|(function, bucket, used_as, key)| {
                        *function == grant.function
                            && *bucket == grant.bucket
                            && *used_as == access
                            && glob(pattern, key)
                    });
                    assert!(
                        used,
                        "{} is granted {access:?} {pattern}, unused",
                        grant.function
                    );
                    let inside = PREFIXES.iter().any(|(bucket, prefix, _)| {
                        *bucket == grant.bucket && pattern.starts_with(prefix)
                    });
                    assert!(inside, "{pattern} is in no prefix of {:?}", grant.bucket);
                }
            }
        }
    }

    #[test]
    fn the_token_rule_of_the_file_is_the_code_s() {
        let file: serde_json::Value = serde_json::from_str(&bucket_layout_json()).expect("JSON");
        let pattern = file["safe_token"]["pattern"].as_str().expect("a pattern");
        assert_eq!(pattern, "^[A-Za-z0-9_-]{1,128}$");
        assert!(is_safe_token(&"a".repeat(128)) && !is_safe_token(&"a".repeat(129)));
        assert!(is_safe_token("A-z_9") && !is_safe_token("a.b") && !is_safe_token(""));
    }

    #[test]
    fn glob_reads_iam_patterns() {
        assert!(glob("invoices/*", "invoices/A/1/r2.pdf"));
        assert!(glob(
            "invoices/*.submitted.json",
            "invoices/A/r1.submitted.json"
        ));
        assert!(!glob("invoices/*.submitted.json", "invoices/A/r1.pdf"));
        assert!(glob("mail/?.json", "mail/n.json") && !glob("mail/*", "invoices/x"));
    }

    /// `infra/bucket-layout.json` is what [`bucket_layout_json`] makes of the table; with
    /// `UPDATE_BUCKET_LAYOUT=1` the test writes it instead.
    #[test]
    fn bucket_layout_file_is_the_code_s_layout() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/bucket-layout.json");
        let expected = bucket_layout_json();
        if std::env::var_os("UPDATE_BUCKET_LAYOUT").is_some() {
            std::fs::write(&path, &expected).expect("infra/bucket-layout.json written");
            return;
        }
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            found == expected,
            "infra/bucket-layout.json differs from the bucket layout in \
             lib/pipeline/src/store/access.rs; regenerate it with `{REGENERATE}` and commit it"
        );
    }
}
