#!/usr/bin/env python3
"""A stand-in for Kong Konnect's audit-log API, for tests on 127.0.0.1.

Every request is validated against Kong's own OpenAPI specs
(tests/konnect/openapi/audit-logs-v2.yaml and -v3.yaml) with openapi-core,
as if sent to https://us.api.konghq.com; one the specs refuse is answered
400 (problem+json) and counted. The state is kept in memory:

- v2: one webhook (endpoint, authorization, enabled, log_format,
  skip_ssl_verification) and its JWKS (--jwks FILE);
- v3: destinations (POST/GET/PATCH/DELETE) and the webhook bound to one;
- both: the delivery status (active, or inactive after a failed batch:
  set by POST /_standin/status) and the replay job (PUT answers 202 and
  runs it: `running` on the next GET, then `completed`; a PUT while one
  runs is 409).

With --entries FILE it also delivers, as tests/konnect/standin.py does (its
`post` and Konnect's retry rule, waits times --time-scale): POST
/_standin/deliver {"from": A, "to": B} sends entries A..B of the file to the
webhook's endpoint in batches of 100; a lost batch turns the status
`inactive` (with the last response) and is gone, as Konnect's is; a replay
job sends every entry whose leading RFC 3339 time is in its range again,
then is `completed` (`failed` if a batch was lost).

GET /_standin/stats answers {"requests": N, "refused": M, "webhook": {...},
"delivery": {"batches": B, "lost": L, "duplicates": D, "idle": true}}
(not part of the API; the webhook as stored, its authorization included,
for tests to check). The first line on standard output is
`listening on http://127.0.0.1:PORT`. Needs openapi-core (pip), installed
by tests/e2e/tools.sh.
"""

import argparse
import datetime
import gzip
import json
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest
from werkzeug.test import EnvironBuilder

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import standin  # noqa: E402  (the delivery side: post and Konnect's retry rule)
SPECS = {
    "v2": OpenAPI.from_file_path(str(HERE / "openapi" / "audit-logs-v2.yaml")),
    "v3": OpenAPI.from_file_path(str(HERE / "openapi" / "audit-logs-v3.yaml")),
}
NOW = "2026-01-01T00:00:00Z"


class State:
    def __init__(self, jwks):
        self.lock = threading.Lock()
        self.requests = 0
        self.refused = []
        self.webhook = {"enabled": False, "log_format": "cef", "skip_ssl_verification": False}
        self.destinations = {}
        self.binding = {}
        self.status = {"webhook_enabled": False, "webhook_status": "active"}
        self.job = {"start_at": "0001-01-01T00:00:00Z", "end_at": "0001-01-01T00:00:00Z", "status": "unconfigured"}
        self.jwks = jwks
        self.entries = []
        self.time_scale = 1.0
        self.work = queue.Queue()
        self.delivery = {"batches": 0, "lost": 0, "duplicates": 0, "idle": True}

    def target(self):
        """The endpoint and authorization deliveries go to, if enabled."""
        if self.binding:
            destination = self.destinations.get(self.binding.get("audit_log_destination_id"), {})
            if self.binding.get("enabled") and destination.get("endpoint"):
                return destination["endpoint"], destination.get("authorization", "")
            return None
        if self.webhook.get("enabled") and self.webhook.get("endpoint"):
            return self.webhook["endpoint"], self.webhook.get("authorization", "")
        return None


def deliver_loop(state):
    """Sends what is asked, one batch at a time, as Konnect does."""
    while True:
        entries, job = state.work.get()
        lost = 0
        for start in range(0, len(entries), 100):
            with state.lock:
                target = state.target()
            if target is None:
                lost += 1
                continue
            endpoint, authorization = target
            body = gzip.compress(b"\n".join(entries[start:start + 100]))
            retries = 0
            while True:
                try:
                    code, text, retry_after = standin.post(endpoint, authorization, body, 20)
                except OSError as err:
                    code, text, retry_after = None, str(err), None
                with state.lock:
                    state.status["last_attempt_at"] = NOW
                    state.status["last_response_code"] = code or 0
                    state.status["last_response_message"] = text[:200]
                if code is not None and 200 <= code < 300:
                    with state.lock:
                        state.status["webhook_status"] = "active"
                        state.delivery["batches"] += 1
                        try:
                            state.delivery["duplicates"] += json.loads(text).get("duplicates", 0)
                        except ValueError:
                            pass
                    break
                if (code is None or code in standin.RETRIED) and retries < standin.MAX_RETRIES:
                    time.sleep(standin.wait_for(retries, retry_after) * state.time_scale)
                    retries += 1
                    continue
                with state.lock:
                    state.status["webhook_status"] = "inactive"
                    state.delivery["lost"] += 1
                lost += 1
                break
        with state.lock:
            if job:
                state.job["status"] = "failed" if lost else "completed"
            state.delivery["idle"] = state.work.empty()


def event_time(entry):
    try:
        return datetime.datetime.fromisoformat(entry[:20].decode().replace("Z", "+00:00"))
    except (ValueError, UnicodeDecodeError):
        return None


def problem(status, title, detail, invalid=None):
    body = {"status": status, "title": title, "detail": detail, "instance": "konnect:trace:standin"}
    if invalid:
        body["invalid_parameters"] = invalid
    return status, body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        kind = "application/problem+json" if status >= 400 else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.server.state
        path = self.path.split("?")[0]
        if path == "/_standin/stats":
            with state.lock:
                stats = {"requests": state.requests, "refused": state.refused, "webhook": state.webhook,
                         "delivery": state.delivery}
            return self.answer(200, stats)
        if path == "/_standin/deliver" and self.command == "POST":
            asked = json.loads(body or b"{}")
            with state.lock:
                state.delivery["idle"] = False
            state.work.put((state.entries[asked.get("from", 0):asked.get("to", len(state.entries))], False))
            return self.answer(202, {"asked": asked})
        if path == "/_standin/status" and self.command == "POST":
            with state.lock:
                state.status.update(json.loads(body or b"{}"))
            return self.answer(200, state.status)
        version = path.split("/")[1] if path.count("/") >= 2 else ""
        with state.lock:
            state.requests += 1
        spec = SPECS.get(version)
        # Validated as sent to Konnect's host, not to this one.
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = EnvironBuilder(
            path=self.path, base_url="https://us.api.konghq.com", method=self.command, headers=headers,
            data=body or None,
        ).get_request()
        errors = [] if spec is None else list(spec.iter_request_errors(WerkzeugOpenAPIRequest(request)))
        # openapi-core cannot deserialize `deepObject` query parameters (the
        # v3 destinations' optional `filter`): it reports one even when the
        # request has none. Only then is that report dropped.
        errors = [err for err in errors if not (getattr(err, "name", None) == "filter" and "filter" not in self.path)]
        if spec is None or errors:
            reason = "; ".join(str(err) for err in errors) or "no such API version"
            with state.lock:
                state.refused.append(f"{self.command} {self.path}: {reason}")
            return self.answer(*problem(400, "Bad Request", reason))
        sub = path[len(version) + 1:]
        document = json.loads(body) if body else None
        with state.lock:
            return self.answer(*route(state, version, self.command, sub, document))

    do_GET = do_PUT = do_PATCH = do_POST = do_DELETE = handle_any


def route(state, version, method, path, body):
    if path == "/audit-log-webhook/status" and method == "GET":
        return 200, state.status
    if path == "/audit-log-webhook/jwks.json" and method == "GET" and version == "v2":
        return 200, state.jwks
    if path == "/audit-log-replay-job":
        if method == "PUT":
            if state.job["status"] in ("accepted", "pending", "running"):
                return problem(409, "Resource Conflict", "A replay job is currently running")
            state.job = {"start_at": body["start_at"], "end_at": body["end_at"], "status": "accepted", "updated_at": NOW}
            if state.entries:
                start = datetime.datetime.fromisoformat(body["start_at"].replace("Z", "+00:00"))
                end = datetime.datetime.fromisoformat(body["end_at"].replace("Z", "+00:00"))
                in_range = [e for e in state.entries if (t := event_time(e)) is not None and start <= t <= end]
                state.job["status"] = "running"
                state.delivery["idle"] = False
                state.work.put((in_range, True))
            return 202, state.job
        if not state.entries:
            # Without entries to send, each look moves the job on.
            shown = dict(state.job)
            following = {"accepted": "running", "running": "completed"}
            state.job["status"] = following.get(state.job["status"], state.job["status"])
            return 200, shown
        return 200, state.job
    if version == "v2" and path == "/audit-log-webhook":
        if method == "PATCH":
            for key in ("endpoint", "authorization", "enabled", "log_format", "skip_ssl_verification"):
                if key in body:
                    state.webhook[key] = body[key]
            state.status["webhook_enabled"] = bool(state.webhook.get("enabled"))
        shown = {k: v for k, v in state.webhook.items() if k != "authorization"}
        shown["updated_at"] = NOW
        return 200, shown
    if version == "v3" and path == "/audit-log-webhook":
        if method == "PATCH":
            if "audit_log_destination_id" in body and body["audit_log_destination_id"] not in state.destinations:
                return problem(400, "Bad Request", "Unknown destination",
                               [{"field": "audit_log_destination_id", "reason": "not found"}])
            state.binding.update(body)
            state.status["webhook_enabled"] = bool(state.binding.get("enabled"))
            destination = state.destinations.get(state.binding.get("audit_log_destination_id"), {})
            state.webhook = dict(destination, enabled=state.binding.get("enabled", False))
        if not state.binding:
            return 200, {"audit_log_destination_id": "", "enabled": False}
        return 200, {"audit_log_destination_id": state.binding.get("audit_log_destination_id", ""),
                     "enabled": state.binding.get("enabled", False)}
    if path == "/audit-log-destinations":
        if method == "POST":
            if not body.get("authorization"):
                return problem(400, "Bad Request", "Required field missing",
                               [{"field": "authorization", "reason": "cannot be blank"}])
            identifier = str(uuid.uuid4())
            state.destinations[identifier] = dict(body, id=identifier, created_at=NOW, updated_at=NOW)
            return 201, shown_destination(state.destinations[identifier])
        return 200, {"data": [shown_destination(d) for d in state.destinations.values()],
                     "meta": {"page": {"number": 1, "size": 100, "total": len(state.destinations)}}}
    if path.startswith("/audit-log-destinations/"):
        identifier = path.rsplit("/", 1)[1]
        if identifier not in state.destinations:
            return problem(404, "Not Found", "Not found")
        if method == "DELETE":
            del state.destinations[identifier]
            return 204, None
        if method == "PATCH":
            state.destinations[identifier].update(body, updated_at=NOW)
        return 200, shown_destination(state.destinations[identifier])
    return problem(404, "Not Found", "Not found")


def shown_destination(destination):
    return {k: v for k, v in destination.items() if k != "authorization"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jwks", type=Path, help="the JWKS served by the v2 jwks.json path")
    parser.add_argument("--entries", type=Path, help="entries to deliver, one per line")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiplies every retry wait")
    args = parser.parse_args()
    jwks = json.loads(args.jwks.read_text()) if args.jwks else {"keys": []}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.state = State(jwks)
    server.state.time_scale = args.time_scale
    if args.entries:
        server.state.entries = [line for line in args.entries.read_bytes().split(b"\n") if line.strip()]
    threading.Thread(target=deliver_loop, args=(server.state,), daemon=True).start()
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
