//! Replay protection for legacy requests: a fixed-capacity window of recent nonces.

use super::error::VerifyError;

/// A fixed-capacity set of recently accepted legacy `(SecretId, Nonce, Timestamp)` triples,
/// so that a gateway can refuse a replayed request within the clock window. `no_std`, no
/// allocation; the SecretId is stored as a 128-bit SHA-256 prefix.
///
/// An entry expires once its timestamp is more than `window` seconds away from `now` — the
/// clock check refuses such a request anyway. When the set is full of live entries, new
/// requests are refused ([`VerifyError::ReplayWindowFull`]) rather than forgetting a live
/// nonce: size `N` for the request rate × window.
///
/// Use it wherever legacy requests are verified for real: a legacy signature covers no
/// server-side state, so without it a captured request can be replayed as long as its
/// timestamp is in the clock window. [`Verified::check_replay`](super::Verified::check_replay)
/// feeds a verified request into it.
///
/// ```
/// use tc3::verify::{ReplayWindow, VerifyError};
/// let mut w = ReplayWindow::<64>::new(300);
/// assert_eq!(w.check_and_insert("AKID", 42, 1000, 1000), Ok(()));
/// assert_eq!(w.check_and_insert("AKID", 42, 1000, 1001), Err(VerifyError::Replayed));
/// ```
#[derive(Clone, Debug)]
pub struct ReplayWindow<const N: usize> {
    entries: [Option<ReplayEntry>; N],
    window: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct ReplayEntry {
    id: [u8; 16],
    nonce: u64,
    timestamp: u64,
}

impl<const N: usize> ReplayWindow<N> {
    /// An empty window whose entries live `window` seconds around their timestamp (use the
    /// policy's clock window, e.g. [`Policy::DEFAULT_WINDOW`](super::Policy::DEFAULT_WINDOW)).
    pub const fn new(window: u64) -> Self {
        ReplayWindow {
            entries: [None; N],
            window,
        }
    }

    /// Records `(secret_id, nonce, timestamp)` at time `now`, or refuses it if it was seen
    /// before (and has not expired).
    pub fn check_and_insert(
        &mut self,
        secret_id: &str,
        nonce: u64,
        timestamp: u64,
        now: u64,
    ) -> Result<(), VerifyError> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(secret_id.as_bytes());
        let mut id = [0u8; 16];
        for (dst, src) in id.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
        let entry = ReplayEntry {
            id,
            nonce,
            timestamp,
        };
        let mut free = None;
        for (i, slot) in self.entries.iter_mut().enumerate() {
            if let Some(e) = slot {
                if e.timestamp.abs_diff(now) > self.window {
                    *slot = None;
                } else if *e == entry {
                    return Err(VerifyError::Replayed);
                }
            }
            if slot.is_none() && free.is_none() {
                free = Some(i);
            }
        }
        match free.and_then(|i| self.entries.get_mut(i)) {
            Some(slot) => {
                *slot = Some(entry);
                Ok(())
            }
            None => Err(VerifyError::ReplayWindowFull),
        }
    }

    /// The number of live entries (as of the last insertion).
    pub fn len(&self) -> usize {
        self.entries.iter().filter(|e| e.is_some()).count()
    }

    /// Whether no entry is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_window() {
        let mut w = ReplayWindow::<2>::new(300);
        assert_eq!(w.check_and_insert("a", 1, 1000, 1000), Ok(()));
        assert_eq!(
            w.check_and_insert("a", 1, 1000, 1001),
            Err(VerifyError::Replayed)
        );
        assert_eq!(w.check_and_insert("b", 1, 1000, 1001), Ok(()));
        assert_eq!(
            w.check_and_insert("c", 1, 1000, 1001),
            Err(VerifyError::ReplayWindowFull)
        );
        // after the window, old entries expire and make room
        assert_eq!(w.check_and_insert("c", 1, 1400, 1400), Ok(()));
        assert_eq!(w.len(), 1);
        assert_eq!(w.check_and_insert("a", 1, 1000, 1400), Ok(()));
    }
}
