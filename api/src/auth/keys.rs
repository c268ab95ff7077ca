//! Signing and verification keys for bearer tokens.
//!
//! HS256 with a secret of at least 32 bytes, or RS256 with a PEM key pair. In the embedded
//! default the HS256 secret is generated once and kept in the data directory (mode 0600), so
//! that `lendline token` and `lendline serve` with the same data directory agree.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;

use super::Claims;
use crate::config::Config;

const MIN_SECRET_BYTES: usize = 32;
const SECRET_FILE: &str = "jwt-secret";
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the JWT secret must be at least {MIN_SECRET_BYTES} bytes long")]
    SecretTooShort,
    #[error("cannot use key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("minting tokens with RS256 needs jwt.rsa_private_key_file")]
    NoPrivateKey,
    #[error("token: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    /// The claims are signed correctly but not acceptable (issued in the future, too long
    /// lived, without a subject).
    #[error("token: {0}")]
    Claims(&'static str),
}

pub struct JwtKeys {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    validation: Validation,
    max_lifetime_seconds: i64,
}

impl JwtKeys {
    pub fn from_config(config: &Config) -> Result<JwtKeys, KeyError> {
        let (algorithm, decoding, encoding) = match &config.jwt.rsa_public_key_file {
            Some(public) => {
                let decoding = DecodingKey::from_rsa_pem(&read_key(public)?)?;
                let encoding = match &config.jwt.rsa_private_key_file {
                    Some(private) => Some(EncodingKey::from_rsa_pem(&read_key(private)?)?),
                    None => None,
                };
                (Algorithm::RS256, decoding, encoding)
            }
            None => {
                let secret = match &config.jwt.secret {
                    Some(s) => s.clone().into_bytes(),
                    None => load_or_create_secret(&config.data_dir)?,
                };
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(KeyError::SecretTooShort);
                }
                let encoding = Some(EncodingKey::from_secret(&secret));
                (
                    Algorithm::HS256,
                    DecodingKey::from_secret(&secret),
                    encoding,
                )
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&config.jwt.issuer]);
        validation.set_audience(&[&config.jwt.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        // A token that says it is not valid yet is not valid yet.
        validation.validate_nbf = true;
        Ok(JwtKeys {
            algorithm,
            decoding,
            encoding,
            validation,
            max_lifetime_seconds: i64::try_from(config.jwt.max_lifetime.as_secs())
                .unwrap_or(i64::MAX),
        })
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, KeyError> {
        let key = self.encoding.as_ref().ok_or(KeyError::NoPrivateKey)?;
        Ok(jsonwebtoken::encode(
            &Header::new(self.algorithm),
            claims,
            key,
        )?)
    }

    /// The longest lifetime a token may have, in seconds.
    pub fn max_lifetime_seconds(&self) -> i64 {
        self.max_lifetime_seconds
    }

    /// Verifies signature, algorithm, `exp`, `nbf`, `iss` and `aud`, then what the library
    /// does not: `iat` not in the future, a lifetime within the configured maximum and a
    /// subject that is not blank.
    pub fn verify(&self, token: &str) -> Result<Claims, KeyError> {
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        self.check_claims(&claims, chrono::Utc::now().timestamp())?;
        Ok(claims)
    }

    fn check_claims(&self, claims: &Claims, now: i64) -> Result<(), KeyError> {
        let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
        if claims.iat > now.saturating_add(leeway) {
            return Err(KeyError::Claims("issued in the future"));
        }
        // exp - iat, as issued: a leaked token is worth at most the maximum, and a token
        // minted for longer is refused outright rather than silently honoured in part.
        if claims.exp.saturating_sub(claims.iat) > self.max_lifetime_seconds {
            return Err(KeyError::Claims("lifetime above the configured maximum"));
        }
        if claims.sub.trim().is_empty() {
            return Err(KeyError::Claims("empty subject"));
        }
        Ok(())
    }
}

fn read_key(path: &Path) -> Result<Vec<u8>, KeyError> {
    std::fs::read(path).map_err(|e| KeyError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Reads the data directory's secret, creating it (32 random bytes, hex, mode 0600) on first use.
fn load_or_create_secret(data_dir: &Path) -> Result<Vec<u8>, KeyError> {
    let path = data_dir.join(SECRET_FILE);
    let file_error = |e: std::io::Error| KeyError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing.trim().as_bytes().to_vec());
    }
    std::fs::create_dir_all(data_dir).map_err(file_error)?;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    // create_new: two processes starting at once must not overwrite each other's secret.
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
    {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).map_err(file_error)?;
            Ok(secret.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(&path)
            .map(|s| s.trim().as_bytes().to_vec())
            .map_err(file_error),
        Err(e) => Err(file_error(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_generated_secret_is_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(dir.path()).unwrap();
        let second = load_or_create_secret(dir.path()).unwrap();
        assert_eq!(first, second);
        assert!(first.len() >= MIN_SECRET_BYTES);
        let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_short_configured_secret_is_refused() {
        let mut config = Config::default();
        config.jwt.secret = Some("too-short".into());
        assert!(matches!(
            JwtKeys::from_config(&config),
            Err(KeyError::SecretTooShort)
        ));
    }
}
