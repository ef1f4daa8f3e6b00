//! TLS to the PostgreSQL server with rustls, as libpq's `sslmode` says: `require` encrypts and
//! trusts any certificate (libpq's meaning; with `sslrootcert` it verifies the chain, as libpq
//! does when a root certificate is given); `verify-ca` checks the chain against `sslrootcert`
//! (else `PGSSLROOTCERT`, else the platform's trust store); `verify-full` also checks that the
//! certificate names the host. Without `sslmode` (or with `disable`/`prefer`) the connection is
//! plain, as before. Owns the URL's TLS parameters, the certificate verifiers and the
//! classification of a refused certificate; must not import egui or tokio.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::StoreError;

/// How the connection uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No TLS (no `sslmode`, or `disable`/`prefer`).
    Plain,
    /// Encrypted; the certificate is not checked (unless a root certificate is given).
    Require,
    /// Encrypted; the chain must lead to a trusted root.
    VerifyCa,
    /// Encrypted; trusted chain and the certificate names the host.
    VerifyFull,
}

impl TlsMode {
    /// The `sslmode` value.
    pub fn name(self) -> &'static str {
        match self {
            TlsMode::Plain => "disable",
            TlsMode::Require => "require",
            TlsMode::VerifyCa => "verify-ca",
            TlsMode::VerifyFull => "verify-full",
        }
    }
}

/// The TLS part of a `postgres://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsParams {
    /// `sslmode`.
    pub mode: TlsMode,
    /// `sslrootcert` (else `PGSSLROOTCERT`): PEM file of the roots to trust.
    pub root_cert: Option<PathBuf>,
}

/// Split `sslmode` and `sslrootcert` off the URL's query (the `postgres` crate knows neither
/// `verify-*` nor `sslrootcert`): the URL without them, and what they said.
pub fn split_tls_params(url: &str) -> Result<(String, TlsParams), String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut mode = TlsMode::Plain;
    let mut root_cert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "sslmode" => {
                mode = match percent_decode(v).as_str() {
                    "disable" | "allow" | "prefer" => TlsMode::Plain,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode \"{other}\" is not one of disable, prefer, require, verify-ca, verify-full"
                        ));
                    }
                }
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(v))),
            _ => kept.push(pair),
        }
    }
    let root_cert = root_cert.or_else(|| {
        std::env::var_os("PGSSLROOTCERT")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, TlsParams { mode, root_cert }))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The rustls client configuration for `params` (`None`: plain connection).
pub fn client_config(params: &TlsParams) -> Result<Option<rustls::ClientConfig>, StoreError> {
    let tls_err = |e: String| StoreError::Tls(e);
    let verifier: Arc<dyn ServerCertVerifier> = match (params.mode, &params.root_cert) {
        (TlsMode::Plain, _) => return Ok(None),
        (TlsMode::Require, None) => Arc::new(Lenient {
            provider: provider(),
            chain: None,
        }),
        (TlsMode::VerifyCa | TlsMode::VerifyFull, None) => {
            use rustls_platform_verifier::ConfigVerifierExt as _;
            return rustls::ClientConfig::with_platform_verifier()
                .map(Some)
                .map_err(|e| tls_err(e.to_string()));
        }
        (mode, Some(root)) => {
            let roots = load_roots(root)?;
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(|e| tls_err(e.to_string()))?;
            if mode == TlsMode::VerifyFull {
                webpki
            } else {
                Arc::new(Lenient {
                    provider: provider(),
                    chain: Some(webpki),
                })
            }
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Some(config))
}

fn load_roots(path: &Path) -> Result<rustls::RootCertStore, StoreError> {
    let bad = |why: String| {
        StoreError::Tls(format!(
            "根证书 {0} 无法读取 / cannot read the root certificate {0} (sslrootcert): {why}",
            path.display()
        ))
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(e.to_string()))? {
        roots
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    Ok(roots)
}

/// The certificate error inside a failed connection, when a certificate was refused.
pub fn refused_certificate(e: &postgres::Error) -> Option<String> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = src {
        let tls = err.downcast_ref::<rustls::Error>().or_else(|| {
            err.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidCertificate(c)) = tls {
            return Some(format!("{c:?}"));
        }
        src = err.source();
    }
    None
}

/// The server certificate check of `require` and `verify-ca`. Without `chain` (`require`
/// without a root certificate): encryption against eavesdropping, no check of who answers
/// (libpq's meaning). With it: the chain must lead to a given root; the host name is not
/// compared. Handshake signatures are always verified.
#[derive(Debug)]
struct Lenient {
    provider: Arc<CryptoProvider>,
    chain: Option<Arc<rustls::client::WebPkiServerVerifier>>,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_split_off_the_url() {
        let (url, p) =
            split_tls_params("postgres://u@h:5/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&connect_timeout=3")
                .unwrap();
        assert_eq!(url, "postgres://u@h:5/db?connect_timeout=3");
        assert_eq!(p.mode, TlsMode::VerifyFull);
        assert_eq!(p.root_cert.as_deref(), Some(Path::new("/tmp/ca.crt")));
        let (url, p) = split_tls_params("postgres://u@h/db?sslmode=require").unwrap();
        assert_eq!((url.as_str(), p.mode), ("postgres://u@h/db", TlsMode::Require));
        let (_, p) = split_tls_params("postgres://u@h/db").unwrap();
        assert_eq!(p.mode, TlsMode::Plain);
        assert!(
            split_tls_params("postgres://u@h/db?sslmode=bogus")
                .unwrap_err()
                .contains("bogus")
        );
    }
}
