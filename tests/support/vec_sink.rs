//! A growable [`Sink`] for tests, so that they also build without the `alloc` feature (which is
//! what gives `Vec<u8>` its `Sink` implementation).
#![allow(dead_code)]

use tc3::Sink;

/// Collects everything put into it.
#[derive(Default)]
pub struct VecSink(pub Vec<u8>);

impl Sink for VecSink {
    fn put(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}
