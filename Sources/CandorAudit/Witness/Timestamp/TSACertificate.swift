import Crypto
import Foundation
import _CryptoExtras

/// The pinned certificate of a time-stamping authority (X.509, RFC 5280): the parts needed to
/// check a token's signature (public key) and signer (issuer and serial number).
public struct TSACertificate: Sendable, Equatable {
    public let der: [UInt8]
    let issuer: [UInt8]
    let serial: [UInt8]
    let spki: [UInt8]

    /// Reads the first `CERTIFICATE` block of a PEM text (or DER bytes).
    public init(pemOrDER bytes: [UInt8]) throws {
        if let text = String(validating: bytes, as: UTF8.self), text.contains("-----BEGIN CERTIFICATE-----") {
            guard let b = text.range(of: "-----BEGIN CERTIFICATE-----"), let e = text.range(of: "-----END CERTIFICATE-----"),
                b.upperBound <= e.lowerBound,
                let der = Base64.decode(text[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace })
            else { throw AuditError("TSA certificate: malformed PEM") }
            try self.init(der: der)
        } else {
            try self.init(der: bytes)
        }
    }

    public init(der: [UInt8]) throws {
        do {
            let cert = try DER.parse(der[...]).expect(DER.sequence, "certificate")
            guard let tbs = try cert.children().first?.expect(DER.sequence, "certificate") else { throw AuditError("certificate: empty") }
            var f = try tbs.children()
            if f.first?.tag == DER.context(0) { f.removeFirst() }  // version
            guard f.count >= 6 else { throw AuditError("certificate: too few fields") }
            // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
            serial = Array(try f[0].expect(DER.integer, "certificate serial").content)
            issuer = Array(try f[2].expect(DER.sequence, "certificate issuer").whole)
            spki = Array(try f[5].expect(DER.sequence, "certificate public key").whole)
            self.der = der
        } catch { throw AuditError("TSA certificate: \(error)") }
    }

    /// SHA-256 of the DER certificate, first 4 bytes: names the timestamp line of this TSA.
    public var keyID: [UInt8] { Array(Merkle.sha256(der).prefix(4)) }

    /// Verifies `signature` over `message` (hashed with `hash`, an OID) with the certificate's key:
    /// ECDSA P-256/P-384, or RSA PKCS #1 v1.5.
    func verify(signature: [UInt8], message: [UInt8], hash: [UInt8]) throws -> Bool {
        let alg = try DER.parse(spki[...]).children().first?.children() ?? []
        guard let keyType = alg.first?.content else { throw AuditError("TSA certificate: no key algorithm") }
        let data = Data(message)
        func digest() throws -> any Digest {
            switch hash {
            case OIDs.sha256: return SHA256.hash(data: data)
            case OIDs.sha384: return SHA384.hash(data: data)
            case OIDs.sha512: return SHA512.hash(data: data)
            default: throw AuditError("unsupported digest algorithm")
            }
        }
        let d = try digest()
        if Array(keyType) == OIDs.ecPublicKey {
            let curve = alg.count > 1 ? Array(alg[1].content) : []
            if curve == OIDs.p256 {
                let key = try P256.Signing.PublicKey(derRepresentation: spki)
                let sig = try P256.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(sig, for: d)
            }
            if curve == OIDs.p384 {
                let key = try P384.Signing.PublicKey(derRepresentation: spki)
                let sig = try P384.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(sig, for: d)
            }
            throw AuditError("TSA certificate: unsupported elliptic curve")
        }
        if Array(keyType) == OIDs.rsaEncryption {
            let key = try _RSA.Signing.PublicKey(derRepresentation: spki)
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            return key.isValidSignature(sig, for: d, padding: .insecurePKCS1v1_5)
        }
        throw AuditError("TSA certificate: unsupported key type (ECDSA P-256/P-384 or RSA)")
    }
}
