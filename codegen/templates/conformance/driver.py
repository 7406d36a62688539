# Written by `cargo xtask conformance` (hwcloud-codegen, codegen/templates/conformance/driver.py).
"""The Python driver: makes every planned call with the official Huawei Cloud SDK.

    driver.py CASES_JSON PORT [CASE_PREFIX]

For each case of a service with an official package, finds the request class and client
method (`CALLS`) in the service's modules (`SERVICES`), keeping the module whose method
has the spec's HTTP method and path template; builds the request from the case's values
through the official models (`attribute_map` / `openapi_types`), announces each call to
the recorder, makes it, and prints what it returned as one JSON line, the shape the Rust
driver prints. The signer's clock is pinned to the plan's date.
"""

import datetime as _datetime
import decimal
import importlib
import json
import os
import re
import sys
import tempfile
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.formdata import FormFile
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_stream_response import SdkStreamResponse
from huaweicloudsdkcore.signer import signer as signer_module

# module -> official modules (in order), client class, credentials kind.
SERVICES = {
{%- for s in services %}
    "{{ s.module }}": {"modules": [{% for m in s.modules %}"{{ m }}", {% endfor %}], "client": "{{ s.client }}", "credentials": "{{ s.credentials }}"},
{%- endfor %}
}

# (module, operation) -> (request class, client method): `<Operation>Request` and the
# operation in snake case, unless xtask/conformance/sdk_map.yaml says otherwise.
CALLS = {
{%- for c in calls %}
    ("{{ c.module }}", "{{ c.operation }}"): ("{{ c.request }}", "{{ c.method }}"),
{%- endfor %}
}


def pin_clock(date):
    at = _datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")

    class FixedDatetime(_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return at

    signer_module.datetime = FixedDatetime


def announce(port, case, phase):
    data = json.dumps({"side": "python", "case": case, "phase": phase}).encode("utf-8")
    request = urllib.request.Request("http://127.0.0.1:%d/__conformance/next" % port, data=data,
                                     method="POST")
    with urllib.request.urlopen(request) as answer:
        if answer.status != 204:
            raise RuntimeError("the recorder refused the announcement")


def template(path):
    return re.sub(r"\{[^}]*\}", "{}", path)


class Located:
    def __init__(self, module, client_class, request_class, method):
        self.module = module
        self.client_class = client_class
        self.request_class = request_class
        self.method = method


def locate(case):
    """The official call of the case's operation: a `Located`, or the reason there is none
    (`absent: ...` or `differs: ...`)."""
    service = SERVICES[case["service"]]
    request_name, method_name = CALLS[(case["service"], case["operation"])]
    seen = []
    for module_name in service["modules"]:
        module = importlib.import_module(module_name)
        request_class = getattr(module, request_name, None)
        client_class = getattr(module, service["client"], None)
        info = getattr(client_class, "_%s_http_info" % method_name, None)
        if request_class is None or info is None:
            continue
        info = info(request_class())
        if info["method"] == case["method"] and template(info["resource_path"]) == template(case["path"]):
            return Located(module, client_class, request_class, method_name)
        seen.append("%s %s (%s)" % (info["method"], info["resource_path"], module_name))
    if seen:
        return "differs: the official %s.%s is %s" % (request_name, method_name, "; ".join(seen))
    return "absent: no %s with a client method %s in %s" % (
        request_name, method_name, ", ".join(service["modules"]))


class Builder:
    """Official request objects from the case's wire-shaped values; `unknown` collects
    the values the official models have no attribute for."""

    def __init__(self, module, files):
        self.module = module
        self.files = files
        self.unknown = []

    def build(self, value, type_name, where):
        if value is None:
            return None
        if type_name.startswith("list["):
            inner = type_name[5:-1]
            items = value if isinstance(value, list) else [value]
            return [self.build(v, inner, "%s[%d]" % (where, i)) for i, v in enumerate(items)]
        if type_name.startswith("dict("):
            inner = re.match(r"dict\(([^,]*), (.*)\)", type_name).group(2)
            return {k: self.build(v, inner, "%s.%s" % (where, k)) for k, v in value.items()}
        if type_name == "str":
            return value if isinstance(value, str) else json.dumps(value)
        if type_name == "int" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
        if type_name == "float" and isinstance(value, (int, float)):
            return float(value)
        if type_name == "file":
            path = os.path.join(self.files, value["file"])
            with open(path, "wb") as f:
                f.write(value["content"].encode("utf-8"))
            return FormFile(open(path, "rb"))
        model = getattr(self.module, type_name, None)
        if model is None or not hasattr(model, "attribute_map") or not isinstance(value, dict):
            return value
        return self.model(model, value, where)

    def model(self, model, value, where):
        instance = model()
        by_wire = {wire: attr for attr, wire in model.attribute_map.items()}
        for key, item in value.items():
            attr = by_wire.get(key)
            if attr is None:
                self.unknown.append("%s.%s" % (where, key))
                continue
            setattr(instance, attr, self.build(item, model.openapi_types[attr], "%s.%s" % (where, key)))
        return instance


def request_of(located, case, builder):
    cls = located.request_class
    request = cls()
    by_wire = {wire: attr for attr, wire in cls.attribute_map.items()}
    for param in case["params"]:
        attr = by_wire.get(param["wire"]) or (param["key"] if param["key"] in cls.attribute_map else None)
        if attr is None:
            builder.unknown.append("%s parameter %s" % (param["in"], param["wire"]))
            continue
        setattr(request, attr, builder.build(param["value"], cls.openapi_types[attr], param["wire"]))
    if case["body"] is not None:
        if "body" not in cls.openapi_types:
            builder.unknown.append("body")
        elif case["body_kind"] == "bytes":
            request.body = case["body"].encode("utf-8")
        else:
            request.body = builder.build(case["body"], cls.openapi_types["body"], "body")
    return request


def to_wire(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    if hasattr(value, "attribute_map"):
        out = {}
        for attr, wire in value.attribute_map.items():
            item = getattr(value, attr, None)
            if item is not None:
                out[wire] = to_wire(item)
        return out
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (_datetime.datetime, _datetime.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def outcome_of(response, case):
    if isinstance(response, SdkStreamResponse):
        # A download: the body's bytes, read as the SDK's users read them.
        chunks = []
        response.consume_download_stream(lambda stream: chunks.append(stream.content))
        return {"status": response.status_code, "request_id": None,
                "body": b"".join(chunks).decode("utf-8", "replace"), "headers": {}}
    headers = {}
    body = {}
    for attr, wire in getattr(response, "attribute_map", {}).items():
        item = getattr(response, attr, None)
        if item is None:
            continue
        if wire in case["response_headers"]:
            headers[wire] = str(item)
        else:
            body[wire] = to_wire(item)
    if list(body) == ["body"]:
        body = body["body"]
    if not body and getattr(response, "raw_content", None) and not hasattr(response, "attribute_map"):
        body = None
    return {"status": response.status_code, "request_id": None, "body": body or None,
            "headers": headers}


def client_of(service, plan, port):
    if service["credentials"] == "global":
        credentials = GlobalCredentials(plan["ak"], plan["sk"], plan["domain_id"])
    else:
        credentials = BasicCredentials(plan["ak"], plan["sk"], plan["project_id"])
    return lambda client_class: client_class.new_builder() \
        .with_http_config(HttpConfig.get_default_config()) \
        .with_credentials(credentials) \
        .with_endpoints(["http://127.0.0.1:%d" % port]) \
        .build()


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    port = int(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    pin_clock(plan["date"])
    files = tempfile.mkdtemp(prefix="hwcloud-conformance-")
    located = {}
    clients = {}
    for case in plan["cases"]:
        if case["service"] not in SERVICES or not case["id"].startswith(only):
            continue
        key = (case["service"], case["operation"])
        if key not in CALLS:
            continue
        if key not in located:
            located[key] = locate(case)
        found = located[key]
        for canned in case["responses"]:
            line = {"case": case["id"], "phase": canned["phase"]}
            if isinstance(found, str):
                line["failed"] = found
                print(json.dumps(line, ensure_ascii=False), flush=True)
                continue
            try:
                builder = Builder(found.module, files)
                request = request_of(found, case, builder)
                if builder.unknown:
                    line["unknown"] = builder.unknown
                service = SERVICES[case["service"]]
                if found.module.__name__ not in clients:
                    clients[found.module.__name__] = client_of(service, plan, port)(found.client_class)
                client = clients[found.module.__name__]
                announce(port, case["id"], canned["phase"])
                response = getattr(client, found.method)(request)
                line.update(outcome_of(response, case))
            except (exceptions.ClientRequestException, exceptions.ServerResponseException) as e:
                line["error"] = {"status": e.status_code, "request_id": e.request_id,
                                 "code": e.error_code, "message": e.error_msg}
            except Exception as e:  # a driver failure is reported, not fatal
                line["failed"] = "%s: %s" % (type(e).__name__, e)
            print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
