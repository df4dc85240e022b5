#!/usr/bin/env node
// End-to-end driver: the official Node SDK (tencentcloud-sdk-nodejs-common, installed by
// the SDK setup that .ci/e2e runs) sends real requests to `tc3-gateway`, which forwards them to
// .ci/sdk-e2e/upstream.py; checks the outcome of each case.
//
//   node client.js --gateway 127.0.0.1:PORT --keys KEYS.json
//
// The SDK's endpoint stays cvm.tencentcloudapi.com (so the signed Host, and the credential
// service the Node SDK derives from it, are the real ones); its TCP connections are sent to
// the gateway by replacing http.globalAgent.createConnection, as if DNS pointed there. (The
// Node SDK's proxy option opens a CONNECT tunnel, which a verifying gateway cannot see into.)
// The clock and the legacy Nonce are pinned as oracle_node.js does (global Date, Math.random).
// Prints one line per case and `N passed, N failed`; exits 1 on any failure.
"use strict";
const http = require("http");
const net = require("net");
const path = require("path");
const fs = require("fs");

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const [gwHost, gwPort] = args.gateway.split(":");
const keys = JSON.parse(fs.readFileSync(args.keys, "utf8"));
const [sid, skey] = Object.entries(keys)[0];

const CACHE = process.env.TC3_ORACLE_CACHE || path.join(process.env.TMPDIR || "/tmp", "tc3-oracle");
const MODS = path.join(CACHE, "node", "node_modules");
const { CommonClient } = require(path.join(MODS, "tencentcloud-sdk-nodejs-common"));
const VERSION = require(path.join(MODS, "tencentcloud-sdk-nodejs-common", "package.json")).version;

http.globalAgent.createConnection = (options, cb) =>
  net.createConnection({ host: gwHost, port: Number(gwPort) }, cb);

const RealDate = Date;
let offsetMs = 0;
let fixedMs = null; // a pinned clock (replay cases: both sends carry the same Timestamp)
const clockMs = () => (fixedMs !== null ? fixedMs : RealDate.now() + offsetMs);
class ShiftedDate extends RealDate {
  constructor(...a) { if (a.length === 0) super(clockMs()); else super(...a); }
  static now() { return clockMs(); }
}
const realRandom = Math.random;
let nextNonce = 60001;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PARAMS = { Limit: 1, Offset: 0, Filters: [{ Name: "instance-name", Values: ["\u672a\u547d\u540d", "a b&c=d"] }] };

async function call({ signMethod, reqMethod, secretId = sid, secretKey = skey, token, offset = 0, nonce, headers, at }) {
  const httpProfile = { reqMethod, endpoint: "cvm.tencentcloudapi.com", protocol: "http://", reqTimeout: 10 };
  if (headers) httpProfile.headers = headers;
  const credential = { secretId, secretKey };
  if (token) credential.token = token;
  const client = new CommonClient("cvm.tencentcloudapi.com", "2017-03-12",
    { credential, region: "ap-guangzhou", profile: { signMethod, httpProfile } });
  offsetMs = offset * 1000;
  fixedMs = at !== undefined ? at * 1000 : null;
  globalThis.Date = ShiftedDate;
  // Distinct nonces for every legacy call (the SDK's own 0..65535 choice could repeat and be
  // refused as a replay); the replay cases pin one explicitly.
  const n = nonce !== undefined ? nonce : nextNonce++;
  Math.random = () => n / 65535;
  try {
    return await client.request("DescribeInstances", PARAMS);
  } finally {
    globalThis.Date = RealDate;
    Math.random = realRandom;
    offsetMs = 0;
    fixedMs = null;
  }
}

async function main() {
  console.log(`tencentcloud-sdk-nodejs-common ${VERSION}, gateway ${args.gateway}`);
  const wrongKey = skey.slice(0, -1) + (skey.endsWith("A") ? "B" : "A");
  const unknownId = "AKIDunknown0000000000000000000000000";
  const cases = [];
  for (const signMethod of ["TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1"]) {
    for (const reqMethod of ["POST", "GET"]) {
      for (const token of [undefined, "e2e-session-token"]) {
        cases.push([`${signMethod} ${reqMethod} ${token ? "with" : "without"} token`, { signMethod, reqMethod, token }, null]);
      }
    }
  }
  cases.push(["TC3-HMAC-SHA256 POST wrong secret", { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST", secretKey: wrongKey }, "AuthFailure.SignatureFailure"]);
  cases.push(["HmacSHA1 GET wrong secret", { signMethod: "HmacSHA1", reqMethod: "GET", secretKey: wrongKey }, "AuthFailure.SignatureFailure"]);
  cases.push(["TC3-HMAC-SHA256 GET unknown SecretId", { signMethod: "TC3-HMAC-SHA256", reqMethod: "GET", secretId: unknownId }, "AuthFailure.SecretIdNotFound"]);
  for (const offset of [-600, 600]) {
    cases.push([`TC3-HMAC-SHA256 POST clock ${offset > 0 ? "+" : ""}${offset} s`, { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST", offset }, "AuthFailure.SignatureExpire"]);
    cases.push([`HmacSHA256 GET clock ${offset > 0 ? "+" : ""}${offset} s`, { signMethod: "HmacSHA256", reqMethod: "GET", offset }, "AuthFailure.SignatureExpire"]);
  }
  cases.push(["TC3-HMAC-SHA256 POST forged X-Tc3-Secret-Id header",
    { signMethod: "TC3-HMAC-SHA256", reqMethod: "POST", headers: { "X-Tc3-Secret-Id": unknownId, "X-Tc3-Admin": "1" } }, null]);
  // The Node SDK's nonce is Math.round(Math.random()*65535): pin it, send twice.
  const nonce = 1 + (RealDate.now() % 60000);
  // Pinned too: two sends in different seconds would be two legitimate requests.
  const at = Math.floor(RealDate.now() / 1000);
  for (const [i, signMethod] of ["HmacSHA256", "HmacSHA1"].entries()) {
    cases.push([`${signMethod} GET nonce ${nonce + i} attempt 1`, { signMethod, reqMethod: "GET", nonce: nonce + i, at }, null]);
    cases.push([`${signMethod} GET nonce ${nonce + i} attempt 2`, { signMethod, reqMethod: "GET", nonce: nonce + i, at }, "AuthFailure.SignatureExpire"]);
  }

  let passed = 0, failed = 0;
  for (const [name, kw, expected] of cases) {
    let ok = false, detail;
    try {
      const r = await call(kw);
      const want = kw.secretId || sid;
      ok = expected === null && UUID.test(r.RequestId || "") && r.SecretId === want &&
        JSON.stringify(r.Tc3Headers) === JSON.stringify(["x-tc3-secret-id"]) &&
        r.Host === "cvm.tencentcloudapi.com" && r.Action === "DescribeInstances";
      detail = ok ? `success, RequestId ${r.RequestId}` : `expected ${expected || "the upstream's echo"}, got success ${JSON.stringify(r)}`;
    } catch (e) {
      ok = expected !== null && e.code === expected && UUID.test(e.requestId || "");
      detail = ok ? `${e.code} (${e.message})` : `expected ${expected || "success"}, got ${e.code}: ${e.message} [${e.requestId}]`;
    }
    if (ok) passed++; else failed++;
    console.log(`${ok ? "PASS" : "FAIL"}  ${name}: ${detail}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
