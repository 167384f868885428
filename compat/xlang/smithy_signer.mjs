// Signs request specs with @smithy/signature-v4, for sigv4kit's
// cross-language differential test (compat/xlang/xlang_test.go).
//
// Reads one JSON array of specs on stdin (the fields botocore_signer.py
// describes) and writes {version, results} on stdout, results in the same
// order. Each spec is signed the way the AWS SDK for JavaScript v3 signs:
//
//   * SignatureV4 with @smithy/hash-node's sha256; S3 family:
//     uriEscapePath: false, applyChecksum: true (what @aws-sdk/client-s3
//     configures); other services: the defaults (uriEscapePath: true), and
//     applyChecksum only when the spec signs X-Amz-Content-Sha256;
//   * an S3 key is escaped per segment by @smithy/core's
//     extendedEncodeURIComponent, as the SDK's serializer escapes a greedy
//     {Key+} label; any other path is the wire path as sent;
//   * the query is the decoded pairs (a repeated key becomes an array);
//   * the host header is what the SDK's host-header middleware sets: the
//     endpoint's WHATWG URL host (hostname plus a non-default port), or the
//     spec's Host header;
//   * S3 UNSIGNED-PAYLOAD is an x-amz-content-sha256 header; presigning
//     keeps it out of the signed headers and the query (unsignable and
//     unhoistable), as only the payload line needs it;
//   * presigning hoists no header (every header is unhoistable): the spec
//     already has in its query what sigv4kit's caller put there;
//   * cache-control, which SignatureV4 never signs by default, is made
//     signable through the documented signableHeaders option when the spec
//     has it;
//   * repeated header lines, which a HeaderBag (one value per name) cannot
//     hold, are combined as RFC 9110 section 5.3 allows: each line's value
//     without its leading and trailing whitespace, joined by ",".
//
// Result fields are botocore_signer.py's; canonical is captured from
// SignatureV4's createCanonicalRequest.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import { HttpRequest, extendedEncodeURIComponent } from "@smithy/core/protocols";

const require = createRequire(import.meta.url);
const version = require("@smithy/signature-v4/package.json").version;
const sha256 = Hash.bind(null, "sha256");
const UNSIGNED = "UNSIGNED-PAYLOAD";
const SHA256_HEADER = "x-amz-content-sha256";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeKey(escaped) {
  // The key's bytes; a JS string holds them only if they are UTF-8.
  const bytes = Buffer.from(escaped.replace(/%([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), "latin1");
  return utf8.decode(bytes);
}

function buildRequest(spec) {
  let path = spec.path;
  if (spec.s3) {
    let key;
    try {
      key = decodeKey(spec.key);
    } catch {
      throw new Error("S3 key is not valid UTF-8: a JS string cannot hold it");
    }
    path = key.split("/").map(extendedEncodeURIComponent).join("/");
  }
  const query = {};
  for (const [k, v] of spec.query) {
    if (Object.hasOwn(query, k)) {
      query[k] = [].concat(query[k], v);
    } else {
      query[k] = v;
    }
  }
  const lines = new Map(); // lower-case name -> [name, values]
  for (const [name, value] of spec.headers) {
    const l = name.toLowerCase();
    if (!lines.has(l)) lines.set(l, [name, []]);
    lines.get(l)[1].push(value);
  }
  const headers = {};
  for (const [name, values] of lines.values()) {
    headers[name] = values.length === 1 ? values[0] : values.map((v) => v.replace(/^[ \t]+|[ \t]+$/g, "")).join(",");
  }
  const url = new URL(`${spec.scheme}://${spec.host}/`);
  headers.host = spec.host_header || url.host;
  const body = spec.body ? Buffer.from(spec.body, "base64") : undefined;
  return new HttpRequest({
    method: spec.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path,
    query,
    headers,
    body,
  });
}

async function signOne(spec) {
  const presign = spec.op === "presign";
  const credentials = { accessKeyId: spec.access_key, secretAccessKey: spec.secret_key };
  if (spec.token) credentials.sessionToken = spec.token;
  const signer = new SignatureV4({
    credentials,
    region: spec.region,
    service: spec.service,
    sha256,
    uriEscapePath: !spec.s3,
    applyChecksum: spec.s3 || spec.content_sha256,
  });
  let canonical = "";
  const original = signer.createCanonicalRequest.bind(signer);
  signer.createCanonicalRequest = (...args) => (canonical = original(...args));

  const request = buildRequest(spec);
  const signingDate = new Date(spec.time * 1000);
  const signableHeaders = new Set(["cache-control"]);
  if (presign) {
    const unsignableHeaders = new Set();
    const unhoistableHeaders = new Set(Object.keys(request.headers).map((n) => n.toLowerCase()));
    if (spec.s3) {
      request.headers[SHA256_HEADER] = UNSIGNED;
      unsignableHeaders.add(SHA256_HEADER);
      unhoistableHeaders.add(SHA256_HEADER);
    }
    const out = await signer.presign(request, {
      signingDate,
      expiresIn: spec.expires,
      signableHeaders,
      unsignableHeaders,
      unhoistableHeaders,
    });
    return {
      id: spec.id,
      canonical,
      signature: out.query["X-Amz-Signature"],
      signed_headers: out.query["X-Amz-SignedHeaders"],
      credential: out.query["X-Amz-Credential"],
      date: out.query["X-Amz-Date"],
      expires: out.query["X-Amz-Expires"],
    };
  }
  if (spec.s3 && spec.unsigned_payload) request.headers[SHA256_HEADER] = UNSIGNED;
  const out = await signer.sign(request, { signingDate, signableHeaders });
  return { id: spec.id, canonical, authorization: out.headers.authorization, date: out.headers["x-amz-date"] };
}

const specs = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const spec of specs) {
  try {
    results.push(await signOne(spec));
  } catch (e) {
    results.push({ id: spec.id, error: String(e && e.message ? e.message : e) });
  }
}
process.stdout.write(JSON.stringify({ version, results }));
