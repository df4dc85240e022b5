//! Key providers: where the layer finds the SecretKey of a SecretId.
//!
//! * [`StaticKeys`]: a map fixed at start-up (from pairs or a `KEYS.json` document).
//! * [`FileKeys`]: a `KEYS.json` file, reloaded when its content changes.
//! * [`AsyncKeyProvider`]: a trait for remote stores (a database, a secrets service).
//!
//! Any [`tc3::verify::KeyProvider`] that is `Send + Sync` works too.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tc3::verify::{KeyProvider, KeyRef};
use tc3::SecretKey;

/// Why a key table could not be loaded. Never contains a key.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeysError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The document is not a JSON object of SecretId → SecretKey strings.
    Json(String),
    /// The key of this SecretId is not a valid SecretKey.
    BadKey(String),
}

impl std::fmt::Display for KeysError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeysError::Io(e) => write!(f, "cannot read the keys file: {e}"),
            KeysError::Json(e) => write!(
                f,
                "expected a JSON object of SecretId → SecretKey strings: {e}"
            ),
            KeysError::BadKey(id) => write!(f, "the key of {id:?} is not a valid SecretKey"),
        }
    }
}

impl std::error::Error for KeysError {}

/// A fixed SecretId → SecretKey map. Keys are lent to the verifier, not copied; `Debug`
/// shows only the number of keys.
///
/// ```
/// use tc3_tower::StaticKeys;
/// use tc3::verify::KeyProvider;
///
/// let keys = StaticKeys::from_json(br#"{"AKIDexample": "secret-key"}"#).unwrap();
/// assert_eq!(keys.len(), 1);
/// assert!(keys.key_ref("AKIDexample").is_some());
/// assert!(keys.key_ref("AKIDother").is_none());
/// assert_eq!(format!("{keys:?}"), "StaticKeys { keys: 1 }");
/// ```
#[derive(Clone, Default)]
pub struct StaticKeys {
    map: HashMap<String, SecretKey>,
}

impl std::fmt::Debug for StaticKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticKeys")
            .field("keys", &self.map.len())
            .finish()
    }
}

impl StaticKeys {
    /// A map from (SecretId, SecretKey) pairs.
    ///
    /// ```
    /// # use tc3_tower::StaticKeys;
    /// let keys = StaticKeys::from_pairs([("AKIDa", "key-a"), ("AKIDb", "key-b")]).unwrap();
    /// assert_eq!(keys.len(), 2);
    /// ```
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, KeysError> {
        let mut map = HashMap::new();
        for (id, key) in pairs {
            let k = SecretKey::new(key).map_err(|_| KeysError::BadKey(id.to_owned()))?;
            map.insert(id.to_owned(), k);
        }
        Ok(StaticKeys { map })
    }

    /// A map from a `KEYS.json` document: `{"AKID…": "key", …}`.
    pub fn from_json(doc: &[u8]) -> Result<Self, KeysError> {
        let raw: HashMap<String, String> =
            serde_json::from_slice(doc).map_err(|e| KeysError::Json(e.to_string()))?;
        Self::from_pairs(raw.iter().map(|(a, b)| (a.as_str(), b.as_str())))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl KeyProvider for StaticKeys {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.map.get(secret_id).cloned()
    }

    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.map.get(secret_id).map(KeyRef::Borrowed)
    }
}

/// A `KEYS.json` file, reloaded when its content changes ([`reload`](Self::reload) or a
/// [`watch`](Self::watch) task). A file that fails to parse is reported and the previous keys
/// stay in force.
///
/// ```
/// use tc3_tower::FileKeys;
/// use tc3::verify::KeyProvider;
///
/// let path = std::env::temp_dir().join(format!("tc3-doc-keys-{}.json", std::process::id()));
/// std::fs::write(&path, r#"{"AKIDa": "key-a"}"#).unwrap();
/// let keys = FileKeys::open(&path).unwrap();
/// assert!(keys.key_ref("AKIDa").is_some());
/// std::fs::write(&path, r#"{"AKIDb": "key-b"}"#).unwrap();
/// assert!(keys.reload().unwrap());
/// assert!(keys.key_ref("AKIDa").is_none());
/// assert!(keys.key_ref("AKIDb").is_some());
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct FileKeys {
    path: PathBuf,
    state: RwLock<(Arc<StaticKeys>, [u8; 32])>,
}

impl FileKeys {
    /// Loads the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, KeysError> {
        let path = path.as_ref().to_owned();
        let doc = std::fs::read(&path).map_err(KeysError::Io)?;
        let keys = StaticKeys::from_json(&doc)?;
        let digest: [u8; 32] = Sha256::digest(&doc).into();
        Ok(FileKeys {
            path,
            state: RwLock::new((Arc::new(keys), digest)),
        })
    }

    /// Re-reads the file; `Ok(true)` when its content changed and the new keys are in force.
    pub fn reload(&self) -> Result<bool, KeysError> {
        let doc = std::fs::read(&self.path).map_err(KeysError::Io)?;
        let digest: [u8; 32] = Sha256::digest(&doc).into();
        if self.state.read().map(|s| s.1 == digest).unwrap_or(false) {
            return Ok(false);
        }
        let keys = StaticKeys::from_json(&doc)?;
        if let Ok(mut s) = self.state.write() {
            *s = (Arc::new(keys), digest);
        }
        Ok(true)
    }

    /// The keys now in force.
    pub fn current(&self) -> Arc<StaticKeys> {
        self.state
            .read()
            .map(|s| s.0.clone())
            .unwrap_or_else(|p| p.into_inner().0.clone())
    }

    /// Spawns a tokio task that calls [`reload`](Self::reload) every `every` and reports
    /// changes and errors on stderr (never a key). Ends when the last other `Arc` is dropped.
    pub fn watch(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(keys) = weak.upgrade() else { return };
                match keys.reload() {
                    Ok(true) => eprintln!(
                        "keys: reloaded {} ({} keys)",
                        keys.path.display(),
                        keys.current().len()
                    ),
                    Ok(false) => {}
                    Err(e) => eprintln!(
                        "keys: {}: {e}; the previous keys stay in force",
                        keys.path.display()
                    ),
                }
            }
        })
    }
}

impl KeyProvider for FileKeys {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.current().secret_key(secret_id)
    }
}

impl<K: KeyProvider + ?Sized> KeyProvider for ArcKeys<K> {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        self.0.secret_key(secret_id)
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        self.0.key_ref(secret_id)
    }
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        self.0.accept_token(secret_id, token)
    }
}

/// A shared key provider (`Arc<K>` cannot implement the foreign trait directly): lets the
/// gateway keep a handle on a [`FileKeys`] it also hands to the layer.
///
/// ```
/// # use std::sync::Arc;
/// # use tc3_tower::{ArcKeys, StaticKeys, VerifyLayer};
/// let keys = Arc::new(StaticKeys::from_pairs([("AKIDa", "key-a")]).unwrap());
/// let _layer = VerifyLayer::new(ArcKeys(keys.clone()));
/// ```
#[derive(Debug)]
pub struct ArcKeys<K: ?Sized>(pub Arc<K>);

/// The error of a remote key store that could not answer. The layer answers
/// `InternalError` (the request may be fine; the gateway could not check it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyStoreUnavailable;

impl std::fmt::Display for KeyStoreUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the key store could not be reached")
    }
}

impl std::error::Error for KeyStoreUnavailable {}

/// The future returned by [`AsyncKeyProvider::secret_key`].
pub type KeyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Option<SecretKey>, KeyStoreUnavailable>> + Send + 'a>>;

/// A key store answered asynchronously (a database, a secrets service). The layer first
/// parses the request to learn the SecretId it claims, awaits this lookup, then verifies.
///
/// ```
/// use tc3::SecretKey;
/// use tc3_tower::{AsyncKeyProvider, KeyFuture, VerifyLayer};
///
/// struct Remote;
/// impl AsyncKeyProvider for Remote {
///     fn secret_key<'a>(&'a self, secret_id: &'a str) -> KeyFuture<'a> {
///         Box::pin(async move {
///             // e.g. a query to the store; here a fixed answer
///             Ok((secret_id == "AKIDa").then(|| SecretKey::new("key-a").unwrap()))
///         })
///     }
/// }
/// let _layer = VerifyLayer::with_async_keys(Remote);
/// ```
pub trait AsyncKeyProvider: Send + Sync + 'static {
    /// The SecretKey of `secret_id` (`Ok(None)`: unknown → `AuthFailure.SecretIdNotFound`).
    fn secret_key<'a>(&'a self, secret_id: &'a str) -> KeyFuture<'a>;

    /// Whether the session token sent with an otherwise valid request is acceptable (see
    /// [`KeyProvider::accept_token`]). Default: any token or none.
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        let _ = (secret_id, token);
        true
    }
}

/// The key that an [`AsyncKeyProvider`] returned, as a synchronous provider for one
/// verification.
pub(crate) struct Fetched<'a, A: ?Sized> {
    pub(crate) id: &'a str,
    pub(crate) key: SecretKey,
    pub(crate) source: &'a A,
}

impl<A: AsyncKeyProvider + ?Sized> KeyProvider for Fetched<'_, A> {
    fn secret_key(&self, secret_id: &str) -> Option<SecretKey> {
        (secret_id == self.id).then(|| self.key.clone())
    }
    fn key_ref(&self, secret_id: &str) -> Option<KeyRef<'_>> {
        (secret_id == self.id).then_some(KeyRef::Borrowed(&self.key))
    }
    fn accept_token(&self, secret_id: &str, token: Option<&[u8]>) -> bool {
        self.source.accept_token(secret_id, token)
    }
}
