//! SHA-256 of a staged text over `sha2::compress256`, with a one-entry cache of the state
//! after the text's first block (the canonical request's first 64 bytes repeat between the
//! requests of one client: method, URI, query, the start of the header lines).
//!
//! The cache lives in the [`SigningKey`](super::SigningKey), behind `&self`, so it is a
//! sequence lock over atomics: readers never block and never see a torn entry (a changed
//! sequence number means "miss"); one writer at a time (a failed compare-exchange skips the
//! update). The SHA-256 state after a block is a function of that block alone (from the
//! initial state), so a hit gives exactly the state a fresh computation would: outputs do
//! not depend on the cache, only the number of compressions does.

use core::sync::atomic::{fence, AtomicU32, Ordering};
use sha2::digest::generic_array::GenericArray;

/// The SHA-256 initial state (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Bytes of padding a staged text may need after it (`0x80`, zeros, the 8-byte length).
pub(crate) const PAD: usize = 64 + 8;

/// Compresses the 64-byte blocks of `blocks` (its length is a multiple of 64) into `state`.
fn compress(state: &mut [u32; 8], blocks: &[u8]) {
    for block in blocks.chunks_exact(64) {
        sha2::compress256(
            state,
            core::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
}

/// The first block of a text, as sixteen words (the cache's key).
fn words(block: &[u8]) -> [u32; 16] {
    let mut w = [0u32; 16];
    for (d, c) in w.iter_mut().zip(block.chunks_exact(4)) {
        let mut b = [0u8; 4];
        b.copy_from_slice(c);
        *d = u32::from_le_bytes(b);
    }
    w
}

/// The state after one block, cached for one block value.
#[derive(Debug, Default)]
pub(crate) struct FirstBlock {
    /// Even: stable; odd: being written. 0: empty.
    seq: AtomicU32,
    /// The block (16 words) then the state after it (8 words).
    words: [AtomicU32; 24],
}

impl FirstBlock {
    /// The cached state after `block`, if `block` is the cached one.
    fn get(&self, block: &[u32; 16]) -> Option<[u32; 8]> {
        let s1 = self.seq.load(Ordering::Acquire);
        if s1 == 0 || s1 & 1 == 1 {
            return None;
        }
        let mut w = [0u32; 24];
        for (d, a) in w.iter_mut().zip(&self.words) {
            *d = a.load(Ordering::Relaxed);
        }
        fence(Ordering::Acquire);
        if self.seq.load(Ordering::Relaxed) != s1 {
            return None;
        }
        let (key, state) = w.split_at(16);
        if key != block {
            return None;
        }
        let mut out = [0u32; 8];
        out.copy_from_slice(state);
        Some(out)
    }

    /// Caches `state` as the state after `block` (skipped while another thread writes).
    fn put(&self, block: &[u32; 16], state: &[u32; 8]) {
        let s = self.seq.load(Ordering::Relaxed);
        if s & 1 == 1
            || self
                .seq
                .compare_exchange(s, s.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        for (a, &v) in self.words.iter().zip(block.iter().chain(state)) {
            a.store(v, Ordering::Relaxed);
        }
        // skip 0 ("empty") when the counter wraps
        let next = match s.wrapping_add(2) {
            0 => 2,
            n => n,
        };
        self.seq.store(next, Ordering::Release);
    }
}

/// SHA-256 of `buf[..len]`, padding in place: `buf` must have at least [`PAD`] bytes after
/// the text (else `None`, and nothing is hashed). The state after the first block comes from
/// `cache` when its block is the cached one, and is cached otherwise.
pub(crate) fn digest_staged(buf: &mut [u8], len: usize, cache: &FirstBlock) -> Option<[u8; 32]> {
    let padded = (len + 9).div_ceil(64) * 64;
    let text = buf.get_mut(..padded)?;
    let (head, bits) = text.split_at_mut_checked(padded - 8)?;
    let (_, pad) = head.split_at_mut_checked(len)?;
    let (marker, zeros) = pad.split_first_mut()?;
    *marker = 0x80;
    zeros.fill(0);
    bits.copy_from_slice(&((len as u64) * 8).to_be_bytes());
    let text = buf.get(..padded)?;
    let (first, more) = text.split_at_checked(64)?;
    let key = words(first);
    let mut state = match cache.get(&key) {
        Some(s) => s,
        None => {
            let mut s = IV;
            compress(&mut s, first);
            cache.put(&key, &s);
            s
        }
    };
    compress(&mut state, more);
    let mut out = [0u8; 32];
    for (d, w) in out.chunks_exact_mut(4).zip(state) {
        d.copy_from_slice(&w.to_be_bytes());
    }
    Some(out)
}

impl Clone for FirstBlock {
    /// An empty cache: each key fills its own.
    fn clone(&self) -> Self {
        FirstBlock::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn staged_digest_is_sha256_at_every_length_cached_or_not() {
        let cache = FirstBlock::default();
        let mut buf = [0u8; 400];
        for len in 0..=(400 - PAD) {
            let text: std::vec::Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            for _ in 0..2 {
                buf.fill(0xee);
                buf[..len].copy_from_slice(&text);
                let want: [u8; 32] = Sha256::digest(&text).into();
                assert_eq!(digest_staged(&mut buf, len, &cache), Some(want), "{len}");
            }
        }
        assert_eq!(digest_staged(&mut buf, 400 - PAD + 1 + 64, &cache), None);
    }

    #[test]
    fn threads_sharing_one_cache_get_the_right_digests() {
        // Four texts with four different first blocks, hashed by four threads in different
        // orders through one cache: every hit and every race must still give the digest.
        let texts: std::vec::Vec<std::vec::Vec<u8>> = (0..4u8)
            .map(|t| (0..150).map(|i| (i as u8).wrapping_mul(7) ^ t).collect())
            .collect();
        let want: std::vec::Vec<[u8; 32]> =
            texts.iter().map(|t| Sha256::digest(t).into()).collect();
        let cache = FirstBlock::default();
        std::thread::scope(|s| {
            for th in 0..4 {
                let (texts, want, cache) = (&texts, &want, &cache);
                s.spawn(move || {
                    let mut buf = [0u8; 256];
                    for i in 0..20_000 {
                        let k = (i * (th + 1) + th) % 4;
                        buf[..150].copy_from_slice(&texts[k]);
                        assert_eq!(digest_staged(&mut buf, 150, cache), Some(want[k]));
                    }
                });
            }
        });
    }

    #[test]
    fn a_hit_needs_the_same_first_block() {
        let cache = FirstBlock::default();
        let mut a = [b'a'; 200];
        let mut b = [b'a'; 200];
        b[63] = b'b';
        let want_a: [u8; 32] = Sha256::digest([b'a'; 100]).into();
        let mut bt = [b'a'; 100];
        bt[63] = b'b';
        let want_b: [u8; 32] = Sha256::digest(bt).into();
        for _ in 0..3 {
            assert_eq!(digest_staged(&mut a, 100, &cache), Some(want_a));
            assert_eq!(digest_staged(&mut b, 100, &cache), Some(want_b));
        }
    }
}
