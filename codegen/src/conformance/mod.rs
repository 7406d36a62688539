//! Differential conformance against the official Python SDK (`cargo xtask conformance`).
//!
//! From the IR this module writes the artifacts of a run (to `target/conformance/`, never
//! into `generated/`): the plan (`cases.json`: sample inputs and canned answers of every
//! operation, [`samples`]), a Rust driver crate calling our generated client with them
//! ([`rust_driver`], quote + prettyplease), and a Python driver making the same calls with
//! the official SDK ([`python_driver`], an askama template). Both send to a loopback
//! recorder (`xtask/conformance/recorder.py`); [`compare`] compares what it recorded as a
//! server would, and [`report`] writes `docs/conformance.md`.

pub mod compare;
pub mod controls;
pub mod python_driver;
pub mod report;
pub mod rust_driver;
pub mod samples;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ir::Api;
use samples::Case;

/// AK/SK, ids and signing date both clients use.
pub const AK: &str = "HPUACONFORMANCEAK001";
pub const SK: &str = "conformanceSecretKey000000000000000000001";
pub const PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const DOMAIN_ID: &str = "fedcba9876543210fedcba9876543210";
/// The pinned `X-Sdk-Date` (2024-01-02T03:04:05Z).
pub const DATE: &str = "20240102T030405Z";
/// [`DATE`] in seconds since the Unix epoch.
pub const DATE_UNIX: u64 = 1_704_164_645;

/// `xtask/conformance/sdk_map.yaml`: each service's official Python package.
pub type SdkMap = BTreeMap<String, SdkService>;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SdkService {
    /// `null` when the official SDK has no package for the API.
    pub package: Option<String>,
    /// Why there is no package.
    #[serde(default)]
    pub reason: Option<String>,
    /// Modules to look the request class up in, in order (`huaweicloudsdkaom.v2`).
    #[serde(default)]
    pub modules: Vec<String>,
    /// The client class (`AomClient`).
    #[serde(default)]
    pub client: Option<String>,
    /// `basic` or `global`.
    #[serde(default)]
    pub credentials: Option<Credentials>,
    /// Exceptions to the mechanical mapping, by operation name.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationMapping>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Credentials {
    Basic,
    Global,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperationMapping {
    pub request: Option<String>,
    pub method: Option<String>,
    /// Why the official SDK has no such call.
    pub absent: Option<String>,
}

/// Parses `sdk_map.yaml`.
pub fn parse_sdk_map(text: &str) -> Result<SdkMap, String> {
    serde_yaml::from_str(text).map_err(|e| format!("sdk_map.yaml: {e}"))
}

/// The whole plan of a run: what `cases.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub ak: &'static str,
    pub sk: &'static str,
    pub project_id: &'static str,
    pub domain_id: &'static str,
    pub date: &'static str,
    pub date_unix: u64,
    pub services: Vec<PlanService>,
    pub cases: Vec<Case>,
}

/// A service of the plan and how the official SDK is reached for it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanService {
    pub module: String,
    pub name: String,
    pub client: String,
    pub credentials: Credentials,
    /// Its entry of the SDK map (`None`: not in the map).
    pub sdk: Option<SdkService>,
    /// Each operation's Python request class and client method (`None`: absent).
    pub python: BTreeMap<String, Option<PythonCall>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PythonCall {
    pub request: String,
    pub method: String,
}

/// The plan of every operation of `api`.
pub fn plan(api: &Api, map: &SdkMap) -> Plan {
    let mut services = Vec::new();
    let mut cases = Vec::new();
    for service in &api.services {
        let types = service.types_by_name();
        let sdk = map.get(&service.module).cloned();
        let python = service
            .operations
            .iter()
            .map(|op| {
                let exception = sdk.as_ref().and_then(|s| s.operations.get(&op.name));
                let call = match exception {
                    Some(e) if e.absent.is_some() => None,
                    _ if sdk.as_ref().is_none_or(|s| s.package.is_none()) => None,
                    e => Some(PythonCall {
                        request: e
                            .and_then(|e| e.request.clone())
                            .unwrap_or_else(|| format!("{}Request", op.name)),
                        method: e
                            .and_then(|e| e.method.clone())
                            .unwrap_or_else(|| op.method_name.clone()),
                    }),
                };
                (op.name.clone(), call)
            })
            .collect();
        let credentials = sdk
            .as_ref()
            .and_then(|s| s.credentials)
            .unwrap_or(Credentials::Basic);
        services.push(PlanService {
            module: service.module.clone(),
            name: service.name.clone(),
            client: service.client.clone(),
            credentials,
            sdk,
            python,
        });
        for op in &service.operations {
            cases.extend(samples::cases(service, op, &types, credentials));
        }
    }
    Plan {
        ak: AK,
        sk: SK,
        project_id: PROJECT_ID,
        domain_id: DOMAIN_ID,
        date: DATE,
        date_unix: DATE_UNIX,
        services,
        cases,
    }
}
