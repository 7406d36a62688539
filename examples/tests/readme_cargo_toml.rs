//! The README's `Cargo.toml` snippet names features the `hwcloud` crate has (the README's
//! Rust blocks are compiled as doctests of this package; a TOML block is not compiled).

use std::path::Path;

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `[dependencies]` line of `name` in the README's first `toml` block.
fn snippet_line(readme: &str, name: &str) -> String {
    let block = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a toml block");
    block
        .lines()
        .find(|line| line.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("the toml block has no `{name}` line:\n{block}"))
        .to_owned()
}

/// The quoted names in the `features = [...]` of a dependency line.
fn features(line: &str) -> Vec<String> {
    let list = line
        .split("features = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no features in {line}"));
    list.split(',')
        .map(|f| f.trim().trim_matches('"').to_owned())
        .filter(|f| !f.is_empty())
        .collect()
}

#[test]
fn the_readme_snippet_names_real_features() {
    let readme = read("../README.md");
    let manifest = read("../generated/Cargo.toml");
    let section = manifest
        .split("[features]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("generated/Cargo.toml has [features]");
    let declared: Vec<&str> = section
        .lines()
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .collect();
    let hwcloud = snippet_line(&readme, "hwcloud");
    assert!(hwcloud.contains("default-features = false"), "{hwcloud}");
    let wanted = features(&hwcloud);
    assert!(
        wanted.iter().any(|f| f == "reqwest"),
        "a transport: {hwcloud}"
    );
    for feature in &wanted {
        assert!(
            declared.contains(&feature.as_str()),
            "the README asks for feature `{feature}`, which hwcloud does not have: {declared:?}"
        );
    }
    // `#[tokio::main]` in the README's programs needs these.
    let tokio = features(&snippet_line(&readme, "tokio"));
    for feature in ["rt-multi-thread", "macros"] {
        assert!(tokio.iter().any(|f| f == feature), "tokio lacks {feature}");
    }
}
