//! UTC timestamps from the system clock, std only: the bench needs the date
//! and time of day of a measurement, nothing a time-zone or calendar crate
//! adds (no local time, no parsing beyond its own format).

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since 1970-01-01 00:00:00 UTC as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(unix_secs: u64) -> String {
    let days = unix_secs / 86_400;
    let rest = unix_secs % 86_400;
    let (y, m, d) = civil_date(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// A stored timestamp as the report shows it: `YYYY-MM-DD HH:MM UTC`
/// (anything not in [`rfc3339`]'s form is shown as it is).
pub fn display(ts: &str) -> String {
    let ok =
        ts.len() == 20 && ts.is_char_boundary(10) && ts.as_bytes()[10] == b'T' && ts.ends_with('Z');
    if ok {
        format!("{} {} UTC", &ts[..10], &ts[11..16])
    } else {
        ts.to_string()
    }
}

/// The Gregorian (year, month, day) of a day count from 1970-01-01.
///
/// Works in 400-year eras of 146,097 days, each starting on 1 March so that
/// the leap day falls at the end of a year; months are counted from March.
fn civil_date(days_since_epoch: u64) -> (u64, u64, u64) {
    // 1970-01-01 is day 719,468 counted from 0000-03-01.
    let z = days_since_epoch + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    // Year of the era: 365 days a year, less the leap days already passed
    // (one per 4 years, none per 100, one again per 400).
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // March-based month: 0 = March .. 11 = February; month lengths follow
    // the pattern 31, 30, 31, 30, 31 which (153 * m + 2) / 5 reproduces.
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(rfc3339(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_871_220), "2026-11-28T13:07:00Z");
    }

    #[test]
    fn every_day_follows_the_previous_one() {
        // Walk 1970..2200 day by day and check the calendar's own rules.
        let leap =
            |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let mut prev = civil_date(0);
        assert_eq!(prev, (1970, 1, 1));
        for day in 1..84_000 {
            let (y, m, d) = civil_date(day);
            let (py, pm, pd) = prev;
            let month_len = match pm {
                2 if leap(py) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expected = if pd < month_len {
                (py, pm, pd + 1)
            } else if pm < 12 {
                (py, pm + 1, 1)
            } else {
                (py + 1, 1, 1)
            };
            assert_eq!((y, m, d), expected, "day {day}");
            prev = (y, m, d);
        }
    }

    #[test]
    fn display_form() {
        assert_eq!(display("2026-11-28T13:07:41Z"), "2026-11-28 13:07 UTC");
        assert_eq!(display("yesterday"), "yesterday");
    }
}
