//! The synthetic spec every size is generated from.

use std::fmt::Write as _;

/// A deterministic spec of `n` operations shaped like Huawei Cloud's APIs: operation `i`
/// works on resource `i`, cycling create (POST, JSON body, 200 + body), list (GET, query
/// paging, 200 + list body), update (PUT, JSON body, 200 + body) and delete (DELETE, 204);
/// every one has `project_id` from the client, a required `workspace` header and an enum
/// `X-Edition` header, and 400/401/500 answers with an error body. Bodies have 4 to 10
/// fields, with a nested object, arrays and datetimes.
pub fn synthetic_spec(n: usize) -> String {
    let mut ops = String::new();
    let mut types = String::new();
    for i in 0..n {
        let kind = i % 4;
        let (verb, method, item_path) = match kind {
            0 => ("Create", "POST", false),
            1 => ("List", "GET", false),
            2 => ("Update", "PUT", true),
            _ => ("Delete", "DELETE", true),
        };
        let path = if item_path {
            format!("/v1/{{project_id}}/resources{i}/{{resource_id}}")
        } else {
            format!("/v1/{{project_id}}/resources{i}")
        };
        let _ = write!(
            ops,
            "  {verb}Resource{i}:\n    doc: {verb}s resources of kind {i}.\n    method: {method}\n    path: {path}\n    params:\n      \
             project_id: {{ in: path, required: true, from: project_id, doc: Project ID. }}\n"
        );
        if item_path {
            ops.push_str("      resource_id: { in: path, required: true, doc: Resource ID. }\n");
        }
        match kind {
            1 => ops.push_str(
                "      offset: { in: query, type: int32, doc: Index of the first record. }\n      \
                 limit: { in: query, type: int32, doc: Maximum number of records. }\n      \
                 name: { in: query, doc: Name filter. }\n      \
                 status: { in: query, type: Status, doc: Status filter. }\n",
            ),
            3 => ops.push_str(
                "      force: { in: query, type: boolean, doc: Delete even when in use. }\n",
            ),
            _ => ops.push_str(
                "      dry_run: { in: query, type: boolean, doc: Only validate the request. }\n",
            ),
        }
        ops.push_str(
            "      workspace: { in: header, required: true, doc: Workspace ID. }\n      \
             edition: { in: header, name: X-Edition, type: Edition, doc: Edition of the service. }\n",
        );
        if kind == 0 || kind == 2 {
            let _ = write!(
                ops,
                "    body:\n      content_type: application/json;charset=utf-8\n      type: Resource{i}Spec\n      doc: The resource.\n"
            );
        }
        ops.push_str("    responses:\n");
        match kind {
            1 => {
                let _ = writeln!(
                    ops,
                    "      200: {{ type: Resource{i}List, doc: The resources. }}"
                );
            }
            3 => ops.push_str("      204: { doc: Deleted. }\n"),
            _ => {
                let _ = writeln!(
                    ops,
                    "      200: {{ type: Resource{i}, doc: The resource. }}"
                );
            }
        }
        ops.push_str(
            "      400: { type: ErrorBody, doc: Bad request. }\n      \
             401: { type: ErrorBody, doc: Unauthorized. }\n      \
             500: { type: ErrorBody, doc: Internal server error. }\n",
        );

        if kind == 3 {
            continue;
        }
        // The nested object every body and result carries.
        let _ = write!(
            types,
            "  Resource{i}Config:\n    doc: Configuration of a resource of kind {i}.\n    fields:\n      \
             replicas: {{ type: int32, doc: Number of replicas. }}\n      \
             memory_mb: {{ type: int64, doc: Memory in MiB. }}\n      \
             enabled: {{ type: boolean, doc: Whether the resource is enabled. }}\n      \
             labels: {{ type: \"map<string>\", doc: Labels. }}\n"
        );
        let _ = write!(
            types,
            "  Resource{i}:\n    doc: A resource of kind {i}.\n    fields:\n      \
             id: {{ required: true, doc: Resource ID. }}\n      \
             name: {{ doc: Name. }}\n      \
             status: {{ type: Status, doc: Status. }}\n      \
             created_at: {{ type: datetime, doc: Creation time. }}\n      \
             config: {{ type: Resource{i}Config, doc: Configuration. }}\n      \
             tags: {{ type: \"array<string>\", doc: Tags. }}\n"
        );
        if kind == 1 {
            let _ = write!(
                types,
                "  Resource{i}List:\n    doc: A page of resources of kind {i}.\n    fields:\n      \
                 total: {{ type: int32, doc: Total number of resources. }}\n      \
                 resources: {{ type: \"array<Resource{i}>\", doc: The resources. }}\n"
            );
            continue;
        }
        // Request bodies: 4 to 10 fields.
        let fields = 4 + i % 7;
        let candidates = [
            "name: { required: true, doc: Name. }".to_owned(),
            format!("config: {{ type: Resource{i}Config, doc: Configuration. }}"),
            "tags: { type: \"array<string>\", doc: Tags. }".to_owned(),
            "created_at: { type: datetime, doc: Creation time. }".to_owned(),
            "description: { doc: Description. }".to_owned(),
            "size: { type: int32, doc: Size. }".to_owned(),
            format!("items: {{ type: \"array<Resource{i}Item>\", doc: Items. }}"),
            "enabled: { type: boolean, doc: Whether the resource is enabled. }".to_owned(),
            "mode: { type: Mode, doc: Mode. }".to_owned(),
            "expires_at: { type: datetime, doc: Expiry time. }".to_owned(),
        ];
        let _ = write!(
            types,
            "  Resource{i}Spec:\n    doc: What to create or update (kind {i}).\n    fields:\n"
        );
        for field in &candidates[..fields] {
            let _ = writeln!(types, "      {field}");
        }
        if fields > 6 {
            let _ = write!(
                types,
                "  Resource{i}Item:\n    doc: An item of a resource of kind {i}.\n    fields:\n      \
                 key: {{ required: true, doc: Key. }}\n      \
                 value: {{ type: number, doc: Value. }}\n"
            );
        }
    }
    format!(
        "# Synthetic service written by `cargo xtask bench` ({n} operations).\n\
         service: Synthetic\n\
         doc: Synthetic service for benchmarks.\n\
         endpoint: https://synthetic.{{region}}.myhuaweicloud.com\n\
         auth: [aksk, token]\n\
         operations:\n{ops}\
         types:\n\
         \x20 ErrorBody:\n    doc: Error response body.\n    fields:\n      \
         error_code: {{ doc: Error code. }}\n      error_msg: {{ doc: Error message. }}\n\
         \x20 Edition:\n    doc: Edition of the service.\n    enum: [SHARED, EXCLUSIVE]\n\
         \x20 Status:\n    doc: Status of a resource.\n    enum: [ACTIVE, PENDING, FAILED, DELETED]\n\
         \x20 Mode:\n    doc: Processing mode.\n    enum: [FAST, SAFE]\n\
         {types}"
    )
}
