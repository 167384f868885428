// s3client.mjs runs S3 operations with @aws-sdk/client-s3 for
// compat/e2e/streaming: a JSON plan on stdin, a JSON result per operation
// on stdout. The client is the SDK's default but for what an endpoint
// other than AWS needs (endpoint, forcePathStyle, region, static keys) and
// what a plan sets (requestChecksumCalculation, ChecksumAlgorithm); node
// trusts the server's certificate through NODE_EXTRA_CA_CERTS.
//
// Plan:
//
//	{"endpoint": "https://127.0.0.1:PORT", "region": "us-east-1",
//	 "accessKeyId": "...", "secretAccessKey": "...", "bucket": "b",
//	 "ops": [
//	   {"op": "put", "key": "k", "file": "/path", "body": "buffer" | "stream",
//	    "requestChecksumCalculation": "WHEN_SUPPORTED" | "WHEN_REQUIRED",
//	    "checksumAlgorithm": "CRC32C"},
//	   {"op": "get", "key": "k", "file": "/path/to/write"}
//	 ]}
//
// Result, one per op: {"op", "key", "ok", "etag", "checksums": {"CRC32": ...},
// "checksumType", "error": {"name", "code", "status", "message"}}.
import { S3Client, PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { createReadStream, createWriteStream, readFileSync, statSync } from "node:fs";
import { pipeline } from "node:stream/promises";

const plan = JSON.parse(readFileSync(0, "utf8"));
const clients = new Map();

function client(calc) {
  const key = calc ?? "default";
  if (!clients.has(key)) {
    const cfg = {
      endpoint: plan.endpoint,
      region: plan.region,
      forcePathStyle: true,
      credentials: { accessKeyId: plan.accessKeyId, secretAccessKey: plan.secretAccessKey },
      maxAttempts: 1,
    };
    if (calc) cfg.requestChecksumCalculation = calc;
    clients.set(key, new S3Client(cfg));
  }
  return clients.get(key);
}

function checksums(out) {
  const c = {};
  for (const alg of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]) {
    if (out["Checksum" + alg]) c[alg] = out["Checksum" + alg];
  }
  return c;
}

async function run(op) {
  const res = { op: op.op, key: op.key, ok: false };
  try {
    if (op.op === "put") {
      const input = { Bucket: plan.bucket, Key: op.key };
      if (op.body === "stream") {
        input.Body = createReadStream(op.file);
        input.ContentLength = statSync(op.file).size;
      } else {
        input.Body = readFileSync(op.file);
      }
      if (op.checksumAlgorithm) input.ChecksumAlgorithm = op.checksumAlgorithm;
      const out = await client(op.requestChecksumCalculation).send(new PutObjectCommand(input));
      Object.assign(res, { ok: true, etag: out.ETag, checksums: checksums(out), checksumType: out.ChecksumType });
    } else if (op.op === "get") {
      const out = await client().send(new GetObjectCommand({ Bucket: plan.bucket, Key: op.key }));
      // The SDK checks the body against the x-amz-checksum-* header as it
      // streams (x-amz-checksum-mode: ENABLED is its default): a mismatch
      // fails the pipeline.
      await pipeline(out.Body, createWriteStream(op.file));
      Object.assign(res, { ok: true, etag: out.ETag, checksums: checksums(out), checksumType: out.ChecksumType });
    } else {
      throw new Error(`unknown op ${op.op}`);
    }
  } catch (e) {
    res.error = { name: e.name, code: e.Code ?? e.code, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  return res;
}

const results = [];
for (const op of plan.ops) results.push(await run(op));
process.stdout.write(JSON.stringify(results) + "\n");
