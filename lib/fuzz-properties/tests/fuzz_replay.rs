//! Every committed input of the fuzz targets, through the same property the target asserts:
//! the minimised seed corpus (`fuzz/corpus/<target>/`), so that `make test` exercises every
//! property, and every crash the fuzzer ever found (`fuzz/regressions/<target>/`), so that a
//! bug it found stays fixed.

use paperflow_fuzz_properties::TARGETS;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files directly in `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` over every input of `target` under `kind` (`corpus`, `regressions`); how many.
fn replay(kind: &str, target: &str, check: fn(&[u8])) -> usize {
    let files = inputs(&fuzz_dir().join(kind).join(target));
    for file in &files {
        let data = std::fs::read(file).expect("a readable input");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} breaks its property",
            file.display()
        );
    }
    files.len()
}

#[test]
fn every_seed_input_and_every_crash_found_holds_its_target_property() {
    for (target, check) in TARGETS {
        let seeds = replay("corpus", target, *check);
        assert!(
            seeds > 0,
            "{target}: no seed corpus under fuzz/corpus/{target}"
        );
        replay("regressions", target, *check);
    }
}
