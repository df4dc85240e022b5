#!/usr/bin/env python3
"""End-to-end driver: the official Python SDK (tencentcloud-sdk-python-common, installed by
the SDK setup that .ci/e2e runs) sends real requests through `tc3-gateway`, used as the SDK's
plain-HTTP proxy (and directly, origin-form), to the upstream `.ci/sdk-e2e/upstream.py`, and
checks the outcome of each case: a success must be the upstream's answer, echoing the
SecretId the gateway forwarded in `X-Tc3-Secret-Id` (and no other `X-Tc3-*` header).

    python client.py --proxy http://127.0.0.1:PORT --keys KEYS.json

KEYS.json is the gateway's SecretId -> SecretKey map; its first entry signs. Prints one line
per case and a final `N passed, N failed` line; exits 1 on any failure.

The SDK reads the clock through `abstract_client.time.time()` (TC3 X-TC-Timestamp and legacy
Timestamp); the clock cases replace that module attribute, as oracle_python.py does.
"""
import argparse
import json
import re
import sys
import time
import traceback
import types

sys.dont_write_bytecode = True

import tencentcloud
import tencentcloud.common.abstract_client as ac
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

CLOCK = {"offset": 0, "at": None}
ac.time = types.SimpleNamespace(
    time=lambda: CLOCK["at"] if CLOCK["at"] is not None else time.time() + CLOCK["offset"])
# The legacy Nonce: the SDK's own random choice, or a pinned value (replay cases).
NONCE = {"value": None}
_real_random = ac.random
ac.random = types.SimpleNamespace(
    randint=lambda a, b: NONCE["value"] if NONCE["value"] is not None else _real_random.randint(a, b))

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PARAMS = {"Limit": 1, "Offset": 0,
          "Filters": [{"Name": "instance-name", "Values": ["\u672a\u547d\u540d", "a b&c=d"]}]}


def call(proxy, sign_method, req_method, secret_id, secret_key, token=None, offset=0,
         direct=False, nonce=None, headers=None, at=None):
    """One SDK call. `direct`: no proxy; the SDK's connection is pointed at the gateway
    itself, so it sends an origin-form request (`POST /`) with `Host: cvm.tencentcloudapi.com`."""
    CLOCK["offset"] = offset
    CLOCK["at"] = at
    NONCE["value"] = nonce
    hp = HttpProfile(protocol="http", endpoint="cvm.tencentcloudapi.com", reqMethod=req_method,
                     reqTimeout=10, proxy=None if direct else proxy)
    cp = ClientProfile(signMethod=sign_method, httpProfile=hp)
    cred = Credential(secret_id, secret_key, token)
    client = CommonClient("cvm", "2017-03-12", cred, "ap-guangzhou", profile=cp)
    if direct:
        conn = client.request.conn
        send = conn.request

        def to_gateway(method, url, body=None, headers=None):
            base = "http://cvm.tencentcloudapi.com"
            assert url.startswith(base), url
            rest = url[len(base):]
            return send(method, proxy + ("" if rest.startswith("/") else "/") + rest, body, headers)

        conn.request = to_gateway
    try:
        return client.call_json("DescribeInstances", PARAMS, headers=headers)
    finally:
        CLOCK["offset"] = 0
        CLOCK["at"] = None
        NONCE["value"] = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", required=True)
    ap.add_argument("--keys", required=True)
    args = ap.parse_args()
    keys = json.load(open(args.keys))
    sid, skey = next(iter(keys.items()))
    wrong_key = skey[:-1] + ("A" if skey[-1] != "A" else "B")
    unknown_id = "AKIDunknown0000000000000000000000000"
    assert unknown_id not in keys
    print(f"tencentcloud-sdk-python-common {tencentcloud.__version__}, proxy {args.proxy}")

    cases = []  # (name, kwargs, expected code or None for success)
    for sm in ("TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1"):
        for rm in ("POST", "GET"):
            for token in (None, "e2e-session-token"):
                name = f"{sm} {rm} {'with' if token else 'without'} token"
                cases.append((name, dict(sign_method=sm, req_method=rm, token=token), None))
    for sm, rm in (("TC3-HMAC-SHA256", "POST"), ("TC3-HMAC-SHA256", "GET"), ("HmacSHA1", "GET")):
        cases.append((f"{sm} {rm} origin-form (no proxy)",
                      dict(sign_method=sm, req_method=rm, direct=True), None))
    for sm, rm in (("TC3-HMAC-SHA256", "POST"), ("HmacSHA256", "GET"), ("HmacSHA1", "POST")):
        cases.append((f"{sm} {rm} wrong secret", dict(sign_method=sm, req_method=rm,
                                                       secret_key=wrong_key),
                      "AuthFailure.SignatureFailure"))
    for sm, rm in (("TC3-HMAC-SHA256", "GET"), ("HmacSHA256", "POST")):
        cases.append((f"{sm} {rm} unknown SecretId", dict(sign_method=sm, req_method=rm,
                                                           secret_id=unknown_id),
                      "AuthFailure.SecretIdNotFound"))
    for sm, rm in (("TC3-HMAC-SHA256", "POST"), ("HmacSHA1", "GET")):
        for off in (-600, 600):
            cases.append((f"{sm} {rm} clock {off:+d} s", dict(sign_method=sm, req_method=rm,
                                                              offset=off),
                          "AuthFailure.SignatureExpire"))

    # The SDK's custom headers cannot smuggle an X-Tc3-* header to the upstream.
    cases.append(("TC3-HMAC-SHA256 POST forged X-Tc3-Secret-Id header",
                  dict(sign_method="TC3-HMAC-SHA256", req_method="POST",
                       headers={"X-Tc3-Secret-Id": unknown_id, "X-Tc3-Admin": "1"}), None))
    # A legacy request sent twice with the same Nonce and Timestamp (pinned: the two sends may
    # fall in different seconds, which would make a new, legitimate request): the second is a
    # replay.
    replay_nonce = int(time.time() * 1000) % 2_000_000_000 + 1
    replay_at = int(time.time())
    for i, sm in enumerate(("HmacSHA256", "HmacSHA1")):
        for attempt, expected in ((1, None), (2, "AuthFailure.SignatureExpire")):
            cases.append((f"{sm} POST nonce {replay_nonce + i} attempt {attempt}",
                          dict(sign_method=sm, req_method="POST", nonce=replay_nonce + i,
                               at=replay_at),
                          expected))

    passed = failed = 0
    for name, kw, expected in cases:
        kw.setdefault("secret_id", sid)
        kw.setdefault("secret_key", skey)
        try:
            resp = call(args.proxy, **kw)
            rid = resp.get("Response", {}).get("RequestId", "")
            r = resp.get("Response", {})
            if (expected is None and set(resp) == {"Response"} and UUID.match(rid)
                    and r.get("SecretId") == kw["secret_id"]
                    and r.get("Tc3Headers") == ["x-tc3-secret-id"]
                    and r.get("Host") == "cvm.tencentcloudapi.com"
                    and r.get("Action") == "DescribeInstances"):
                ok, detail = True, f"success, RequestId {rid}"
            else:
                ok, detail = False, f"expected {expected}, got success {json.dumps(resp)}"
        except TencentCloudSDKException as e:
            if expected is not None and e.get_code() == expected and UUID.match(e.get_request_id() or ""):
                ok, detail = True, f"{e.get_code()} ({e.get_message()})"
            else:
                ok, detail = False, (f"expected {expected or 'success'}, got {e.get_code()}: "
                                     f"{e.get_message()} [{e.get_request_id()}]")
        except Exception:
            ok, detail = False, "exception: " + traceback.format_exc().strip().replace("\n", " | ")
        passed += ok
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
