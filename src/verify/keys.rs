//! Keys: the [`KeyProvider`] a gateway implements (SecretId → SecretKey, token policy) and
//! the optional [`KeyCache`] of derived TC3 signing keys.
//!
//! A provider must match the SecretId **exactly** (byte for byte, no case folding, no
//! trimming, no prefix match): the SecretId is not part of the TC3 string to sign, so a
//! lenient lookup would let one key's signature pass under several SecretIds.

use crate::credential::{SecretKey, MAX_SECRET_ID_LEN};
use crate::time::Date;
use crate::v3::SigningKey;

/// A SecretKey handed out by a [`KeyProvider`]: borrowed from the provider's table (no copy,
/// nothing to zeroize) or owned (zeroized when dropped).
#[derive(Debug)]
// No `Box` without alloc: the owned key lives inline, once per request.
#[allow(clippy::large_enum_variant)]
pub enum KeyRef<'k> {
    /// Borrowed from the provider.
    Borrowed(&'k SecretKey),
    /// A copy made for this request.
    Owned(SecretKey),
}

impl core::ops::Deref for KeyRef<'_> {
    type Target = SecretKey;
    fn deref(&self) -> &SecretKey {
        match self {
            KeyRef::Borrowed(k) => k,
            KeyRef::Owned(k) => k,
        }
    }
}

/// Looks up the SecretKey of a SecretId (unknown → `AuthFailure.SecretIdNotFound`), and
/// optionally decides about session tokens. Match the SecretId **exactly**: it is not in the
/// TC3 string to sign.
///
/// ```
/// use tc3::verify::KeyProvider;
/// use tc3::SecretKey;
/// let table = [("AKID1", SecretKey::new("key-1").unwrap())];
/// assert!(table[..].key_ref("AKID1").is_some());
/// assert!(table[..].key_ref("akid1").is_none()); // exact match only
/// let closure = |id: &str| (id == "AKID2").then(|| SecretKey::new("key-2").ok()).flatten();
/// assert!(closure.secret_key("AKID2").is_some());
/// ```
///
/// Implemented for closures `Fn(&str) -> Option<SecretKey>` (a copy per request) and for
/// tables `[(&str, SecretKey)]` (borrowed: the fastest). A provider holding its keys
/// overrides [`key_ref`](Self::key_ref) to lend them.
pub trait KeyProvider {
    /// The SecretKey of `secret_id`, if it is known.
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey>;

    /// The SecretKey of `secret_id`, borrowed where the provider can lend it. The verifiers
    /// call this one; the default copies through [`secret_key`](Self::secret_key).
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.secret_key(secret_id).map(KeyRef::Owned)
    }

    /// Whether the session token sent with an otherwise valid request (`X-TC-Token` /
    /// `Token`; `None` when absent) is acceptable for `secret_id`. Refusal →
    /// `AuthFailure.TokenFailure`. Default: any token or none.
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        let _ = (secret_id, token);
        true
    }
}

impl<F: Fn(&str) -> Option<SecretKey>> KeyProvider for F {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self(secret_id)
    }
}

/// A fixed table of (SecretId, SecretKey): keys are lent, not copied. Linear search; for
/// many keys, implement [`KeyProvider::key_ref`] over your own map.
impl KeyProvider for [(&str, SecretKey)] {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.key_ref(secret_id).map(|k| SecretKey::clone(&k))
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.iter()
            .find(|(id, _)| *id == secret_id)
            .map(|(_, k)| KeyRef::Borrowed(k))
    }
}

/// Requires a session token for SecretIds that `needs_token` selects (temporary
/// credentials), refusing requests without one (`AuthFailure.TokenFailure`); the token's
/// value is not checked.
///
/// ```
/// use tc3::verify::{KeyProvider, RequireToken};
/// use tc3::SecretKey;
/// let keys = RequireToken {
///     keys: |_: &str| SecretKey::new("k").ok(),
///     needs_token: |id: &str| id.starts_with("AKIDtmp"),
/// };
/// assert!(!keys.accept_token("AKIDtmp1", None));
/// assert!(keys.accept_token("AKIDtmp1", Some(b"tok")));
/// assert!(keys.accept_token("AKIDperm", None));
/// ```
#[derive(Copy, Clone, Debug)]
pub struct RequireToken<K, F> {
    /// The underlying key lookup.
    pub keys: K,
    /// Which SecretIds need a token.
    pub needs_token: F,
}

impl<K: KeyProvider, F: Fn(&str) -> bool> KeyProvider for RequireToken<K, F> {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.keys.secret_key(secret_id)
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.keys.key_ref(secret_id)
    }
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        self.keys.accept_token(secret_id, token)
            && (token.is_some_and(|t| !t.is_empty()) || !(self.needs_token)(secret_id))
    }
}

/// How the verifier obtains a TC3 signing key: derived afresh or from a [`KeyCache`].
pub(crate) trait DeriveKey {
    fn with_key<R>(
        &mut self,
        secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error>;
}

/// No cache: derive every time.
pub(crate) struct NoCache;

impl DeriveKey for NoCache {
    fn with_key<R>(
        &mut self,
        _secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error> {
        Ok(f(&SigningKey::derive(key, date, service)?))
    }
}

struct Slot {
    secret_id: heapless::String<MAX_SECRET_ID_LEN>,
    key: SecretKey,
    signing: SigningKey,
    last_used: u64,
}

/// A fixed-capacity cache of derived TC3 signing keys per (SecretId, date, service), `no_std`
/// and allocation-free. A hit also requires the SecretKey returned by the
/// [`KeyProvider`] to equal (constant time) the one the entry was
/// derived from, so rotating or revoking a key takes effect immediately. When full, the
/// least recently used entry is replaced; its copy of the SecretKey is zeroized on eviction
/// (the pre-keyed HMAC state of [`SigningKey`] cannot be, see there).
///
/// ```
/// let cache = tc3::verify::KeyCache::<64>::new();
/// assert_eq!(cache.stats(), (0, 0));
/// ```
pub struct KeyCache<const N: usize> {
    slots: [Option<Slot>; N],
    tick: u64,
    hits: u64,
    misses: u64,
}

impl<const N: usize> KeyCache<N> {
    /// An empty cache of `N` entries.
    pub const fn new() -> Self {
        KeyCache {
            slots: [const { None }; N],
            tick: 0,
            hits: 0,
            misses: 0,
        }
    }

    /// (hits, misses) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Drops every entry (their SecretKey copies are zeroized).
    pub fn clear(&mut self) {
        for s in self.slots.iter_mut() {
            *s = None;
        }
    }
}

impl<const N: usize> Default for KeyCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::fmt::Debug for KeyCache<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyCache")
            .field("capacity", &N)
            .field("len", &self.slots.iter().filter(|s| s.is_some()).count())
            .field("hits", &self.hits)
            .field("misses", &self.misses)
            .finish()
    }
}

impl<const N: usize> DeriveKey for KeyCache<N> {
    fn with_key<R>(
        &mut self,
        secret_id: &str,
        key: &SecretKey,
        date: Date,
        service: &str,
        f: impl FnOnce(&SigningKey) -> R,
    ) -> Result<R, crate::Error> {
        self.tick = self.tick.wrapping_add(1);
        let tick = self.tick;
        let hit = self.slots.iter_mut().flatten().find(|s| {
            s.secret_id.as_str() == secret_id
                && s.signing.date() == date
                && s.signing.service() == service
                && bool::from(crate::credential::ct_eq_words(
                    s.key.expose_secret(),
                    key.expose_secret(),
                ))
        });
        if let Some(slot) = hit {
            self.hits += 1;
            slot.last_used = tick;
            return Ok(f(&slot.signing));
        }
        self.misses += 1;
        let signing = SigningKey::derive(key, date, service)?;
        let mut id = heapless::String::new();
        if N == 0 || id.push_str(secret_id).is_err() {
            return Ok(f(&signing));
        }
        // an empty slot, else the least recently used one
        let victim = self
            .slots
            .iter_mut()
            .min_by_key(|s| s.as_ref().map_or(0, |s| s.last_used.max(1)));
        match victim {
            Some(v) => {
                let slot = v.insert(Slot {
                    secret_id: id,
                    key: key.clone(),
                    signing,
                    last_used: tick,
                });
                Ok(f(&slot.signing))
            }
            None => Ok(f(&signing)),
        }
    }
}
