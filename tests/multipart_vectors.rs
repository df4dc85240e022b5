//! The multipart writer against the documented SDK vectors in `doc-examples.json`.

#[path = "support/vec_sink.rs"]
mod vec_sink;
use vec_sink::VecSink;

use base64ct::Encoding;
use sha2::Digest;
use tc3::multipart::{Boundary, HeaderName, Layout, Multipart, Part};
use tc3::{Field, Reason};

fn vector(name: &str) -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vectors/doc-examples.json"
    );
    let text = std::fs::read_to_string(path).expect("doc-examples.json");
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).expect("json");
    all.into_iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("vector {name} missing"))
}

fn s<'a>(v: &'a serde_json::Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{path:?} not a string"))
}

/// The boundary is what follows `boundary=` in the vector's content type.
fn boundary_of(content_type: &str) -> &str {
    content_type.split("boundary=").nth(1).expect("boundary=")
}

#[test]
fn python_b5_body_is_byte_exact() {
    let v = vector("python-sdk-b5-v3-multipart");
    let expected = base64ct::Base64::decode_vec(s(&v, &["inputs", "payload_base64"])).unwrap();
    let content_type = s(&v, &["inputs", "content_type"]);
    let boundary = Boundary::new(boundary_of(content_type)).unwrap();
    let form = Multipart::new(Layout::Python, &boundary);
    let parts = [
        Part::Text {
            name: "Name",
            value: "a.png",
        },
        Part::File {
            name: "File",
            data: b"\x89PNG\r\n",
        },
        // Python json.dumps(["x", "y"])
        Part::Json {
            name: "Tags",
            json: "[\"x\", \"y\"]",
        },
    ];
    let mut buf = [0u8; 1024];
    let body = write_into(&form, &parts, &mut buf).unwrap();
    assert_eq!(body, &expected[..]);
    assert_eq!(form.encoded_len(&parts).unwrap(), expected.len());

    let want_hash = s(&v, &["inputs", "payload_sha256"]);
    assert_eq!(want_hash, s(&v, &["expected", "hashed_payload"]));
    let streamed = form.payload_sha256(&parts).unwrap();
    assert_eq!(
        base16ct::lower::encode_str(&streamed, &mut [0; 64]).unwrap(),
        want_hash
    );
    let direct: [u8; 32] = sha2::Sha256::digest(body).into();
    assert_eq!(direct, streamed);

    assert_eq!(form.content_type().as_str(), content_type);
    // The canonical request carries exactly this content type line and payload hash.
    let cr = s(&v, &["expected", "canonical_request"]);
    assert!(cr.contains(&format!("content-type:{}\n", form.content_type())));
    assert!(cr.ends_with(want_hash));
}

#[test]
fn node_sign3_body_is_byte_exact() {
    let v = vector("node-sign3-multipart");
    let expected = s(&v, &["inputs", "payload"]).as_bytes();
    let content_type = s(&v, &["inputs", "content_type"]);
    let boundary = Boundary::new(boundary_of(content_type)).unwrap();
    assert_eq!(
        boundary.as_str(),
        "--------------------------613711929803404244049248"
    );
    let form = Multipart::new(Layout::Node, &boundary);
    let parts = [
        Part::Text {
            name: "Action",
            value: "DescribeInstances",
        },
        Part::Text {
            name: "Version",
            value: "2017-03-12",
        },
        Part::File {
            name: "File",
            data: b"test file content",
        },
    ];
    let mut buf = [0u8; 1024];
    let body = write_into(&form, &parts, &mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(body).unwrap(),
        std::str::from_utf8(expected).unwrap()
    );
    let digest = form.payload_sha256(&parts).unwrap();
    assert_eq!(
        base16ct::lower::encode_str(&digest, &mut [0; 64]).unwrap(),
        s(&v, &["expected", "hashed_payload"])
    );
    assert_eq!(form.content_type().as_str(), content_type);
}

#[test]
fn empty_forms_per_layout() {
    let b = Boundary::new("abc").unwrap();
    let mut buf = [0u8; 64];
    assert_eq!(
        write_into(&Multipart::new(Layout::Python, &b), &[], &mut buf).unwrap(),
        b""
    );
    assert_eq!(
        write_into(&Multipart::new(Layout::Java, &b), &[], &mut buf).unwrap(),
        b""
    );
    // Node's sign3: "--B" then "--\r\n".
    assert_eq!(
        write_into(&Multipart::new(Layout::Node, &b), &[], &mut buf).unwrap(),
        b"--abc--\r\n"
    );
}

#[test]
fn java_layout_has_no_json_part_header() {
    let b = Boundary::new("b").unwrap();
    let form = Multipart::new(Layout::Java, &b);
    assert_eq!(
        form.content_type().as_str(),
        "multipart/form-data; charset=utf-8; boundary=b"
    );
    let mut buf = [0u8; 256];
    let body = write_into(
        &form,
        &[
            Part::Json {
                name: "T",
                json: "[1]",
            },
            Part::File {
                name: "F",
                data: b"\x00",
            },
        ],
        &mut buf,
    )
    .unwrap();
    assert_eq!(
        body,
        &b"--b\r\nContent-Disposition: form-data; name=\"T\"\r\n\r\n[1]\r\n\
--b\r\nContent-Disposition: form-data; name=\"F\"; filename=\"F\"\r\n\r\n\x00\r\n--b--\r\n"[..]
    );
}

#[test]
fn streaming_into_a_vec_equals_the_buffer() {
    let b = Boundary::from_random(&[0xde, 0xad, 0xbe, 0xef]).unwrap();
    assert_eq!(b.as_str(), "deadbeef");
    let form = Multipart::new(Layout::Python, &b);
    let parts = [Part::Text {
        name: "k",
        value: "v",
    }];
    let mut v = VecSink::default();
    form.write(&parts, &mut v).unwrap();
    let mut buf = [0u8; 256];
    assert_eq!(write_into(&form, &parts, &mut buf).unwrap(), &v.0[..]);
}

#[test]
fn boundaries_are_checked() {
    let e = |s: &str| Boundary::new(s).unwrap_err();
    assert_eq!(e(""), tc3::Error::new(Field::ContentType, Reason::Empty));
    assert_eq!(e(&"a".repeat(71)).reason, Reason::TooLong);
    assert!(Boundary::new(&"a".repeat(70)).is_ok());
    assert_eq!(e("ab\r\ncd").reason, Reason::ControlChar);
    assert_eq!(e("ab\ncd").reason, Reason::ControlChar);
    assert_eq!(e("a b").reason, Reason::Reserved);
    assert_eq!(e("a;b").reason, Reason::Reserved);
    assert_eq!(e("a\"b").reason, Reason::Reserved);
    assert_eq!(e("a=b").reason, Reason::Reserved);
    assert_eq!(e("é").reason, Reason::NonAscii);
    assert!(Boundary::new("Az09'+_-.").is_ok());
    assert_eq!(
        Boundary::from_random(&[]).unwrap_err().reason,
        Reason::Empty
    );
    assert_eq!(
        Boundary::from_random(&[0; 36]).unwrap_err().reason,
        Reason::TooLong
    );
    assert_eq!(
        Boundary::from_random(&[0xab; 35]).unwrap().as_str().len(),
        70
    );
    let b = Boundary::from_random(&[0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]).unwrap();
    assert_eq!(b.as_str(), "0123456789abcdef");
}

#[test]
fn bad_names_and_values_are_typed_errors_and_write_nothing() {
    let b = Boundary::new("xyz").unwrap();
    let form = Multipart::new(Layout::Python, &b);
    for (name, reason) in [
        ("a\"b", Reason::Reserved),
        ("a\rb", Reason::ControlChar),
        ("a\nb", Reason::ControlChar),
        ("a\0b", Reason::ControlChar),
        ("", Reason::Empty),
    ] {
        let mut v = VecSink::default();
        let err = form
            .write(
                &[
                    Part::Text {
                        name: "ok",
                        value: "1",
                    },
                    Part::Text { name, value: "v" },
                ],
                &mut v,
            )
            .unwrap_err();
        assert_eq!(err, tc3::Error::new(Field::ParamName, reason), "{name:?}");
        assert!(v.0.is_empty());
    }
    // A value carrying the delimiter would inject a part.
    let err = form
        .encoded_len(&[Part::Text {
            name: "a",
            value: "x\r\n--xyz\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\ny",
        }])
        .unwrap_err();
    assert_eq!(err, tc3::Error::new(Field::ParamValue, Reason::Reserved));
    let err = form
        .encoded_len(&[Part::File {
            name: "a",
            data: b"\r\n--xyz--",
        }])
        .unwrap_err();
    assert_eq!(err.field, Field::ParamValue);
    // A value starting with "--xyz" completes a delimiter with the CRLF before it (found by
    // the multipart fuzz target).
    let err = form
        .encoded_len(&[Part::File {
            name: "a",
            data: b"--xyz\r\nContent-Disposition: form-data; name=\"injected\"",
        }])
        .unwrap_err();
    assert_eq!(err, tc3::Error::new(Field::ParamValue, Reason::Reserved));
    // "--xyz" elsewhere without a preceding line end is harmless.
    assert!(form
        .encoded_len(&[Part::Text {
            name: "a",
            value: "x--xyz-\r--xyz"
        }])
        .is_ok());
}

/// Issue 11 item 8 (regression: accepted on the starting commit 333463a): the LF-only
/// delimiter `\n--BOUNDARY` is refused like the CRLF one, since a lenient receiver splits
/// on it.
#[test]
fn lf_only_delimiter_is_refused() {
    let b = Boundary::new("xyz").unwrap();
    let form = Multipart::new(Layout::Python, &b);
    for value in [
        "x\n--xyz\nContent-Disposition: form-data; name=\"b\"\n\ny",
        "x--xyz\n--xyz",
        "\n--xyz",
        "\n--xyz--",
    ] {
        let err = form
            .encoded_len(&[Part::Text { name: "a", value }])
            .unwrap_err();
        assert_eq!(
            err,
            tc3::Error::new(Field::ParamValue, Reason::Reserved),
            "{value:?}"
        );
    }
    // a prefix of the boundary is not the delimiter
    assert!(form
        .encoded_len(&[Part::Text {
            name: "a",
            value: "\n--xy"
        }])
        .is_ok());
}

#[test]
fn too_small_buffer_is_a_capacity_error() {
    let b = Boundary::new("xyz").unwrap();
    let form = Multipart::new(Layout::Python, &b);
    let parts = [Part::Text {
        name: "a",
        value: "b",
    }];
    let len = form.encoded_len(&parts).unwrap();
    let mut buf = vec![0u8; len];
    assert_eq!(write_into(&form, &parts, &mut buf).unwrap().len(), len);
    let mut small = vec![0u8; len - 1];
    assert_eq!(
        write_into(&form, &parts, &mut small).unwrap_err(),
        tc3::Error::capacity()
    );
}

#[test]
fn octet_stream_param_headers() {
    assert_eq!(
        Layout::Python.octet_stream_content_type(),
        "application/octet-stream"
    );
    assert_eq!(
        Layout::Java.octet_stream_content_type(),
        "application/octet-stream; charset=utf-8"
    );
    let (n, v) = HeaderName::param("ocr", "ImageName", "a.png").unwrap();
    assert_eq!((n.as_str(), v), ("X-OCR-ImageName", "a.png"));
    assert_eq!(
        HeaderName::param("ocr", "Name", "a\r\nX-Evil: 1").unwrap_err(),
        tc3::Error::new(Field::HeaderValue, Reason::ControlChar)
    );
    assert_eq!(
        HeaderName::param("ocr", "Name", "é").unwrap_err().reason,
        Reason::NonAscii
    );
    assert_eq!(
        HeaderName::param("ocr", "Na me", "v").unwrap_err().field,
        Field::HeaderName
    );
    assert_eq!(
        HeaderName::param("ocr", "", "v").unwrap_err().reason,
        Reason::Empty
    );
    assert_eq!(
        HeaderName::param("o.cr", "N", "v").unwrap_err().field,
        Field::Service
    );
    assert_eq!(
        HeaderName::param("ocr", &"F".repeat(200), "v").unwrap_err(),
        tc3::Error::new(Field::HeaderName, Reason::TooLong)
    );
}

/// The body written into `buf` through a `BufWriter`: a capacity error when it does not fit.
fn write_into<'o>(
    form: &Multipart<'_>,
    parts: &[Part<'_>],
    buf: &'o mut [u8],
) -> Result<&'o [u8], tc3::Error> {
    let mut w = tc3::BufWriter::new(buf);
    form.write(parts, &mut w)?;
    w.finish()
}
