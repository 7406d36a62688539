"""The loopback recorder of `cargo xtask conformance`.

    recorder.py CASES_JSON RECORD_JSONL

Listens on 127.0.0.1 (a free port, printed as the first line of stdout), answers every
request with the canned response of the current case and phase, and appends what it
received to RECORD_JSONL, one JSON object a line: side, case, phase, method, the raw
request target, every header as sent (name case kept, in order), the body (hex), and
the verdict of the official signer on the request's signature.

A driver announces each call with `POST /__conformance/next` and a JSON body
`{"side", "case", "phase"}` before making it; that request is neither recorded nor
compared. Runs under the conformance virtual environment (it imports huaweicloudsdkcore).
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

CONTROL = "/__conformance/next"


def split_target(target):
    """(path, query pairs) of a request target, percent-decoded without turning `+` into a
    space (the official signer encodes decoded values, and `+` is a literal there)."""
    path, _, query = target.partition("?")
    pairs = []
    for item in query.split("&") if query else []:
        key, _, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return path, pairs


def verify_signature(method, target, headers, body, sk):
    """Recomputes the request's signature with the official signer from the headers its
    `SignedHeaders` names, as a gateway would: `{"ok": bool, "detail": text}`."""
    authorization = next((v for k, v in headers if k.lower() == "authorization"), None)
    if authorization is None:
        return {"ok": False, "detail": "no Authorization header"}
    try:
        scheme, rest = authorization.split(" ", 1)
        fields = dict(part.strip().split("=", 1) for part in rest.split(","))
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
        access = fields["Access"]
    except (ValueError, KeyError):
        return {"ok": False, "detail": "malformed Authorization: " + authorization}
    if scheme != "SDK-HMAC-SHA256":
        return {"ok": False, "detail": "scheme " + scheme}
    chosen = {}
    for name, value in headers:
        if name.lower() in signed:
            chosen[name] = value
    missing = [s for s in signed if s not in {k.lower() for k in chosen}]
    if missing:
        return {"ok": False, "detail": "signed headers not sent: " + ";".join(missing)}
    host = next((v for k, v in headers if k.lower() == "host"), "")
    path, query = split_target(target)
    request = SdkRequest(method=method, schema="http", host=host, resource_path=path,
                         query_params=query, header_params=chosen, body=body or None)
    request = Signer(BasicCredentials(access, sk)).sign(request)
    expected = request.header_params["Authorization"]
    expected_signed = expected.split("SignedHeaders=", 1)[1].split(",", 1)[0]
    expected_signature = expected.rsplit("Signature=", 1)[1]
    if expected_signed != fields["SignedHeaders"]:
        return {"ok": False, "detail": "the signer signs %s, the request says %s"
                % (expected_signed, fields["SignedHeaders"])}
    if expected_signature != signature:
        return {"ok": False, "detail": "signature %s, the official signer computes %s"
                % (signature, expected_signature)}
    return {"ok": True, "detail": ""}


class State:
    def __init__(self, cases_path, record_path):
        with open(cases_path, encoding="utf-8") as f:
            plan = json.load(f)
        self.sk = plan["sk"]
        self.responses = {}
        for case in plan["cases"]:
            for response in case["responses"]:
                self.responses[(case["id"], response["phase"])] = response
        self.current = {"side": None, "case": None, "phase": None}
        self.lock = threading.Lock()
        self.out = open(record_path, "a", encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status, headers, body):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        # A HEAD response has no body (its Content-Length is the GET's): bytes written
        # after one would be read as the start of the next response on the connection.
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self):
        body = self._body()
        state = self.state
        if self.path == CONTROL:
            with state.lock:
                state.current = json.loads(body)
            self._answer(204, [], b"")
            return
        headers = list(self.headers.items())
        with state.lock:
            current = dict(state.current)
            record = {
                "side": current["side"], "case": current["case"], "phase": current["phase"],
                "method": self.command, "target": self.path, "headers": headers,
                "body": body.hex(),
                "signature": verify_signature(self.command, self.path, headers, body, state.sk),
            }
            state.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            state.out.flush()
        canned = state.responses.get((current["case"], current["phase"]))
        if canned is None:
            self._answer(599, [], b"no canned response")
            return
        # The case's request id, also where the spec declares an `X-Request-Id` response
        # header (one value: a repeated header is read as one by one client, joined by
        # the other).
        answer = [("X-Request-Id", canned["request_id"])] + [
            tuple(h) for h in canned["headers"] if h[0].lower() != "x-request-id"
        ]
        if canned["body"] is not None:
            answer.append(("Content-Type", canned["content_type"]))
        data = (canned["body"] or "").encode("utf-8")
        self._answer(canned["status"], answer, data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


def main():
    Handler.state = State(sys.argv[1], sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
