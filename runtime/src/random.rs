//! Random numbers for retry jitter and multipart boundaries, from the operating system
//! (`getrandom`, the version the TLS stack already builds, instead of `rand`'s own).

use std::hash::{BuildHasher as _, Hasher as _};

/// A random `u64`. Where the OS source fails (it does not on the supported platforms),
/// std's per-process random hash keys stand in, mixed with the time: jitter and
/// boundaries need values that differ, not a cryptographic guarantee.
pub(crate) fn u64() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes),
        Err(_) => fallback(),
    }
}

/// A random `u128`, for values that must not collide (multipart boundaries).
pub(crate) fn u128() -> u128 {
    (u128::from(u64()) << 64) | u128::from(u64())
}

/// A random value in `0..=max`: the remainder's bias (at most `max / 2^64`) does not
/// matter for jitter.
pub(crate) fn up_to(max: u64) -> u64 {
    match max.checked_add(1) {
        Some(bound) => u64() % bound,
        None => u64(),
    }
}

fn fallback() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_differ_and_stay_in_range() {
        let values: std::collections::HashSet<u64> = (0..64).map(|_| super::u64()).collect();
        assert!(
            values.len() > 60,
            "64 draws gave {} distinct values",
            values.len()
        );
        assert!((0..1000).all(|_| super::up_to(10) <= 10));
        assert!((0..1000).any(|_| super::up_to(1) == 1));
        assert!((0..1000).any(|_| super::up_to(1) == 0));
        assert_eq!(super::up_to(0), 0);
        let _ = super::up_to(u64::MAX);
        assert_ne!(super::fallback(), super::fallback());
        assert_ne!(super::u128(), super::u128());
    }
}
