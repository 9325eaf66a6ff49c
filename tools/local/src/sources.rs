//! The project's source files a set of built functions was made from, and whether any of them
//! changed since: what tells the stack to rebuild.
//!
//! cargo writes a dep-info file next to every executable (`target/debug/pdf-generator.d`) that
//! names each file the build read: every `.rs` of every crate, and files pulled in with
//! `include_bytes!`. Of those, the ones under the project (not under its target folder) are the
//! user's; crates from the registry do not change. The manifests are not in dep-info, so the
//! `Cargo.toml` of each crate found there, and the workspace's `Cargo.toml` and `Cargo.lock`, are
//! watched too: a new dependency is a change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Files and their modification times, as last seen.
#[derive(Debug, Default)]
pub struct SourceFiles {
    seen: BTreeMap<PathBuf, Option<SystemTime>>,
}

impl SourceFiles {
    /// The project's files that the executables' dep-info files name, with their times now.
    /// `project` is the workspace root; files outside it, and files under the target folder
    /// (`target/`, the parent of `target/debug/<executable>`: build scripts' output), are left
    /// out.
    pub fn of_executables<'a>(
        executables: impl IntoIterator<Item = &'a Path>,
        project: &Path,
    ) -> SourceFiles {
        let mut files = BTreeSet::new();
        for executable in executables {
            let Ok(text) = std::fs::read_to_string(executable.with_extension("d")) else {
                continue;
            };
            let target_dir = executable
                .parent()
                .and_then(Path::parent)
                .unwrap_or(executable);
            for file in dep_info_inputs(&text) {
                if file.starts_with(project) && !file.starts_with(target_dir) {
                    files.insert(file);
                }
            }
        }
        // Each crate's folder lies between a source file and the project root.
        let folders: BTreeSet<&Path> = files
            .iter()
            .flat_map(|file| file.ancestors().skip(1))
            .filter(|folder| folder.starts_with(project) && *folder != project)
            .collect();
        let manifests: Vec<PathBuf> = folders
            .into_iter()
            .map(|folder| folder.join("Cargo.toml"))
            .filter(|manifest| manifest.is_file())
            .collect();
        files.extend(manifests);
        files.insert(project.join("Cargo.toml"));
        files.insert(project.join("Cargo.lock"));
        SourceFiles {
            seen: files
                .into_iter()
                .map(|file| {
                    let time = modified(&file);
                    (file, time)
                })
                .collect(),
        }
    }

    /// How many files are watched.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True when no file is watched.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The same files with their times now.
    pub fn refreshed(&self) -> SourceFiles {
        SourceFiles {
            seen: self
                .seen
                .keys()
                .map(|file| (file.clone(), modified(file)))
                .collect(),
        }
    }

    /// These files, with the times `earlier` saw for those it watched too: a file that changed
    /// after `earlier` was taken stays a change.
    pub fn since(self, earlier: &SourceFiles) -> SourceFiles {
        SourceFiles {
            seen: self
                .seen
                .into_iter()
                .map(|(file, time)| match earlier.seen.get(&file) {
                    Some(seen) => (file, *seen),
                    None => (file, time),
                })
                .collect(),
        }
    }

    /// The watched files whose modification time differs from the one last seen (a file that
    /// was deleted or appeared counts), in path order.
    pub fn changed(&self) -> Vec<PathBuf> {
        self.seen
            .iter()
            .filter(|(file, time)| modified(file) != **time)
            .map(|(file, _)| file.clone())
            .collect()
    }
}

/// A file's modification time; `None` when it does not exist.
pub fn modified(file: &Path) -> Option<SystemTime> {
    std::fs::metadata(file)
        .and_then(|metadata| metadata.modified())
        .ok()
}

/// The inputs a Makefile-style dep-info file lists for its first target: `target: a.rs b\ c.rs`,
/// spaces in names escaped with a backslash.
pub fn dep_info_inputs(text: &str) -> Vec<PathBuf> {
    let Some(first) = text.lines().find(|line| !line.trim().is_empty()) else {
        return Vec::new();
    };
    // The target itself may contain an escaped space or a colon of its own: split at the first
    // ": " that is not escaped.
    let Some(inputs) = split_after_target(first) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut current = String::new();
    let mut chars = inputs.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    files.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        files.push(PathBuf::from(current));
    }
    files
}

fn split_after_target(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    (0..bytes.len().saturating_sub(1))
        .find(|&i| bytes[i] == b':' && bytes[i + 1] == b' ' && (i == 0 || bytes[i - 1] != b'\\'))
        .map(|i| &line[i + 2..])
        .or_else(|| line.strip_suffix(':').map(|_| ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_inputs_unescape_spaces_and_skip_the_target() {
        let text = "/p/target/debug/fn: /p/src/main.rs /p/my\\ crate/lib.rs /p/fonts/a.ttf\n\n/p/src/main.rs:\n";
        assert_eq!(
            dep_info_inputs(text),
            vec![
                PathBuf::from("/p/src/main.rs"),
                PathBuf::from("/p/my crate/lib.rs"),
                PathBuf::from("/p/fonts/a.ttf"),
            ]
        );
        assert!(dep_info_inputs("").is_empty());
        assert!(dep_info_inputs("/p/target/debug/fn:\n").is_empty());
    }

    fn write(path: &Path, text: &str) {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).expect("a folder");
        }
        std::fs::write(path, text).expect("a file");
    }

    /// Sets a file's modification time: the tests do not wait for the clock to move on.
    fn touch(path: &Path, seconds_ahead: u64) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .and_then(|file| {
                file.set_modified(SystemTime::now() + std::time::Duration::from_secs(seconds_ahead))
            })
            .expect("a file to touch");
    }

    #[test]
    fn a_touched_deleted_or_new_file_is_a_change_and_the_registry_is_not_watched() {
        let project = tempfile::tempdir().expect("a temporary folder");
        let root = project.path();
        let target = root.join("target/debug");
        let main = root.join("lib/a/src/main.rs");
        let extra = root.join("lib/a/src/extra.rs");
        write(&root.join("Cargo.toml"), "[workspace]\n");
        write(&root.join("lib/a/Cargo.toml"), "[package]\n");
        write(&main, "fn main() {}");
        write(&extra, "");
        let generated = target.join("build/out.rs");
        write(
            &target.join("fn.d"),
            &format!(
                "{}: {} {} {} /registry/serde/lib.rs\n",
                target.join("fn").display(),
                main.display(),
                extra.display(),
                generated.display()
            ),
        );
        let executable = target.join("fn");

        let sources = SourceFiles::of_executables([executable.as_path()], root);
        // main.rs, extra.rs, the crate's manifest, the workspace's manifest and lock file.
        assert_eq!(sources.len(), 5, "{sources:?}");
        assert!(sources.changed().is_empty());

        write(&root.join("Cargo.lock"), "# new\n");
        assert_eq!(sources.changed(), vec![root.join("Cargo.lock")]);

        std::fs::remove_file(&extra).expect("extra.rs removed");
        touch(&main, 5);
        assert_eq!(
            sources.changed(),
            vec![root.join("Cargo.lock"), extra.clone(), main.clone()]
        );

        // A build starts from these times; main.rs is edited while it runs.
        let building_from = sources.refreshed();
        assert!(building_from.changed().is_empty());
        touch(&main, 10);
        let after_build =
            SourceFiles::of_executables([executable.as_path()], root).since(&building_from);
        assert_eq!(after_build.changed(), vec![main.clone()]);
    }
}
