//! Stage 3: IR -> the files of the generated crate.
//!
//! Every Rust file is built as token streams with `quote!`, parsed into a `syn::File` and
//! printed with `prettyplease`; the `@generated` header is added after printing. The
//! crate's non-Rust files (Cargo.toml, README.md) and the module docs are askama
//! templates (`templates.rs`, `codegen/templates/`).
//!
//! One module per artifact: `lib_rs` (the crate root), `client` (a service module's head
//! and client), `operation` (requests and responses), `types` and `enums` (the `types`
//! submodule, error codes), `glue` (token sources, id discovery, paging), `doc_example`
//! (the example in each operation's docs) and `tests` (the generated crate's example,
//! doc-example and wire tests).

mod client;
mod doc_example;
mod doc_text;
mod enums;
mod glue;
mod lib_rs;
mod operation;
mod render;
mod templates;
mod tests;
pub(crate) mod tokens;
pub(crate) mod types;

use proc_macro2::TokenStream;

use crate::fileset::FileSet;
use crate::ir::{Api, Service};
use render::Job;

/// Every file of the generated crate, by path relative to the crate root.
///
/// Rust files are rendered on several threads, large service modules in chunks of items
/// (see `render.rs`); the output does not depend on the split.
pub fn emit(api: &Api) -> Result<FileSet, String> {
    let mut files = FileSet::default();
    files.insert("Cargo.toml", templates::cargo_toml(api)?);
    files.insert("README.md", templates::readme(api)?);
    let docs: Vec<String> = api
        .services
        .iter()
        .map(templates::module_doc)
        .collect::<Result<_, _>>()?;

    let mut outputs: Vec<render::Output<'_>> = vec![
        render::Output::single("src/lib.rs", "specs/*.yaml", move || lib_rs::file(api)),
        per_service(
            "tests/examples.rs",
            api,
            tests::examples::head,
            tests::examples::service,
        ),
        per_service(
            "tests/operations.rs",
            api,
            tests::wire::head,
            tests::wire::service,
        ),
        per_service(
            "tests/doc_examples.rs",
            api,
            tests::doc_examples::head,
            tests::doc_examples::service,
        ),
        render::Output::single(
            "tests/support/decode_operations.rs",
            "specs/*.yaml",
            move || tests::decode::file(api),
        ),
    ];
    for (service, doc) in api.services.iter().zip(&docs) {
        outputs.push(service_module(service, doc));
        outputs.push(types_module(service));
    }
    for (path, text) in render::run(outputs)? {
        files.insert(&path, text);
    }
    Ok(files)
}

/// A file of every service's items (the generated tests): its head, then a part per
/// service, so that the largest files are not one job each that the others wait for.
fn per_service<'a>(
    path: &str,
    api: &'a Api,
    head: fn() -> TokenStream,
    service: fn(&Service) -> TokenStream,
) -> render::Output<'a> {
    let mut jobs: Vec<Job<'a>> = vec![Box::new(head)];
    jobs.extend(
        api.services
            .iter()
            .map(|s| -> Job<'a> { Box::new(move || service(s)) }),
    );
    render::Output {
        path: path.to_owned(),
        source: "specs/*.yaml".to_owned(),
        jobs,
    }
}

/// `src/<service>.rs`: the head (docs, imports, client), then the operations' requests
/// and responses and the service-wide items, in chunks.
fn service_module<'a>(service: &'a Service, doc: &'a str) -> render::Output<'a> {
    let mut jobs: Vec<Job<'a>> = vec![Box::new(move || client::head(service, doc))];
    let operations = &service.operations;
    for chunk in render::chunks(operations.len()) {
        jobs.push(Box::new(move || {
            let mut out = TokenStream::new();
            for op in &operations[chunk.clone()] {
                out.extend(operation::items(service, op));
            }
            out
        }));
    }
    jobs.push(Box::new(move || {
        let mut out = enums::error_codes(service);
        out.extend(glue::id_resolver(service));
        out
    }));
    render::Output {
        path: format!("src/{}.rs", service.module),
        source: service.file.clone(),
        jobs,
    }
}

/// `src/<service>/types.rs`: the models and enums, in chunks.
fn types_module(service: &Service) -> render::Output<'_> {
    let mut jobs: Vec<Job<'_>> = vec![Box::new(move || types::head(service))];
    let defs = &service.types;
    for chunk in render::chunks(defs.len()) {
        jobs.push(Box::new(move || {
            let mut out = TokenStream::new();
            for def in &defs[chunk.clone()] {
                out.extend(types::type_def(def));
            }
            out
        }));
    }
    render::Output {
        path: format!("src/{}/types.rs", service.module),
        source: service.file.clone(),
        jobs,
    }
}
