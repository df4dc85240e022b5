//! The SHA-256 / SHA-1 floor: bare compression over pre-padded blocks, exactly the blocks the
//! algorithm hashes (the bench checks that finishing the chains gives the documented values).

use std::hint::black_box;

use sha2::digest::generic_array::GenericArray;

pub type Block = GenericArray<u8, sha2::digest::typenum::U64>;

pub const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
pub const SHA1_IV: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];

/// `msg` followed by MD padding for a message of `prefix + msg.len()` bytes, where `prefix`
/// whole blocks are already absorbed in the state (HMAC's ipad/opad block).
pub fn padded(msg: &[u8], prefix: usize) -> Vec<Block> {
    let mut v = msg.to_vec();
    let bits = ((prefix + msg.len()) as u64) * 8;
    v.push(0x80);
    while v.len() % 64 != 56 {
        v.push(0);
    }
    v.extend_from_slice(&bits.to_be_bytes());
    v.chunks(64).map(Block::clone_from_slice).collect()
}

pub fn be_bytes256(state: &[u32; 8]) -> [u8; 32] {
    let mut o = [0u8; 32];
    for (i, w) in state.iter().enumerate() {
        o[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
    }
    o
}

pub fn key_block(key: &[u8], pad: u8) -> Block {
    let mut b = [pad; 64];
    for (i, k) in key.iter().enumerate() {
        b[i] ^= k;
    }
    Block::clone_from_slice(&b)
}

/// One SHA-256 chain of the floor: its start state and its blocks.
pub struct Chain256 {
    pub start: [u32; 8],
    pub blocks: Vec<Block>,
}

impl Chain256 {
    pub fn plain(msg: &[u8]) -> Self {
        Chain256 {
            start: SHA256_IV,
            blocks: padded(msg, 0),
        }
    }
    /// Pre-keyed HMAC half: the state after the ipad/opad block, then `msg` + padding.
    pub fn keyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut st = SHA256_IV;
        sha2::compress256(&mut st, &[key_block(key, pad)]);
        Chain256 {
            start: st,
            blocks: padded(msg, 64),
        }
    }
    /// Non-pre-keyed HMAC half: the ipad/opad block is part of the work.
    pub fn unkeyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut blocks = vec![key_block(key, pad)];
        blocks.extend(padded(msg, 64));
        Chain256 {
            start: SHA256_IV,
            blocks,
        }
    }
    #[inline(always)]
    pub fn run(&self) -> [u32; 8] {
        let mut st = black_box(self.start);
        sha2::compress256(&mut st, black_box(&self.blocks));
        st
    }
    pub fn digest(&self) -> [u8; 32] {
        be_bytes256(&self.run())
    }
}

pub struct Chain1 {
    pub blocks: Vec<Block>,
}

impl Chain1 {
    pub fn unkeyed(key: &[u8], pad: u8, msg: &[u8]) -> Self {
        let mut blocks = vec![key_block(key, pad)];
        blocks.extend(padded(msg, 64));
        Chain1 { blocks }
    }
    #[inline(always)]
    pub fn run(&self) -> [u32; 5] {
        let mut st = black_box(SHA1_IV);
        sha1::compress(&mut st, black_box(&self.blocks));
        st
    }
    pub fn digest(&self) -> [u8; 20] {
        let mut o = [0u8; 20];
        for (i, w) in self.run().iter().enumerate() {
            o[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
        }
        o
    }
}

pub fn blocks_of(chains: &[&Chain256]) -> usize {
    chains.iter().map(|c| c.blocks.len()).sum()
}
