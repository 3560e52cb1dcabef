//! Post dates: parsed from RFC 3339 or `YYYY-MM-DD`, keeping the author's
//! UTC offset so pages show the day the author meant.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};

/// An instant plus the offset it was written with (UTC when none was given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostDate {
    pub ts: Timestamp,
    pub offset_seconds: i32,
}

impl PartialOrd for PostDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PostDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.ts.cmp(&other.ts)
    }
}

impl PostDate {
    /// Accepts RFC 3339 (`2024-05-01T10:00:00+02:00`), a date-time without
    /// offset (taken as UTC) and a plain date (midnight UTC).
    pub fn parse(s: &str) -> Option<PostDate> {
        let s = s.trim();
        if let Ok(ts) = s.parse::<Timestamp>() {
            return Some(PostDate {
                ts,
                offset_seconds: offset_of(s).unwrap_or(0),
            });
        }
        let utc = |dt: DateTime| {
            dt.to_zoned(TimeZone::UTC).ok().map(|z| PostDate {
                ts: z.timestamp(),
                offset_seconds: 0,
            })
        };
        if s.len() > 10
            && let Ok(dt) = s.replacen(' ', "T", 1).parse::<DateTime>()
        {
            return utc(dt);
        }
        if s.len() == 10
            && let Ok(d) = s.parse::<Date>()
        {
            return utc(d.to_datetime(jiff::civil::Time::midnight()));
        }
        None
    }

    fn zoned(&self) -> jiff::Zoned {
        let off = Offset::from_seconds(self.offset_seconds).unwrap_or(Offset::UTC);
        self.ts.to_zoned(TimeZone::fixed(off))
    }

    /// RFC 3339 with the original offset (`Z` for UTC).
    pub fn rfc3339(&self) -> String {
        if self.offset_seconds == 0 {
            return self.ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        }
        self.zoned().strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// RFC 2822, for RSS.
    pub fn rfc2822(&self) -> String {
        self.zoned()
            .strftime("%a, %d %b %Y %H:%M:%S %z")
            .to_string()
    }

    /// The civil date in the author's offset.
    pub fn civil(&self) -> Date {
        self.zoned().date()
    }

    /// This date plus `days` days.
    pub fn plus_days(&self, days: u32) -> PostDate {
        let ts = self
            .ts
            .checked_add(jiff::SignedDuration::from_hours(24 * i64::from(days)))
            .unwrap_or(self.ts);
        PostDate { ts, ..*self }
    }
}

/// The `±HH:MM` or `Z` at the end of an RFC 3339 string, in seconds.
fn offset_of(s: &str) -> Option<i32> {
    if s.ends_with(['Z', 'z']) {
        return Some(0);
    }
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i32 = tail.get(1..3)?.parse().ok()?;
    let m: i32 = tail.get(4..6)?.parse().ok()?;
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(
            PostDate::parse("2024-05-01").unwrap().rfc3339(),
            "2024-05-01T00:00:00Z"
        );
        assert_eq!(
            PostDate::parse("2024-05-01T23:30:00+03:30")
                .unwrap()
                .rfc3339(),
            "2024-05-01T23:30:00+03:30"
        );
        assert_eq!(
            PostDate::parse("2024-05-01T23:30:00+03:30")
                .unwrap()
                .civil()
                .day(),
            1
        );
        assert_eq!(
            PostDate::parse("2024-05-01 10:00:00").unwrap().rfc3339(),
            "2024-05-01T10:00:00Z"
        );
        assert!(PostDate::parse("soon").is_none());
        assert!(PostDate::parse("2024-13-01").is_none());
    }

    #[test]
    fn rfc2822() {
        assert_eq!(
            PostDate::parse("2024-05-01").unwrap().rfc2822(),
            "Wed, 01 May 2024 00:00:00 +0000"
        );
    }
}
