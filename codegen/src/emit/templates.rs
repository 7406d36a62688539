//! The generated crate's non-Rust text, rendered with askama from `codegen/templates/`.

use askama::Template;

use crate::ir::{Api, Service};

/// One service as the templates see it.
struct ServiceView<'a> {
    name: &'a str,
    module: &'a str,
    client: &'a str,
    operations: Vec<OperationView>,
}

struct OperationView {
    method_name: String,
    http: String,
}

fn view(service: &Service) -> ServiceView<'_> {
    ServiceView {
        name: &service.name,
        module: &service.module,
        client: &service.client,
        operations: service
            .operations
            .iter()
            .map(|op| OperationView {
                method_name: op.method_name.clone(),
                http: format!("{} {}", op.method.as_str(), op.path),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "Cargo.toml.txt", escape = "none")]
struct CargoToml<'a> {
    services: Vec<ServiceView<'a>>,
}

#[derive(Template)]
#[template(path = "README.md", escape = "none")]
struct Readme<'a> {
    services: Vec<ServiceView<'a>>,
    /// The usage example calls DataArts Studio; it is shown only when that API is there.
    dataarts_example: bool,
}

#[derive(Template)]
#[template(path = "module_doc.md", escape = "none")]
struct ModuleDoc<'a> {
    service: ServiceView<'a>,
    doc: &'a str,
    endpoint: Option<&'a str>,
    auth: Vec<&'static str>,
    errors: &'a [crate::ir::ErrorCode],
}

fn render(template: &impl Template) -> Result<String, String> {
    template
        .render()
        .map_err(|e| format!("internal error: template failed: {e}"))
}

pub fn cargo_toml(api: &Api) -> Result<String, String> {
    render(&CargoToml {
        services: api.services.iter().map(view).collect(),
    })
}

pub fn readme(api: &Api) -> Result<String, String> {
    render(&Readme {
        services: api.services.iter().map(view).collect(),
        dataarts_example: api.services.iter().any(|s| {
            s.module == "dataartsstudio"
                && s.operations
                    .iter()
                    .any(|o| o.name == "AuthorizeActionApiToInstance")
        }),
    })
}

pub fn module_doc(service: &Service) -> Result<String, String> {
    render(&ModuleDoc {
        service: view(service),
        doc: &service.doc,
        endpoint: service.endpoint.as_deref(),
        auth: service.auth.iter().map(|a| a.describe()).collect(),
        errors: &service.errors,
    })
}
