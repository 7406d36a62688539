//! Stage 1: spec text -> [`ServiceSpec`] plus the positions of everything in it.

use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::source::SourceMap;
use crate::spec::ServiceSpec;

/// A parsed spec file.
#[derive(Debug)]
pub struct LoadedSpec {
    /// The file as shown in diagnostics, e.g. `specs/iam.yaml`.
    pub file: String,
    /// The file stem, e.g. `iam`: the module and feature name.
    pub stem: String,
    pub spec: ServiceSpec,
    pub source: SourceMap,
}

/// Parses one spec. `file` is the path shown in diagnostics.
pub fn load(file: &str, text: &str) -> Result<LoadedSpec, Diagnostics> {
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned();
    if text.trim().is_empty() {
        return Err(Diagnostic::new(
            file,
            Pos { line: 1, col: 1 },
            "the spec file is empty (expected a mapping with `service`, `doc` and `operations`)",
        )
        .into());
    }
    let (source, duplicates) = SourceMap::index(text);
    let spec: ServiceSpec = serde_yaml::from_str(text).map_err(|e| yaml_error(file, &e))?;
    if !duplicates.is_empty() {
        return Err(Diagnostics(
            duplicates
                .into_iter()
                .map(|d| {
                    let key = d.path.rsplit('.').next().unwrap_or(&d.path).to_owned();
                    Diagnostic::new(
                        file,
                        d.pos,
                        format!(
                            "duplicate key `{key}`, first defined at line {} (expected each key once per mapping)",
                            d.first.line
                        ),
                    )
                })
                .collect(),
        ));
    }
    Ok(LoadedSpec {
        file: file.to_owned(),
        stem,
        spec,
        source,
    })
}

/// serde_yaml's message, with its position moved into the `file:line:col` prefix.
fn yaml_error(file: &str, error: &serde_yaml::Error) -> Diagnostics {
    let pos = error
        .location()
        .map(|l| Pos {
            line: l.line(),
            col: l.column(),
        })
        .unwrap_or(Pos { line: 1, col: 1 });
    let mut message = error.to_string();
    // serde_yaml appends " at line L column C"; the prefix already says where.
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    if message.starts_with("invalid type") && pos == (Pos { line: 1, col: 1 }) {
        message = format!("{message} (the spec file must be a mapping with `service`, `doc` and `operations`)");
    }
    Diagnostic::new(file, pos, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_has_position() {
        let text = "service: X\ndoc: d\noperations:\n  Op:\n    doc: d\n    methd: GET\n";
        let err = load("specs/x.yaml", text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.starts_with("specs/x.yaml:6:5: operations.Op: unknown field `methd`"), "{shown}");
    }
}
