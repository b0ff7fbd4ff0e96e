//! README's key table against the key map (issue 12): every key the table
//! and the detail pane answer to, as the key map names it, is written in
//! README's "Using it" section, so the two cannot drift apart. The help
//! overlay is generated from the key map itself.

use orderdesk::app::{KeyMap, Layer};

/// README's "Using it" section, lowercase.
fn using_it() -> String {
    let readme = include_str!("../README.md");
    let start = readme.find("## Using it").expect("a Using it section");
    let end = readme[start..]
        .find("### Headless")
        .map_or(readme.len(), |e| start + e);
    readme[start..end].to_lowercase()
}

/// How README may write a key the key map names `key`.
fn spellings(key: &str) -> Vec<String> {
    let key = key.to_lowercase();
    let mut out = vec![format!("`{key}`")];
    match key.as_str() {
        "down" | "up" | "left" | "right" => out.push("arrows".into()),
        "pgdn" | "pgup" => out.push(key.clone()),
        "home" | "end" => out.push(key.clone()),
        _ => {}
    }
    if let Some(letter) = key.strip_prefix("ctrl-") {
        out.push(format!("`ctrl-{letter}`"));
    }
    out
}

#[test]
fn every_key_of_the_table_and_the_detail_is_in_readmes_key_table() {
    let readme = using_it();
    let mut missing = Vec::new();
    for (layer, lines) in KeyMap::default().help() {
        if !matches!(layer, Layer::Table | Layer::Detail) {
            continue;
        }
        for (keys, what) in lines {
            for key in keys.split(' ') {
                if !spellings(key).iter().any(|s| readme.contains(s.as_str())) {
                    missing.push(format!("{layer:?} {key}: {what}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README's key table lacks:\n{}",
        missing.join("\n")
    );
}
