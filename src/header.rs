//! The header names of the protocol, in one table.
//!
//! The lowercase constants are how a name is looked up, compared and signed (the canonical
//! request lowercases every name). [`sent`] holds the spelling the official SDKs send, which
//! [`SignedRequest::headers`](crate::v3::SignedRequest::headers) yields and errors print.

/// `Host`, lowercase.
pub(crate) const HOST: &str = "host";
/// `Content-Type`, lowercase.
pub(crate) const CONTENT_TYPE: &str = "content-type";
/// `Authorization`, lowercase.
pub(crate) const AUTHORIZATION: &str = "authorization";
/// `X-TC-Action`, lowercase.
pub(crate) const ACTION: &str = "x-tc-action";
/// `X-TC-Version`, lowercase.
pub(crate) const VERSION: &str = "x-tc-version";
/// `X-TC-Region`, lowercase.
pub(crate) const REGION: &str = "x-tc-region";
/// `X-TC-Language`, lowercase.
pub(crate) const LANGUAGE: &str = "x-tc-language";
/// `X-TC-Token`, lowercase.
pub(crate) const TOKEN: &str = "x-tc-token";
/// `X-TC-Timestamp`, lowercase.
pub(crate) const TIMESTAMP: &str = "x-tc-timestamp";
/// `X-TC-Content-SHA256`, lowercase.
pub(crate) const CONTENT_SHA256: &str = "x-tc-content-sha256";
/// `X-TC-RequestClient`, lowercase.
#[cfg_attr(not(feature = "http"), allow(dead_code))] // only the `http` adapter looks it up
pub(crate) const REQUEST_CLIENT: &str = "x-tc-requestclient";

/// The same names as the official SDKs spell them when they send them.
pub(crate) mod sent {
    /// `host` as sent.
    pub(crate) const HOST: &str = "Host";
    /// `content-type` as sent.
    pub(crate) const CONTENT_TYPE: &str = "Content-Type";
    /// `authorization` as sent.
    pub(crate) const AUTHORIZATION: &str = "Authorization";
    /// `x-tc-action` as sent.
    pub(crate) const ACTION: &str = "X-TC-Action";
    /// `x-tc-version` as sent.
    pub(crate) const VERSION: &str = "X-TC-Version";
    /// `x-tc-region` as sent.
    pub(crate) const REGION: &str = "X-TC-Region";
    /// `x-tc-language` as sent.
    pub(crate) const LANGUAGE: &str = "X-TC-Language";
    /// `x-tc-token` as sent.
    pub(crate) const TOKEN: &str = "X-TC-Token";
    /// `x-tc-timestamp` as sent.
    pub(crate) const TIMESTAMP: &str = "X-TC-Timestamp";
    /// `x-tc-content-sha256` as sent.
    pub(crate) const CONTENT_SHA256: &str = "X-TC-Content-SHA256";
    /// `x-tc-requestclient` as sent.
    pub(crate) const REQUEST_CLIENT: &str = "X-TC-RequestClient";
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_two_spellings_name_the_same_header() {
        let pairs = [
            (super::HOST, super::sent::HOST),
            (super::CONTENT_TYPE, super::sent::CONTENT_TYPE),
            (super::AUTHORIZATION, super::sent::AUTHORIZATION),
            (super::ACTION, super::sent::ACTION),
            (super::VERSION, super::sent::VERSION),
            (super::REGION, super::sent::REGION),
            (super::LANGUAGE, super::sent::LANGUAGE),
            (super::TOKEN, super::sent::TOKEN),
            (super::TIMESTAMP, super::sent::TIMESTAMP),
            (super::CONTENT_SHA256, super::sent::CONTENT_SHA256),
            (super::REQUEST_CLIENT, super::sent::REQUEST_CLIENT),
        ];
        for (lower, sent) in pairs {
            assert_eq!(std::string::String::from(sent).to_ascii_lowercase(), lower);
        }
    }
}
