//! The fault log: one JSON line per injected fault, written as it happens, and the counts the
//! stack's summary shows. The proxy and the runtime's kills write to the same log.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where injected faults are recorded.
#[derive(Debug)]
pub struct FaultLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
    counts: Mutex<BTreeMap<String, u64>>,
}

impl FaultLog {
    /// A new, empty log at `path` (replaced if it exists).
    ///
    /// # Errors
    ///
    /// The file cannot be created.
    pub fn create(path: &Path) -> std::io::Result<FaultLog> {
        Ok(FaultLog {
            path: path.to_owned(),
            file: Mutex::new(std::fs::File::create(path)?),
            counts: Mutex::new(BTreeMap::new()),
        })
    }

    /// The log's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `fault` (a JSON object) as one line and counts it under `counted_as`
    /// (`s3 lost`, `pdf-generator kill`).
    pub fn record(&self, fault: &Value, counted_as: String) {
        if let Ok(mut file) = self.file.lock() {
            // One write per line: lines of concurrent faults never interleave.
            let _ = file.write_all(format!("{fault}\n").as_bytes());
        }
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry(counted_as).or_default() += 1;
        }
    }

    /// How many faults were recorded, by what they were counted as.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.counts
            .lock()
            .map(|counts| counts.clone())
            .unwrap_or_default()
    }
}
