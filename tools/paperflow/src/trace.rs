//! `paperflow trace <correlation id | invoice id>`: what happened to a flow, from the archive.
//!
//! Lists the archive bucket, reads every archived event, keeps those of the flow (see
//! `paperflow_pipeline::archive::trace`) and prints them in time order: a table for people,
//! `--json` for tools. The AWS SDK finds its region, credentials and endpoint the standard way,
//! so `AWS_ENDPOINT_URL` points it at a local emulator.

use paperflow_aws::S3Archive;
use paperflow_pipeline::archive::{ARCHIVE_PREFIX, TraceEntry, parse_archive_object, trace};

/// Archive objects fetched at the same time.
const CONCURRENCY: usize = 32;

/// What `paperflow trace` was asked.
pub struct TraceRequest {
    /// A correlation id or an invoice id.
    pub query: String,
    /// The archive bucket.
    pub bucket: String,
    /// Only partitions from this date on (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// JSON instead of a table.
    pub json: bool,
}

/// Runs the request and prints its answer; `Err` holds what to tell the user.
pub fn run(request: &TraceRequest) -> Result<(), String> {
    if let Some(since) = &request.since {
        time::Date::parse(
            since,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| format!("--since {since:?}: expected a date such as 2026-11-26"))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    let (entries, damaged) = runtime.block_on(collect(request))?;
    if damaged > 0 {
        eprintln!("warning: {damaged} archived line(s) could not be read and were skipped");
    }
    if request.json {
        let text = serde_json::to_string_pretty(&entries)
            .map_err(|error| format!("cannot write JSON: {error}"))?;
        println!("{text}");
    } else if entries.is_empty() {
        eprintln!(
            "no archived events of {:?} in s3://{}",
            request.query, request.bucket
        );
    } else {
        print!("{}", table(&entries));
    }
    Ok(())
}

async fn collect(request: &TraceRequest) -> Result<(Vec<TraceEntry>, usize), String> {
    let sdk = paperflow_aws::sdk_config().await;
    let archive = S3Archive::from_conf(&sdk, request.bucket.as_str());
    // Keys sort by date first, so "from this date on" is a listing that starts after the
    // day before's partitions: `date=2026-11-26` sorts after every `date=2026-11-25/…`.
    let start_after = request
        .since
        .as_ref()
        .map(|since| format!("{ARCHIVE_PREFIX}date={since}"));
    let keys = archive
        .keys(ARCHIVE_PREFIX, start_after.as_deref())
        .await
        .map_err(|error| format!("cannot list s3://{}: {error}", request.bucket))?;
    let objects = archive
        .read(&keys, CONCURRENCY)
        .await
        .map_err(|error| format!("cannot read s3://{}: {error}", request.bucket))?;
    let mut lines = Vec::new();
    let mut damaged = 0;
    for (_, body) in objects {
        let (parsed, bad) = parse_archive_object(&body);
        lines.extend(parsed);
        damaged += bad;
    }
    Ok((trace(lines, &request.query), damaged))
}

/// The entries as aligned columns, each failure's reason on an indented line below it.
pub fn table(entries: &[TraceEntry]) -> String {
    let headers = ["TIME", "SOURCE", "TYPE", "SUBJECT", "OUTCOME"];
    let rows: Vec<[&str; 5]> = entries
        .iter()
        .map(|entry| {
            [
                entry.time.as_str(),
                entry.source.as_str(),
                entry.event_type.as_str(),
                entry.subject.as_str(),
                entry.outcome.as_str(),
            ]
        })
        .collect();
    let mut widths = headers.map(|header| header.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if index + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    let mut out = line(headers);
    for (entry, row) in entries.iter().zip(rows) {
        out.push_str(&line(row));
        if let Some(reason) = &entry.reason {
            out.push_str(&format!("    reason: {reason}\n"));
        }
    }
    let mut flows: Vec<&str> = entries
        .iter()
        .map(|entry| entry.correlationid.as_str())
        .collect();
    flows.sort_unstable();
    flows.dedup();
    out.push_str(&format!(
        "{} event{}, correlation id{} {}\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        if flows.len() == 1 { "" } else { "s" },
        flows.join(", ")
    ));
    out
}
