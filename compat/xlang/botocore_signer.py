#!/usr/bin/env python3
"""Signs request specs with botocore, for sigv4kit's cross-language
differential test (compat/xlang/xlang_test.go).

Reads one JSON array of specs on stdin and writes one JSON array of results,
in the same order, on stdout. Each spec is signed the way a botocore client
signs it:

  * the signer is botocore.auth's SigV4Auth (header signing) or
    SigV4QueryAuth (presigning) for other services, S3SigV4Auth or
    S3SigV4QueryAuth for the S3 family;
  * the URL is built as botocore.awsrequest.prepare_request_dict builds it:
    the query is the decoded pairs encoded by botocore.utils.
    percent_encode_sequence; an S3 key is escaped by botocore.utils.
    percent_encode(key, safe='/~'), as the rest-xml serializer escapes a
    greedy {Key+} label; any other path is the wire path as sent;
  * the host comes from the URL (botocore.auth._host_from_url) unless the
    spec sets a Host header;
  * S3 UNSIGNED-PAYLOAD is botocore's s3 config payload_signing_enabled=False;
    a non-S3 X-Amz-Content-SHA256 header is set to botocore's own payload
    hash before signing;
  * the clock is replaced by the spec's time: botocore.auth.
    get_current_datetime where botocore has it (1.3x and later), else the
    datetime.datetime.utcnow that botocore.auth calls (what botocore's own
    tests patch); Debian's python3-botocore is older.

Spec fields: id, op ("sign" or "presign"), s3, service, region, method,
scheme, host (URL host), host_header ("" or a Host header), path (wire
path, non-S3), key (S3 key, every byte outside the unreserved set and '/'
%-escaped), query ([[key, value], ...] decoded), headers ([[name, value],
...] in order), body (base64), unsigned_payload, content_sha256,
access_key, secret_key, token ("" for none), time (Unix seconds), expires;
and use_raw_query with raw_query: put raw_query into the URL as it is
instead of encoding query (TestQuirkBotocoreRawURLQuery).

Output: {version, unsigned_headers (botocore's SIGNED_HEADERS_BLACKLIST),
results}. Result fields: id, canonical (botocore's canonical request), and either
authorization and date (sign) or signature, signed_headers, credential,
date and expires (presign); error instead when botocore raised.
"""

import base64
import datetime
import json
import sys
import traceback
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence

# The unsigned-payload client configuration of an S3 client.
UNSIGNED_S3 = Config(s3={"payload_signing_enabled": False})


def build_url(spec):
    if spec["s3"]:
        key = unquote_to_bytes(spec["key"])
        path = percent_encode(key, safe="/~")
    else:
        path = spec["path"]
    url = f'{spec["scheme"]}://{spec["host"]}{path}'
    if spec.get("use_raw_query"):
        # SigV4Auth used by itself on a URL it is handed.
        if spec["raw_query"]:
            url += "?" + spec["raw_query"]
    elif spec["query"]:
        url += "?" + percent_encode_sequence([(k, v) for k, v in spec["query"]])
    return url


class FixedClock(datetime.datetime):
    """datetime.datetime with utcnow() fixed (for botocore before 1.3x)."""

    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


class FixedDatetimeModule:
    datetime = FixedClock


def set_clock(now):
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda *args, **kwargs: now
    else:
        FixedClock.fixed = now
        botocore.auth.datetime = FixedDatetimeModule


def sign_one(spec):
    now = datetime.datetime.fromtimestamp(spec["time"], datetime.timezone.utc).replace(tzinfo=None)
    set_clock(now)

    creds = Credentials(spec["access_key"], spec["secret_key"], spec["token"] or None)
    presign = spec["op"] == "presign"
    if presign:
        cls = botocore.auth.S3SigV4QueryAuth if spec["s3"] else botocore.auth.SigV4QueryAuth
        auth = cls(creds, spec["service"], spec["region"], expires=spec["expires"])
    else:
        cls = botocore.auth.S3SigV4Auth if spec["s3"] else botocore.auth.SigV4Auth
        auth = cls(creds, spec["service"], spec["region"])

    body = base64.b64decode(spec["body"]) if spec["body"] else b""
    req = AWSRequest(method=spec["method"], url=build_url(spec), data=body or None)
    # HTTPHeaders appends on assignment: repeated names keep every value.
    for name, value in spec["headers"]:
        req.headers[name] = value
    if spec["host_header"]:
        req.headers["Host"] = spec["host_header"]
    if spec["s3"] and spec["unsigned_payload"]:
        req.context["client_config"] = UNSIGNED_S3
    if not spec["s3"] and spec["content_sha256"] and not presign:
        req.headers["X-Amz-Content-SHA256"] = auth.payload(req)

    captured = []
    original = auth.canonical_request

    def capture(request):
        cr = original(request)
        captured.append(cr)
        return cr

    auth.canonical_request = capture
    auth.add_auth(req)
    out = {"id": spec["id"], "canonical": captured[-1] if captured else ""}
    if presign:
        q = parse_qs(urlsplit(req.url).query, keep_blank_values=True)

        def one(name):
            v = q.get(name)
            return v[-1] if v else ""

        out.update(
            signature=one("X-Amz-Signature"),
            signed_headers=one("X-Amz-SignedHeaders"),
            credential=one("X-Amz-Credential"),
            date=one("X-Amz-Date"),
            expires=one("X-Amz-Expires"),
        )
    else:
        out.update(authorization=req.headers["Authorization"], date=req.headers["X-Amz-Date"])
    return out


def main():
    specs = json.load(sys.stdin)
    results = []
    for spec in specs:
        try:
            results.append(sign_one(spec))
        except Exception as e:  # reported per spec; the Go test decides
            results.append({"id": spec["id"], "error": f"{type(e).__name__}: {e}"})
    json.dump(
        {
            "version": botocore.__version__,
            "unsigned_headers": list(botocore.auth.SIGNED_HEADERS_BLACKLIST),
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
