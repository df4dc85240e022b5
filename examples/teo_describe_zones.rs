//! Typed bodies (feature `serde`, `no_std`-friendly): the TEO (EdgeOne) `DescribeZones` API,
//! version 2022-09-01.
//!
//! ```text
//! cargo run --example teo_describe_zones --features serde
//! ```
//!
//! 1. The request struct (`Offset`, `Limit`, `Filters[{Name, Values, Fuzzy}]`, `Order`,
//!    `Direction`, from the API reference) is serialized with serde-json-core into a caller
//!    buffer — no allocation — and becomes the JSON body of a TC3-signed POST.
//! 2. A response (the API reference's example output) is parsed with [`tc3::envelope::parse`]
//!    and, when it carries no `Error`, its `Response` object is deserialized into the response
//!    struct (`TotalCount`, `Zones[{ZoneId, ZoneName, Status, Type, …}]`, `RequestId`).
//! 3. An error response is recognised before any typed deserialization.
//!
//! The credentials are the documentation's example pair and the timestamp is fixed, so the
//! output is reproducible; a real client takes both from its configuration and the clock.
use serde::{Deserialize, Serialize};
use tc3::envelope;
use tc3::v3::{sign_fresh, Common, Request};
use tc3::Credential;

/// One `Filters` entry (`AdvancedFilter` in the API reference).
#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct AdvancedFilter<'a> {
    /// e.g. `zone-name`, `zone-id`, `status`, `tag-key`.
    name: &'a str,
    /// Up to 20 values.
    values: &'a [&'a str],
    /// Fuzzy match (only some filter names support it).
    #[serde(skip_serializing_if = "Option::is_none")]
    fuzzy: Option<bool>,
}

/// `DescribeZones` request parameters; every field is optional.
#[derive(Serialize, Debug, Default)]
#[serde(rename_all = "PascalCase")]
struct DescribeZonesRequest<'a> {
    /// Paging offset (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    /// Page size (default 20, at most 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
    /// Filters, ANDed.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    filters: &'a [AdvancedFilter<'a>],
    /// Sort field: `type`, `area`, `create-time`, `zone-name`, `use-time`, `active-status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<&'a str>,
    /// `asc` or `desc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'a str>,
}

/// A zone (the fields this client needs; the others are skipped).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct Zone<'a> {
    zone_id: &'a str,
    zone_name: &'a str,
    /// `active`, `pending`, `moved`, `deactivated`, `initializing`.
    status: &'a str,
    /// `partial` (CNAME), `full` (NS), `noDomainAccess`.
    #[serde(rename = "Type")]
    zone_type: &'a str,
    #[serde(default)]
    area: Option<&'a str>,
    #[serde(default)]
    paused: bool,
    #[serde(default)]
    #[serde(borrow)]
    name_servers: heapless::Vec<&'a str, 8>,
    #[serde(default)]
    created_on: Option<&'a str>,
    #[serde(default)]
    modified_on: Option<&'a str>,
}

/// The `Response` object of `DescribeZones`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct DescribeZonesResponse<'a> {
    total_count: u64,
    #[serde(borrow)]
    zones: heapless::Vec<Zone<'a>, 16>,
    request_id: &'a str,
}

/// The example output of the API reference (the first `Resources` entry kept).
const SAMPLE_RESPONSE: &str = r#"{
    "Response": {
        "TotalCount": 1,
        "Zones": [
            {
                "ZoneId": "zone-2noz3g48ev6k",
                "ZoneName": "example.com",
                "ActiveStatus": "inactive",
                "AliasZoneName": "",
                "Area": "global",
                "CnameSpeedUp": "enabled",
                "CnameStatus": "pending",
                "CreatedOn": "2023-09-18T07:41:05Z",
                "IsFake": 0,
                "LockStatus": "enable",
                "NSDetail": {
                    "CnameSpeedUp": "enabled",
                    "IsFake": 0,
                    "NameServers": [
                        "ns1.teodns.com.",
                        "ns2.teodns.com."
                    ],
                    "OriginalNameServers": [
                        "ns1.example.com.",
                        "ns2.example.com."
                    ],
                    "VanityNameServers": {
                        "Switch": "on",
                        "Servers": [
                            "ns1.teodns.com.",
                            "ns2.teodns.com."
                        ]
                    },
                    "VanityNameServersIps": []
                },
                "CNAMEDetail": {
                    "IsFake": 0
                },
                "DNSPodDetail": null,
                "ModifiedOn": "2023-09-18T07:41:50Z",
                "NameServers": [
                    "ns1.teodns.com.",
                    "ns2.teodns.com."
                ],
                "OriginalNameServers": [
                    "ns1.example.com.",
                    "ns2.example.com."
                ],
                "Paused": false,
                "Resources": [
                    {
                        "Area": "global",
                        "AutoRenewFlag": 0,
                        "CreateTime": "2023-09-18T07:41:18Z",
                        "EnableTime": "2023-09-18T07:41:18Z",
                        "ExpireTime": "2099-12-31T15:59:59Z",
                        "Group": "plan",
                        "Id": "edgeone-2noz3qqkvqth",
                        "PayMode": 0,
                        "PlanId": "edgeone-2noz3qqkvqth",
                        "Status": "normal",
                        "Sv": [
                            {
                                "Key": "sv_edgeone_plan_sec_ent_flatfee_cm",
                                "Value": "1",
                                "InstanceId": "",
                                "Pack": "",
                                "ProtectionSpecs": ""
                            }
                        ]
                    }
                ],
                "Status": "pending",
                "Tags": [],
                "Type": "full",
                "VanityNameServers": null,
                "VanityNameServersIps": [],
                "WorkModeInfos": [
                    {
                        "ConfigGroupType": "l7_acceleration",
                        "WorkMode": "version_control"
                    },
                    {
                        "ConfigGroupType": "edge_functions",
                        "WorkMode": "version_control"
                    },
                    {
                        "ConfigGroupType": "web_security",
                        "WorkMode": "immediate_effect"
                    }
                ]
            }
        ],
        "RequestId": "641a08e3-2ef7-407c-9c2f-2a9928741df5"
    }
}"#;

const ERROR_RESPONSE: &str = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"Signature expired. Timestamp:1551113065, Server Time:1551113665"},"RequestId":"a6d6e0f3-5d8c-4f9b-9b8c-2b4e5e0c8a11"}}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. the request body, serialized into a stack buffer
    let filters = [AdvancedFilter {
        name: "zone-name",
        values: &["example.com"],
        fuzzy: None,
    }];
    let params = DescribeZonesRequest {
        offset: Some(0),
        limit: Some(20),
        filters: &filters,
        order: Some("create-time"),
        direction: Some("desc"),
    };
    let mut buf = [0u8; 512];
    let n =
        serde_json_core::to_slice(&params, &mut buf).map_err(|e| format!("request body: {e:?}"))?;
    let body = &buf[..n];

    let cred = Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )?;
    let host = "teo.tencentcloudapi.com";
    let req = Request::new_post(host, "application/json; charset=utf-8", body);
    let common = Common::new("teo", "DescribeZones", "2022-09-01", 1551113065);
    let signed = sign_fresh(&cred, &common, &req)?;

    println!("== request");
    println!("POST / HTTP/1.1");
    for (name, value) in signed.headers() {
        println!("{name}: {value}");
    }
    println!("Content-Length: {}", body.len());
    println!();
    println!("{}", std::str::from_utf8(body)?);

    // 2. a successful response: envelope first, then the typed body
    println!("\n== response (API reference example)");
    let env = envelope::parse(SAMPLE_RESPONSE.as_bytes()).map_err(|e| format!("{e:?}"))?;
    match env.error {
        Some(err) => println!("error {}", err.code.as_plain().unwrap_or("?")),
        None => {
            let resp: DescribeZonesResponse<'_> = env
                .deserialize_body()
                .map_err(|e| format!("response body: {e:?}"))?;
            println!(
                "RequestId {}, TotalCount {}, {} zone(s) in this page",
                resp.request_id,
                resp.total_count,
                resp.zones.len()
            );
            for z in &resp.zones {
                println!(
                    "  {} {} status={} type={} area={} paused={} ns={:?} created={} modified={}",
                    z.zone_id,
                    z.zone_name,
                    z.status,
                    z.zone_type,
                    z.area.unwrap_or("-"),
                    z.paused,
                    z.name_servers.as_slice(),
                    z.created_on.unwrap_or("-"),
                    z.modified_on.unwrap_or("-"),
                );
            }
            assert_eq!(resp.total_count, 1);
            assert_eq!(resp.zones[0].zone_id, "zone-2noz3g48ev6k");
        }
    }

    // 3. an error response: no typed body
    println!("\n== error response");
    let env = envelope::parse(ERROR_RESPONSE.as_bytes()).map_err(|e| format!("{e:?}"))?;
    let rid = env.request_id.and_then(|r| r.as_plain()).unwrap_or("-");
    match env.error {
        Some(err) => {
            let code = err.error_code().ok_or("code with escapes")?;
            println!(
                "error {} (auth: {}, retryable: {}): {} [RequestId {rid}]",
                code.as_str(),
                code.is_auth(),
                code.is_retryable(),
                err.message.and_then(|m| m.as_plain()).unwrap_or(""),
            );
        }
        None => println!("unexpected success"),
    }
    Ok(())
}
