#!/usr/bin/env python3
"""A stand-in for Kong Konnect's audit-log webhook, for tests on 127.0.0.1.

It delivers entries exactly as Kong's reference page for Konnect audit logs
documents (../shared/spec/konnect.md section 4), written apart from the
crate's own sender so that the receiver is tested against Kong's contract,
not against itself:

- POST to the endpoint, `Content-Type: text/plain`,
  `Content-Encoding: application/gzip` (Kong's words, not the registered
  `gzip`), the configured `Authorization` sent verbatim;
- a body of up to 100 entries separated by newlines, gzip-compressed;
- Konnect's retry rule: a connection error, HTTP 500 or HTTP 429 is
  retried at most 4 times, waiting 1 s doubling (or `Retry-After`), held
  between 1 s and 30 s; any other answer loses the batch for good;
- the webhook's status: `active` while batches land, `inactive` with the
  last response code and message once a batch is lost.

`--time-scale` multiplies every wait (0.01: a 30 s wait takes 0.3 s), so
tests run in seconds. One JSON object per attempt goes to standard output as
it happens (flushed, so a test can act on it), then a summary object:

    {"batch": 0, "attempt": 0, "entries": 100, "status": 500, "body": "...", "retry_after": null, "wait": 0.01}
    {"summary": true, "batches": 3, "delivered": 3, "lost": 0, "entries_delivered": 250,
     "status": "active", "last_response_code": 200, "last_response_message": "..."}

Exit status: 0 when every batch was delivered, 1 when one was lost, 2 on a
usage error. Standard library only.
"""

import argparse
import gzip
import http.client
import json
import sys
import time
import urllib.parse

MAX_RETRIES = 4
FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0
RETRIED = (500, 429)


def batches(entries, size):
    for start in range(0, len(entries), size):
        yield entries[start:start + size]


def post(url, authorization, body, timeout):
    """One POST; returns (status, body text, Retry-After header) or raises OSError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        import ssl
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {
            "Content-Type": "text/plain",
            "Content-Encoding": "application/gzip",
            "Content-Length": str(len(body)),
        }
        if authorization:
            headers["Authorization"] = authorization
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read(64 * 1024).decode("utf-8", "replace")
        return response.status, text, response.getheader("Retry-After")
    except http.client.HTTPException as err:
        raise OSError(str(err)) from err
    finally:
        conn.close()


def wait_for(retries, retry_after):
    """Konnect's wait before retry number `retries` (0-based), in seconds."""
    wait = FIRST_WAIT * (2 ** retries)
    if retry_after is not None:
        try:
            wait = float(int(retry_after.strip()))
        except ValueError:
            pass
    return min(max(wait, FIRST_WAIT), LONGEST_WAIT)


def emit(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def deliver(args):
    with open(args.authorization_file, "r", encoding="utf-8") as f:
        authorization = f.read().rstrip("\n")
    with open(args.entries, "rb") as f:
        entries = [line.rstrip(b"\n").rstrip(b"\r") for line in f]
    entries = [entry for entry in entries if entry]
    status = {"status": "active", "last_response_code": None, "last_response_message": None}
    delivered = lost = entries_delivered = 0
    all_batches = list(batches(entries, args.batch_size))
    for number, batch in enumerate(all_batches):
        body = gzip.compress(b"\n".join(batch))
        retries = 0
        while True:
            record = {"batch": number, "attempt": retries, "entries": len(batch)}
            try:
                code, text, retry_after = post(args.endpoint, authorization, body, args.request_timeout)
                record.update(status=code, body=text, retry_after=retry_after)
            except OSError as err:
                code, text, retry_after = None, str(err), None
                record.update(status=None, error=str(err))
            status["last_response_code"] = code
            status["last_response_message"] = text
            if code is not None and 200 <= code < 300:
                emit(record)
                delivered += 1
                entries_delivered += len(batch)
                status["status"] = "active"
                break
            if (code is None or code in RETRIED) and retries < MAX_RETRIES:
                wait = wait_for(retries, retry_after)
                record["wait"] = wait * args.time_scale
                emit(record)
                time.sleep(wait * args.time_scale)
                retries += 1
                continue
            emit(record)
            lost += 1
            status["status"] = "inactive"
            break
        if args.pause and number + 1 < len(all_batches):
            time.sleep(args.pause)
    emit({
        "summary": True,
        "batches": len(all_batches),
        "delivered": delivered,
        "lost": lost,
        "entries_delivered": entries_delivered,
        **status,
    })
    return 0 if lost == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    d = commands.add_parser("deliver", help="deliver a file of entries to a webhook endpoint as Konnect does")
    d.add_argument("--endpoint", required=True, help="the webhook URL (http:// or https://, any certificate)")
    d.add_argument("--authorization-file", required=True, help="a file holding the Authorization value")
    d.add_argument("--entries", required=True, help="a file of entries, one per line")
    d.add_argument("--batch-size", type=int, default=100, help="entries per batch (Konnect: up to 100)")
    d.add_argument("--time-scale", type=float, default=1.0, help="multiplies every retry wait")
    d.add_argument("--request-timeout", type=float, default=30.0, help="seconds one request may take")
    d.add_argument("--pause", type=float, default=0.0, help="seconds between batches")
    args = parser.parse_args()
    if args.batch_size < 1 or args.batch_size > 100:
        parser.error("--batch-size must be 1 to 100")
    sys.exit(deliver(args))


if __name__ == "__main__":
    main()
