//! Themes from a local folder (`paperflow render --theme-dir DIR`): `DIR/{name}/theme.json` and
//! the logo beside it, read the first time a document names the theme and kept for the run.

use paperflow_invoice::ThemeName;
use paperflow_render::theme::THEME_FILE_NAME;
use paperflow_render::{Theme, ThemeFile};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The themes of one folder, each read once.
pub struct ThemeFolder {
    dir: PathBuf,
    read: HashMap<String, Arc<Theme>>,
}

impl ThemeFolder {
    /// The folder `dir`, holding one folder per theme.
    pub fn new(dir: PathBuf) -> ThemeFolder {
        ThemeFolder {
            dir,
            read: HashMap::new(),
        }
    }

    /// The theme `name`, checked; the error names the theme, the file and what is wrong.
    pub fn theme(&mut self, name: &ThemeName) -> Result<Arc<Theme>, String> {
        if let Some(theme) = self.read.get(name.as_str()) {
            return Ok(Arc::clone(theme));
        }
        let folder = self.dir.join(name.as_str());
        let theme = Arc::new(read_theme(name, &folder)?);
        self.read
            .insert(name.as_str().to_owned(), Arc::clone(&theme));
        Ok(theme)
    }
}

fn read_theme(name: &ThemeName, folder: &Path) -> Result<Theme, String> {
    let json_path = folder.join(THEME_FILE_NAME);
    let json = std::fs::read(&json_path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => {
            format!("theme {name:?} does not exist: no {}", json_path.display())
        }
        _ => format!(
            "theme {name:?}: cannot read {}: {error}",
            json_path.display()
        ),
    })?;
    let file = ThemeFile::parse(&json).map_err(|error| format!("theme {name:?}: {error}"))?;
    let logo = match file.logo_file() {
        Some(logo_file) => {
            let logo_path = folder.join(logo_file);
            match std::fs::read(&logo_path) {
                Ok(bytes) => Some(bytes),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => {
                    return Err(format!(
                        "theme {name:?}: cannot read {}: {error}",
                        logo_path.display()
                    ));
                }
            }
        }
        None => None,
    };
    file.with_logo(logo.as_deref())
        .map_err(|error| format!("theme {name:?}: {error}"))
}
