#!/usr/bin/env python3
"""Writes the AK/SK signing vectors of this directory with Huawei Cloud's official signer.

A development tool, never a dependency of the SDK or of CI: the vector files it writes are
committed, and `runtime/tests/signing_vectors.rs` checks the Rust signer against them.

    python3 -m venv /tmp/hwsdk && /tmp/hwsdk/bin/pip install huaweicloudsdkcore==3.1.219
    /tmp/hwsdk/bin/python runtime/tests/vectors/make_vectors.py     # from the repository root

It drives the official SDK's credentials (`BasicCredentials` / `GlobalCredentials`, whose
`sign_request` adds `X-Project-Id` / `X-Domain-Id` / `X-Security-Token` and picks the
signer) on every case of `CASES`, once per scheme, and writes:

- `signing.json`:     `SDK-HMAC-SHA256` (the default `SigningAlgorithm.HMAC_SHA256`)
- `signing_sm3.json`: `SDK-HMAC-SM3` (`SigningAlgorithm.HMAC_SM3`; SM3 comes from OpenSSL)
- `signing_v11.json`: `V11-HMAC-SHA256`, the derived scheme: credentials with a derived
  predicate that is always true and `_process_derived_auth_params(service, region)` called as
  the SDK's `ClientBuilder.build` calls it (IoTDA's client passes the service name `iotdm`).

Each vector: `name`, `note`, `input` (as in `README.md`, plus `signing_algorithm` in the SM3
file and `derived_auth_service_name` / `region` in the V11 file), and `output`: the headers
the signing added, every header on the wire, the wire URI and URL, the intermediate
`canonical_request` and `string_to_sign`, the `signed_headers` and the `signature`.
The date is fixed by replacing the signer's clock, so the output is deterministic.
"""

import datetime as _datetime
import json
import os
import sys
from urllib.parse import parse_qsl, urlsplit

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer import signer as signer_module
from huaweicloudsdkcore.signer.algorithm import SigningAlgorithm

SDK_VERSION = "3.1.219"
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

AK = "AK1"
SK = "SK1"
DATE = "20240102T030405Z"

# The requests, as the SDK's client hands them to the credentials. `url` holds the query in
# the caller's order; `query` (optional) adds pairs after it; `body` is the exact bytes.
# The first 13 are the cases of the original reference file (`signing.json` is unchanged
# for them); the others were added with SM3 and derived signing.
CASES = [
    {"name": "get-sorted-query", "note": "GET, query already sorted, Content-Type application/json present (the SDK sets it even on GET), project id header", "input": {"method": "GET", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/service/apis?limit=10&offset=0", "headers": {"Content-Type": "application/json"}, "ak": "HPUAEXAMPLEAK0000001", "sk": "exampleSecretKey0000000000000000000000001", "date": DATE, "project_id": "0123456789abcdef0123456789abcdef"}},
    {"name": "get-unsorted-query", "note": "query keys given out of order: canonical AND wire order are sorted", "input": {"method": "GET", "url": "https://servicestage.cn-north-4.myhuaweicloud.com/v1/proj1/git/auths", "query": [["zeta", "1"], ["alpha", "2"], ["Mid", "3"], ["mid", "4"]], "headers": {"Content-Type": "application/json"}, "ak": AK, "sk": SK, "date": DATE}},
    {"name": "get-repeated-keys", "note": "repeated key: pairs sorted by (key, value); values are NOT de-duplicated", "input": {"method": "GET", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/svc?tags=beta&tags=alpha&tags=beta&a=1", "headers": {}, "ak": AK, "sk": SK, "date": DATE}},
    {"name": "get-empty-values", "note": "empty value and bare key both canonicalise to 'k='", "input": {"method": "GET", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/svc?name=&flag&x=1", "headers": {}, "ak": AK, "sk": SK, "date": DATE}},
    {"name": "post-json-body", "note": "POST with JSON body; payload hash = sha256 of body bytes; Content-Type lowercased as the SDK sends it", "input": {"method": "POST", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/0123456789abcdef0123456789abcdef/service/apis/authorize/action", "headers": {"workspace": "ws-1", "Dlm-Type": "EXCLUSIVE", "Content-Type": "application/json;charset=utf-8"}, "body": "{\"api_id\": \"api-1\", \"instance_id\": \"inst-1\", \"app_id\": \"app-1\", \"apply_type\": \"APPLY_TYPE_AUTHORIZE\", \"time\": \"2025-01-01T00:00:00Z\"}", "ak": "HPUAEXAMPLEAK0000001", "sk": "exampleSecretKey0000000000000000000000001", "date": DATE, "project_id": "0123456789abcdef0123456789abcdef"}},
    {"name": "post-empty-body", "note": "empty body -> payload hash of empty string", "input": {"method": "POST", "url": "https://servicestage.cn-north-4.myhuaweicloud.com/v1/p/git/auths/github/oauth", "headers": {"Content-Type": "application/json"}, "body": "", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "path-percent-encoded-segment", "note": "wire path keeps %2F/%20; canonical URI first percent-DECODES the whole path, splits on '/', re-encodes each segment: %2F becomes a real '/' in the canonical URI; trailing '/' appended", "input": {"method": "GET", "url": "https://servicestage.cn-north-4.myhuaweicloud.com/v1/p/git/files/my%20ns/proj/dir%2Ffile%20name%2B1.txt", "headers": {"Content-Type": "application/json"}, "ak": AK, "sk": SK, "date": DATE}},
    {"name": "path-trailing-slash", "note": "path already ending in '/': no second slash added; unicode segment encoded", "input": {"method": "DELETE", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/apis/%E6%95%B0%E6%8D%AE/", "headers": {}, "ak": AK, "sk": SK, "date": DATE}},
    {"name": "custom-headers-spaces", "note": "values trimmed at both ends, inner spaces kept; names lowercased+sorted; a name containing '_' is sent but NOT signed", "input": {"method": "PUT", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/apis/a1", "headers": {"X-Custom-Header": "  a   b  ", "ABC-Upper": "Value", "X_Not_Signed": "x", "Content-Type": "application/json"}, "body": "{\"a\": 1}", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "no-content-type", "note": "no Content-Type: body is hashed, content-type not in SignedHeaders", "input": {"method": "POST", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/x", "headers": {}, "body": "{\"a\":1}", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "non-json-content-type", "note": "Content-Type not starting with application/json|application/bson: SDK adds X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD (signed) and uses the literal UNSIGNED-PAYLOAD as payload hash", "input": {"method": "POST", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/upload", "headers": {"Content-Type": "application/octet-stream"}, "body": "raw-bytes", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "temporary-aksk-security-token", "note": "temporary AK/SK: X-Security-Token added and signed, together with X-Project-Id", "input": {"method": "GET", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/service/apps", "headers": {"Content-Type": "application/json"}, "ak": "TMPAK1", "sk": "TMPSK1", "security_token": "gQpjbi1ub3J0aC00example-token==", "project_id": "p", "date": DATE}},
    {"name": "global-domain-id", "note": "GlobalCredentials: X-Domain-Id instead of X-Project-Id", "input": {"method": "POST", "url": "https://iam.myhuaweicloud.com/v3/auth/tokens?nocatalog=true", "headers": {"Content-Type": "application/json;charset=utf-8"}, "body": "{\"auth\": {\"identity\": {\"methods\": [\"password\"]}}}", "ak": AK, "sk": SK, "domain_id": "d0123", "date": DATE}},
    {"name": "empty-body-non-json-content-type", "note": "non-JSON Content-Type with an EMPTY body: the unsigned-payload header is added and signed, but the payload hash is the hash of the empty body (the signer checks for an empty body first)", "input": {"method": "POST", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/form", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "", "ak": AK, "sk": SK, "date": DATE, "project_id": "p"}},
    {"name": "caller-payload-hash-json", "note": "JSON Content-Type and a caller-set content-hash header: its value is used as the payload hash as is (the body is not hashed)", "input": {"method": "PUT", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/objects/o1", "headers": {"Content-Type": "application/json", "X-Sdk-Content-Sha256": "0000000000000000000000000000000000000000000000000000000000000abc", "X-Sdk-Content-Sm3": "0000000000000000000000000000000000000000000000000000000000000def"}, "body": "{\"a\": 1}", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "caller-payload-hash-non-json", "note": "non-JSON Content-Type and a caller-set content-hash header: the signer overwrites it with UNSIGNED-PAYLOAD", "input": {"method": "PUT", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/objects/o2", "headers": {"Content-Type": "text/plain", "X-Sdk-Content-Sha256": "0000000000000000000000000000000000000000000000000000000000000abc", "X-Sdk-Content-Sm3": "0000000000000000000000000000000000000000000000000000000000000def"}, "body": "text", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "bson-content-type", "note": "application/bson counts as a signed payload, like JSON", "input": {"method": "POST", "url": "https://dayu.cn-north-4.myhuaweicloud.com/v1/p/bson", "headers": {"Content-Type": "application/bson"}, "body": "\u0005\u0000\u0000\u0000\u0000", "ak": AK, "sk": SK, "date": DATE}},
    {"name": "iotda-instance-endpoint-new-year", "note": "an IoTDA instance endpoint (the kind the official default derived predicate signs with V11) on the last second of a year; a non-default port is part of Host", "input": {"method": "GET", "url": "https://a1b2c3.st1.iotda-app.ap-southeast-1.myhuaweicloud.com:8443/v5/iot/p/devices?limit=10&marker=a%20b", "headers": {"Content-Type": "application/json"}, "ak": "HPUAEXAMPLEAK0000002", "sk": "exampleSecretKey0000000000000000000000002", "date": "20241231T235959Z", "project_id": "p"}},
]

# The region each case's client was built for (V11 signs it into the key's scope).
DEFAULT_REGION = "cn-north-4"
REGIONS = {"iotda-instance-endpoint-new-year": "ap-southeast-1"}
DERIVED_SERVICE = "iotdm"

SCHEMES = [
    ("signing.json", "SDK-HMAC-SHA256"),
    ("signing_sm3.json", "SDK-HMAC-SM3"),
    ("signing_v11.json", "V11-HMAC-SHA256"),
]


class _Captured:
    """The canonical request and string to sign of the signature being made."""
    canonical_request = None
    string_to_sign = None


def _capture(cls, method, attr):
    original = getattr(cls, method)

    def wrapper(self, *args, **kwargs):
        value = original(self, *args, **kwargs)
        setattr(_Captured, attr, value)
        return value

    setattr(cls, method, wrapper)


# Every signer class goes through these two methods (DerivationAKSKSigner overrides the
# second one, SM3Signer inherits both).
_capture(signer_module.Signer, "_process_canonical_request", "canonical_request")
_capture(signer_module.Signer, "_process_string_to_sign", "string_to_sign")
_capture(signer_module.DerivationAKSKSigner, "_process_string_to_sign", "string_to_sign")


def _fixed_clock(date):
    """The signer's `datetime`, answering `utcnow()` with `date` (`YYYYMMDDTHHMMSSZ`)."""
    at = _datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")

    class FixedDatetime(_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return at

    return FixedDatetime


def _request(inp, algorithm):
    url = urlsplit(inp["url"])
    query = parse_qsl(url.query, keep_blank_values=True)
    query += [tuple(pair) for pair in inp.get("query", [])]
    body = inp.get("body")
    return SdkRequest(
        method=inp["method"],
        schema=url.scheme,
        host=url.netloc,
        resource_path=url.path,
        query_params=query,
        header_params=dict(inp["headers"]),
        body=body.encode("utf-8") if body is not None else None,
        signing_algorithm=algorithm,
    )


def _credentials(inp):
    if "domain_id" in inp:
        credentials = GlobalCredentials(inp["ak"], inp["sk"], inp["domain_id"])
    else:
        credentials = BasicCredentials(inp["ak"], inp["sk"], inp.get("project_id"))
    if "security_token" in inp:
        credentials = credentials.with_security_token(inp["security_token"])
    return credentials


def _vector(case, scheme):
    inp = dict(case["input"])
    algorithm = SigningAlgorithm.HMAC_SHA256
    if scheme == "SDK-HMAC-SM3":
        algorithm = SigningAlgorithm.HMAC_SM3
        inp["signing_algorithm"] = "HMAC_SM3"
    credentials = _credentials(inp)
    if scheme == "V11-HMAC-SHA256":
        inp["derived_auth_service_name"] = DERIVED_SERVICE
        inp["region"] = REGIONS.get(case["name"], DEFAULT_REGION)
        credentials = credentials.with_derived_predicate(lambda request: True)
        # What ClientBuilder.build does for a client with a region: GlobalCredentials
        # ignore the region and use "globe".
        credentials._process_derived_auth_params(DERIVED_SERVICE, inp["region"])

    request = _request(inp, algorithm)
    sent_before = list(request.header_params)
    signer_module.datetime = _fixed_clock(inp["date"])
    _Captured.canonical_request = _Captured.string_to_sign = None
    request = credentials.sign_request(request)

    headers = dict(request.header_params)
    authorization = headers["Authorization"]
    if not authorization.startswith(scheme + " "):
        sys.exit(f"{case['name']}: signed with {authorization.split()[0]}, expected {scheme}")
    signed = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0]
    url = urlsplit(inp["url"])
    return {
        "name": case["name"],
        "note": case["note"],
        "input": inp,
        "output": {
            "added_headers": {k: v for k, v in headers.items() if k not in sent_before},
            "headers": headers,
            "wire_uri": request.uri,
            "wire_url": f"{url.scheme}://{url.netloc}{request.uri}",
            "canonical_request": _Captured.canonical_request,
            "string_to_sign": _Captured.string_to_sign,
            "signed_headers": signed.split(";"),
            "signature": authorization.rsplit("Signature=", 1)[1],
        },
    }


def main():
    from importlib.metadata import version as package_version

    version = package_version("huaweicloudsdkcore")
    if version != SDK_VERSION:
        print(f"note: huaweicloudsdkcore {version}; the committed vectors were made with {SDK_VERSION}",
              file=sys.stderr)
    for file_name, scheme in SCHEMES:
        vectors = [_vector(case, scheme) for case in CASES]
        path = os.path.join(OUT_DIR, file_name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(json.dumps(vectors, indent=1, ensure_ascii=False))
        print(f"{path}: {len(vectors)} vectors, {scheme}")


if __name__ == "__main__":
    main()
