//! Test helper for the eight-bytes-per-step (SWAR) routines: every byte value at every
//! position of inputs of a few lengths around the word size.

extern crate std;
use std::vec::Vec;

/// Calls `f(input, pos, b)` for each length of `lens`, each position `pos` and each byte
/// value `b`: `input` is `fill` repeated, with `b` at `pos`.
pub(crate) fn each_byte_at_each_position(
    lens: &[usize],
    fill: u8,
    mut f: impl FnMut(Vec<u8>, usize, u8),
) {
    for &len in lens {
        for pos in 0..len {
            for b in 0..=255u8 {
                let mut v = std::vec![fill; len];
                v[pos] = b;
                f(v, pos, b);
            }
        }
    }
}
