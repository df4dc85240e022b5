//! The UTC calendar date of a Unix timestamp: the `Date` of the TC3 credential scope.
//!
//! No date library is needed: the proleptic Gregorian civil-from-days conversion
//! (H. Hinnant's algorithm) is exact for every day from 1970-01-01 to 9999-12-31.

use crate::error::{Error, Field, Reason};
use core::fmt;

/// The last second this crate accepts: 9999-12-31T23:59:59Z.
pub(crate) const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// A UTC calendar date, `YYYY-MM-DD`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The UTC date of `timestamp` (Unix seconds). Timestamps after 9999-12-31T23:59:59Z
    /// cannot be written as `YYYY-MM-DD` and are refused.
    pub const fn from_unix(timestamp: u64) -> Result<Date, Error> {
        if timestamp > MAX_TIMESTAMP {
            return Err(Error::new(Field::Timestamp, Reason::Malformed));
        }
        let days = (timestamp / 86_400) as i64;
        // civil_from_days, shifted so the era starts on 0000-03-01
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = if m <= 2 { y + 1 } else { y };
        Ok(Date {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        })
    }

    /// A date from its parts, if it exists (years 1970–9999).
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 {
            return None;
        }
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let dim = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day > dim {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` exactly (as found in a credential scope).
    pub fn parse(s: &[u8]) -> Option<Date> {
        let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = s else {
            return None;
        };
        let num = |digits: &[u8]| {
            digits.iter().try_fold(0u16, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
            })
        };
        Date::new(
            num(&[y0, y1, y2, y3])?,
            num(&[m0, m1])? as u8,
            num(&[d0, d1])? as u8,
        )
    }

    /// The year.
    pub const fn year(self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub const fn month(self) -> u8 {
        self.month
    }
    /// The day of the month, 1–31.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// `YYYY-MM-DD` as ASCII bytes.
    pub const fn to_bytes(self) -> [u8; 10] {
        let y = self.year;
        [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + self.month / 10,
            b'0' + self.month % 10,
            b'-',
            b'0' + self.day / 10,
            b'0' + self.day % 10,
        ]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Seconds since the Unix epoch from the system clock: the timestamp to sign with.
///
/// ```
/// let common = tc3::v3::Common::new("cvm", "DescribeZones", "2017-03-12", tc3::now_unix());
/// assert!(common.timestamp > 1_700_000_000);
/// ```
#[cfg(feature = "std")]
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_dates() {
        assert_eq!(
            &Date::from_unix(1551113065).unwrap().to_bytes(),
            b"2019-02-25"
        );
        assert_eq!(
            &Date::from_unix(1700000000).unwrap().to_bytes(),
            b"2023-11-14"
        );
        assert_eq!(&Date::from_unix(0).unwrap().to_bytes(), b"1970-01-01");
        // UTC midnight edges
        assert_eq!(
            &Date::from_unix(1700006399).unwrap().to_bytes(),
            b"2023-11-14"
        );
        assert_eq!(
            &Date::from_unix(1700006400).unwrap().to_bytes(),
            b"2023-11-15"
        );
        // after 2038
        assert_eq!(
            &Date::from_unix(2_147_483_648).unwrap().to_bytes(),
            b"2038-01-19"
        );
        assert_eq!(
            &Date::from_unix(4_107_542_400).unwrap().to_bytes(),
            b"2100-03-01"
        );
        assert_eq!(
            &Date::from_unix(MAX_TIMESTAMP).unwrap().to_bytes(),
            b"9999-12-31"
        );
        assert!(Date::from_unix(MAX_TIMESTAMP + 1).is_err());
        assert!(Date::from_unix(u64::MAX).is_err());
    }

    #[test]
    fn parse_round_trip() {
        let d = Date::from_unix(951_782_400).unwrap(); // 2000-02-29
        assert_eq!(&d.to_bytes(), b"2000-02-29");
        assert_eq!(Date::parse(&d.to_bytes()), Some(d));
        assert_eq!(Date::parse(b"2019-02-29"), None);
        assert_eq!(Date::parse(b"2019-2-28x"), None);
    }
}
