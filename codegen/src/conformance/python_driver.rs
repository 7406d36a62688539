//! The Python driver (`driver.py`), rendered with askama from
//! `codegen/templates/conformance/driver.py`: the services' official modules and client
//! classes, and each operation's request class and client method, around the generic code
//! that builds official requests from a case's values.

use askama::Template;

use super::{Credentials, Plan};

struct ServiceRow<'a> {
    module: &'a str,
    modules: &'a [String],
    client: &'a str,
    credentials: &'static str,
}

struct CallRow<'a> {
    module: &'a str,
    operation: &'a str,
    request: &'a str,
    method: &'a str,
}

#[derive(Template)]
#[template(path = "conformance/driver.py", escape = "none")]
struct Driver<'a> {
    services: Vec<ServiceRow<'a>>,
    calls: Vec<CallRow<'a>>,
}

/// `driver.py` for a plan: the services with an official package and their mapped calls.
pub fn driver_py(plan: &Plan) -> Result<String, String> {
    let mut services = Vec::new();
    let mut calls = Vec::new();
    for s in &plan.services {
        let Some(sdk) = s.sdk.as_ref().filter(|sdk| sdk.package.is_some()) else {
            continue;
        };
        services.push(ServiceRow {
            module: &s.module,
            modules: &sdk.modules,
            client: sdk.client.as_deref().unwrap_or(&s.client),
            credentials: match s.credentials {
                Credentials::Basic => "basic",
                Credentials::Global => "global",
            },
        });
        for (operation, call) in &s.python {
            if let Some(call) = call {
                calls.push(CallRow {
                    module: &s.module,
                    operation,
                    request: &call.request,
                    method: &call.method,
                });
            }
        }
    }
    Driver { services, calls }
        .render()
        .map_err(|e| format!("internal error: the Python driver template failed: {e}"))
}
