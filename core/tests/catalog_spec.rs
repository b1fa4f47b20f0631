//! The operation catalog against the endpoint tables of the spec
//! (`tests/spec/endpoints.txt`, one `METHOD PATH` line per endpoint).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use inkbox_core::api::catalog;

fn normalize(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

fn spec_endpoints() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/spec/endpoints.txt");
    std::fs::read_to_string(path)
        .expect("tests/spec/endpoints.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (m, p) = l.split_once(' ').expect("METHOD PATH");
            format!("{m} {}", normalize(p.trim()))
        })
        .collect()
}

fn catalog_endpoints() -> BTreeSet<String> {
    catalog::all().map(|op| format!("{} {}", op.method, normalize(op.path))).collect()
}

#[test]
fn every_spec_endpoint_is_in_the_catalog() {
    let missing: Vec<_> = spec_endpoints().difference(&catalog_endpoints()).cloned().collect();
    assert!(missing.is_empty(), "spec endpoints without a catalog operation: {missing:#?}");
}

#[test]
fn every_catalog_operation_is_in_the_spec() {
    let extra: Vec<_> = catalog_endpoints().difference(&spec_endpoints()).cloned().collect();
    assert!(extra.is_empty(), "catalog operations not in the spec tables: {extra:#?}");
}

#[test]
fn each_endpoint_has_exactly_one_operation() {
    let mut seen = BTreeSet::new();
    for op in catalog::all() {
        let key = format!("{} {}", op.method, normalize(op.path));
        assert!(seen.insert(key.clone()), "two operations for {key}");
    }
}

/// The operation reference in docs/operations.md is generated from the
/// catalog; this test fails when they drift. Regenerate with
/// `INKBOX_UPDATE_DOCS=1 cargo test -p inkbox-core --test catalog_spec`.
#[test]
fn docs_operations_md_matches_the_catalog() {
    let mut md = String::from(
        "# Operations\n\nGenerated from `inkbox_core::api::catalog` by `core/tests/catalog_spec.rs` \
         (`INKBOX_UPDATE_DOCS=1 cargo test -p inkbox-core --test catalog_spec`); do not edit by hand.\n\n\
         | name | method | path | auth | paging |\n|---|---|---|---|---|\n",
    );
    for op in catalog::all() {
        md.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            op.name,
            op.method,
            op.path,
            op.auth.as_str(),
            op.paging.as_str()
        ));
    }
    md.push_str("\n## AgentPost (peer product, base `https://api.agent-post.dev/api/v1`)\n\n| name | method | path | auth | paging |\n|---|---|---|---|---|\n");
    for op in catalog::agentpost() {
        md.push_str(&format!(
            "| `{}` | {} | `{}` | {} | {} |\n",
            op.name,
            op.method,
            op.path,
            op.auth.as_str(),
            op.paging.as_str()
        ));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/operations.md");
    if std::env::var_os("INKBOX_UPDATE_DOCS").is_some() {
        std::fs::write(path, &md).expect("write docs/operations.md");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == md, "docs/operations.md is out of date: regenerate it (see this test's doc comment)");
}
