//! Property tests (proptest) and bad-input tests for TC3 signing.

use proptest::prelude::*;
use tc3::v3::{sign, sign_fresh, Common, Payload, Request, SigningKey};
use tc3::BufWriter;
use tc3::{Credential, Date, Field, Reason};

/// Independent civil date: count days by walking years then months.
fn civil(ts: u64) -> (u16, u8, u8) {
    let mut days = ts / 86_400;
    let mut y = 1970u64;
    let leap = |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    loop {
        let n = if leap(y) { 366 } else { 365 };
        if days < n {
            break;
        }
        days -= n;
        y += 1;
    }
    let months = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut m = 0;
    while days >= months[m] {
        days -= months[m];
        m += 1;
    }
    (y as u16, m as u8 + 1, days as u8 + 1)
}

fn cred() -> Credential<'static> {
    Credential::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scope_date_is_civil_date(ts in 0u64..=253_402_300_799) {
        let d = Date::from_unix(ts).unwrap();
        prop_assert_eq!((d.year(), d.month(), d.day()), civil(ts));
        let want = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        let bytes = d.to_bytes();
        prop_assert_eq!(std::str::from_utf8(&bytes).unwrap(), want);
    }

    #[test]
    fn day_boundaries(day in 0u64..2_932_896) {
        let ts = day * 86_400;
        prop_assert_eq!((Date::from_unix(ts).unwrap().year(), Date::from_unix(ts).unwrap().month(), Date::from_unix(ts).unwrap().day()), civil(ts));
        if ts > 0 {
            let prev = Date::from_unix(ts - 1).unwrap();
            prop_assert_eq!((prev.year(), prev.month(), prev.day()), civil(ts - 1));
            prop_assert!(prev < Date::from_unix(ts).unwrap());
        }
    }

    #[test]
    fn canonical_query_round_trips(
        params in proptest::collection::btree_map(".{0,12}", ".{0,16}", 0..8)
    ) {
        let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut buf = vec![0u8; 16 * 1024];
        let mut w = BufWriter::new(&mut buf);
        let written = tc3::params::write_sorted_query(&mut pairs, &mut w);
        if params.contains_key("") {
            // an empty name is refused, never sent
            prop_assert_eq!(written, Err(tc3::Error::new(tc3::Field::ParamName, tc3::Reason::Empty)));
            return Ok(());
        }
        written.unwrap();
        let q = w.finish_str().unwrap();
        // only the unreserved set, '%', '+', '=' and '&' appear
        prop_assert!(q.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%+=&".contains(&b)));
        let decoded: Vec<(String, String)> = form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        let want: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        if pairs.is_empty() {
            prop_assert_eq!(q, "");
        } else {
            prop_assert_eq!(decoded, want);
        }
        // keys are in byte order
        prop_assert!(pairs.windows(2).all(|w| w[0].0.as_bytes() < w[1].0.as_bytes()));
        // and the query is accepted as a signed GET query
        let req = Request::new_get("cvm.tencentcloudapi.com", q);
        prop_assert!(sign_fresh(&cred(), &Common::new("cvm", "A", "2017-03-12", 1), &req).is_ok());
    }

    #[test]
    fn cached_key_equals_fresh_key(
        ts in 0u64..=253_402_300_799,
        body in proptest::collection::vec(any::<u8>(), 0..300),
        service in "[a-z][a-z0-9-]{0,15}",
        query in "[A-Za-z0-9=&%.+_~-]{0,40}",
        unsigned in any::<bool>(),
        extra in proptest::option::of(("x-[a-z-]{1,10}", "[ -~]{0,20}")),
        token in proptest::option::of("[A-Za-z0-9_-]{0,20}"),
    ) {
        let mut c = cred();
        if let Some(t) = &token { c = c.with_token(t).unwrap(); }
        let extras: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut req = Request::new_post("example.com:8080", "application/json", &body);
        req.query = &query;
        req.extra_signed_headers = &extras;
        if unsigned { req.payload = Payload::Unsigned; }
        let common = Common::new(&service, "Act", "2020-01-01", ts);
        let key = SigningKey::derive(&c.key, Date::from_unix(ts).unwrap(), &service).unwrap();
        let a = sign(&c, &key, &common, &req).unwrap();
        let b = sign_fresh(&c, &common, &req).unwrap();
        prop_assert_eq!(a.authorization(), b.authorization());
        prop_assert!(a.signature().ct_eq_hex(b.signature().as_hex().as_bytes()));
        // the same body fed as chunks or as a digest signs the same
        if !unsigned {
            let mut h = tc3::v3::PayloadHasher::new();
            for chunk in body.chunks(7) { h.update(chunk); }
            let mut req2 = req;
            req2.payload = h.finish();
            let s2 = sign(&c, &key, &common, &req2).unwrap();
            prop_assert_eq!(s2.authorization(), a.authorization());
        }
        // its Authorization parses back
        let p = tc3::v3::Authorization::parse(a.authorization().as_bytes()).unwrap();
        prop_assert_eq!(p.service, service.as_str());
        prop_assert!(p.signed_headers_are_canonical());
    }
}

#[test]
fn key_for_another_scope_is_refused() {
    let c = cred();
    let req = Request::new_post("cvm.tencentcloudapi.com", "application/json", b"{}");
    let common = Common::new("cvm", "A", "2017-03-12", 1551113065);
    let key =
        SigningKey::derive(&c.key, Date::from_unix(1551113065 - 86_400).unwrap(), "cvm").unwrap();
    assert_eq!(
        sign(&c, &key, &common, &req).unwrap_err(),
        tc3::Error::new(Field::Timestamp, Reason::Malformed)
    );
    let key = SigningKey::derive(&c.key, Date::from_unix(1551113065).unwrap(), "cbs").unwrap();
    assert_eq!(
        sign(&c, &key, &common, &req).unwrap_err(),
        tc3::Error::new(Field::Service, Reason::Malformed)
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let c = cred();
    let ok_req = Request::new_post("cvm.tencentcloudapi.com", "application/json", b"{}");
    let ok_common = Common::new("cvm", "DescribeInstances", "2017-03-12", 1551113065);
    assert!(sign_fresh(&c, &ok_common, &ok_req).is_ok());
    let err = |common: &Common, req: &Request| sign_fresh(&c, common, req).unwrap_err();

    for bad in ["a\rb", "a\nb", "a\0b", "é"] {
        let want = if bad == "é" {
            Reason::NonAscii
        } else {
            Reason::ControlChar
        };
        let mut r = ok_req;
        r.host = bad;
        assert_eq!(
            err(&ok_common, &r),
            tc3::Error::new(Field::Host, want),
            "{bad:?}"
        );
        let mut r = ok_req;
        r.content_type = bad;
        assert_eq!(
            err(&ok_common, &r),
            tc3::Error::new(Field::ContentType, want)
        );
        let mut m = ok_common;
        m.action = bad;
        assert_eq!(err(&m, &ok_req), tc3::Error::new(Field::Action, want));
        let mut m = ok_common;
        m.version = bad;
        assert_eq!(err(&m, &ok_req), tc3::Error::new(Field::Version, want));
        let mut m = ok_common;
        m.region = Some(bad);
        assert_eq!(err(&m, &ok_req), tc3::Error::new(Field::Region, want));
        let mut m = ok_common;
        m.language = Some(bad);
        assert_eq!(err(&m, &ok_req), tc3::Error::new(Field::Language, want));
        let mut m = ok_common;
        m.request_client = Some(bad);
        assert_eq!(
            err(&m, &ok_req),
            tc3::Error::new(Field::RequestClient, want)
        );
        assert_eq!(
            cred().with_token(bad).unwrap_err(),
            tc3::Error::new(Field::Token, want)
        );
        let extras = [("x-tc-action", bad)];
        let mut r = ok_req;
        r.extra_signed_headers = &extras;
        assert_eq!(
            err(&ok_common, &r),
            tc3::Error::new(Field::HeaderValue, want)
        );
        let extras = [(bad, "v")];
        let mut r = ok_req;
        r.extra_signed_headers = &extras;
        assert_eq!(
            err(&ok_common, &r),
            tc3::Error::new(Field::HeaderName, want)
        );
        let mut r = ok_req;
        r.query = bad;
        assert_eq!(err(&ok_common, &r), tc3::Error::new(Field::Query, want));
        let mut r = ok_req;
        r.uri = if bad == "é" { "/é" } else { "/\r\n" };
        assert_eq!(err(&ok_common, &r).field, Field::Uri);
    }
    // service
    let mut m = ok_common;
    m.service = "cvm/x";
    assert_eq!(
        err(&m, &ok_req),
        tc3::Error::new(Field::Service, Reason::Reserved)
    );
    m.service = "";
    assert_eq!(
        err(&m, &ok_req),
        tc3::Error::new(Field::Service, Reason::Empty)
    );
    // uri / query shape
    let mut r = ok_req;
    r.uri = "x";
    assert_eq!(
        err(&ok_common, &r),
        tc3::Error::new(Field::Uri, Reason::Malformed)
    );
    let mut r = ok_req;
    r.query = "a=1#frag";
    assert_eq!(
        err(&ok_common, &r),
        tc3::Error::new(Field::Query, Reason::Reserved)
    );
    // duplicates and capacity
    for extras in [
        &[("Host", "x")][..],
        &[("content-type", "x")],
        &[("x-a", "1"), ("X-A", "2")],
    ] {
        let mut r = ok_req;
        r.extra_signed_headers = extras;
        assert_eq!(
            err(&ok_common, &r),
            tc3::Error::new(Field::HeaderName, Reason::Duplicate)
        );
    }
    let names: Vec<String> = (0..15).map(|i| format!("x-h{i:02}")).collect();
    let extras: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    let mut r = ok_req;
    r.extra_signed_headers = &extras[..14];
    assert!(sign_fresh(&c, &ok_common, &r).is_ok());
    r.extra_signed_headers = &extras;
    assert_eq!(
        err(&ok_common, &r),
        tc3::Error::new(Field::HeaderName, Reason::Capacity)
    );
    // timestamp after 9999-12-31
    let mut m = ok_common;
    m.timestamp = 253_402_300_800;
    assert_eq!(
        err(&m, &ok_req),
        tc3::Error::new(Field::Timestamp, Reason::Malformed)
    );
    m.timestamp = u64::MAX;
    assert_eq!(err(&m, &ok_req).field, Field::Timestamp);
    m.timestamp = 253_402_300_799;
    assert!(sign_fresh(&c, &m, &ok_req).is_ok());
}

#[test]
fn extra_headers_follow_doc_rule() {
    // names any case, values trimmed and lowercased, sorted among content-type and host
    let extras = [("X-TC-Action", "  DescribeInstances \t"), ("A-First", "V")];
    let mut r = Request::new_post("cvm.tencentcloudapi.com", " application/json ", b"{}");
    r.extra_signed_headers = &extras;
    let mut buf = [0u8; 1024];
    let mut w = BufWriter::new(&mut buf);
    tc3::v3::canonical_request(&r, &mut w).unwrap();
    assert_eq!(
        w.finish_str().unwrap(),
        "POST\n/\n\na-first:v\ncontent-type:application/json\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\na-first;content-type;host;x-tc-action\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    );
}
