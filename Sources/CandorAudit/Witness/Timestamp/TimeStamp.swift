import Crypto
import Foundation

/// RFC 3161 trusted time for checkpoints: the request a workspace POSTs to a time-stamping
/// authority (`application/timestamp-query`), and the checks of its answer (a DER
/// `TimeStampResp` holding a CMS SignedData, RFC 5652). The message imprint is the SHA-256 of
/// the checkpoint body (origin, size, root: what the log key signs), so the token stays valid
/// when cosignature lines are added to the note.
public enum TimeStamp {
    /// What a verified token says.
    public struct Info: Sendable, Equatable {
        /// The TSA's time (TSTInfo genTime), as written: `YYYYMMDDhhmmss[.f]Z`.
        public let genTime: String
        /// genTime as RFC 3339 UTC.
        public var genTimeRFC3339: String {
            let t = Array(genTime.utf8)
            guard t.count >= 15 else { return genTime }
            func s(_ a: Int, _ b: Int) -> String { String(decoding: t[a..<b], as: UTF8.self) }
            return "\(s(0, 4))-\(s(4, 6))-\(s(6, 8))T\(s(8, 10)):\(s(10, 12)):\(s(12, t.count - 1))Z"
        }
        public let serial: String
        public let nonce: [UInt8]?
    }

    /// DER TimeStampReq (RFC 3161 §2.4.1): version 1, SHA-256 message imprint of `body`,
    /// `nonce`, certReq true.
    public static func request(body: String, nonce: [UInt8]) -> [UInt8] {
        let alg = DER.encode(DER.sequence, DER.encode(DER.oid, OIDs.sha256) + DER.encode(DER.null, []))
        let imprint = DER.encode(DER.sequence, alg + DER.encode(DER.octetString, Array(SHA256.hash(data: Data(body.utf8)))))
        let content = DER.encode(DER.integer, [1]) + imprint + DER.unsignedInteger(nonce) + DER.encode(DER.boolean, [0xFF])
        return DER.encode(DER.sequence, content)
    }

    /// Checks a DER TimeStampResp for the checkpoint `body` against the pinned `tsa`
    /// certificate: status granted, a SignedData over a TSTInfo whose message imprint is the
    /// SHA-256 of `body` (and whose nonce is `nonce`, when given), signed attributes whose
    /// messageDigest is the digest of that TSTInfo, and their signature by the pinned
    /// certificate's key (the signer named by issuer and serial must be that certificate).
    /// Throws one line naming the first problem.
    public static func verify(response: [UInt8], body: String, tsa: TSACertificate, nonce: [UInt8]? = nil) throws -> Info {
        let resp = try DER.parse(response[...]).expect(DER.sequence, "time-stamp response").children()
        guard let statusInfo = try resp.first?.expect(DER.sequence, "time-stamp status").children(),
            let status = statusInfo.first, status.tag == DER.integer
        else { throw AuditError("time-stamp response: no status") }
        guard Array(status.content) == [0] || Array(status.content) == [1] else {
            throw AuditError("time-stamp response: status \(status.content.map(String.init).joined()) (not granted)")
        }
        guard resp.count >= 2 else { throw AuditError("time-stamp response: no token") }
        // ContentInfo { contentType signedData, [0] EXPLICIT SignedData }
        let ci = try resp[1].expect(DER.sequence, "time-stamp token").children()
        guard ci.count == 2, ci[0].tag == DER.oid, Array(ci[0].content) == OIDs.signedData,
            let sd = try ci[1].expect(DER.context(0), "time-stamp token").children().first
        else { throw AuditError("time-stamp token: not a CMS SignedData") }
        let fields = try sd.expect(DER.sequence, "SignedData").children()
        guard fields.count >= 4 else { throw AuditError("SignedData: too few fields") }
        // encapContentInfo { eContentType id-ct-TSTInfo, [0] EXPLICIT OCTET STRING }
        let eci = try fields[2].expect(DER.sequence, "encapContentInfo").children()
        guard eci.count == 2, Array(eci[0].content) == OIDs.tstInfo,
            let octets = try eci[1].expect(DER.context(0), "eContent").children().first, octets.tag == DER.octetString
        else { throw AuditError("time-stamp token: the content is not a TSTInfo") }
        let tstBytes = Array(octets.content)
        let info = try tstInfo(tstBytes, body: body, nonce: nonce)
        guard let signerInfos = fields.last, signerInfos.tag == DER.set, let signer = try signerInfos.children().first else {
            throw AuditError("SignedData: no signer")
        }
        try checkSigner(signer, content: tstBytes, tsa: tsa)
        return info
    }

    /// TSTInfo (RFC 3161 §2.4.2): version, policy, messageImprint, serialNumber, genTime, …, nonce.
    static func tstInfo(_ bytes: [UInt8], body: String, nonce: [UInt8]?) throws -> Info {
        let f = try DER.parse(bytes[...]).expect(DER.sequence, "TSTInfo").children()
        guard f.count >= 5 else { throw AuditError("TSTInfo: too few fields") }
        let mi = try f[2].expect(DER.sequence, "TSTInfo messageImprint").children()
        guard mi.count == 2, let alg = try mi[0].children().first, Array(alg.content) == OIDs.sha256 else {
            throw AuditError("time-stamp token: the message imprint is not SHA-256")
        }
        guard Array(mi[1].content) == Array(SHA256.hash(data: Data(body.utf8))) else {
            throw AuditError("time-stamp token: the message imprint is not the hash of this checkpoint")
        }
        let serial = Hex.encode(Array(try f[3].expect(DER.integer, "TSTInfo serialNumber").content))
        let time = String(decoding: try f[4].expect(DER.generalizedTime, "TSTInfo genTime").content, as: UTF8.self)
        let tokenNonce = f.dropFirst(5).first { $0.tag == DER.integer }.map { Array($0.content.drop { $0 == 0 }) }
        if let nonce, tokenNonce != Array(nonce.drop { $0 == 0 }) {
            throw AuditError("time-stamp token: the nonce is not the request's")
        }
        return Info(genTime: time, serial: serial, nonce: tokenNonce)
    }

    /// SignerInfo (RFC 5652 §5.3) with signed attributes: contentType TSTInfo, messageDigest of
    /// the content; the signature over the attributes' DER SET OF by the pinned certificate.
    static func checkSigner(_ signer: DER, content: [UInt8], tsa: TSACertificate) throws {
        let f = try signer.expect(DER.sequence, "SignerInfo").children()
        guard f.count >= 6 else { throw AuditError("SignerInfo: too few fields") }
        if f[1].tag == DER.sequence {  // issuerAndSerialNumber
            let sid = try f[1].children()
            guard sid.count == 2, Array(sid[0].whole) == tsa.issuer, Array(sid[1].content) == tsa.serial else {
                throw AuditError("time-stamp token: signed by another certificate than the pinned TSA certificate")
            }
        }
        guard let digestAlg = try f[2].expect(DER.sequence, "SignerInfo digestAlgorithm").children().first else {
            throw AuditError("SignerInfo: no digest algorithm")
        }
        let hash = Array(digestAlg.content)
        let attrs = try f[3].expect(DER.context(0), "SignerInfo signedAttrs")
        var contentType: [UInt8]?, messageDigest: [UInt8]?
        for a in try attrs.children() {
            let parts = try a.expect(DER.sequence, "attribute").children()
            guard parts.count == 2, let value = try parts[1].expect(DER.set, "attribute values").children().first else { continue }
            if Array(parts[0].content) == OIDs.contentTypeAttribute { contentType = Array(value.content) }
            if Array(parts[0].content) == OIDs.messageDigestAttribute { messageDigest = Array(value.content) }
        }
        guard contentType == OIDs.tstInfo else { throw AuditError("time-stamp token: signed attributes do not name a TSTInfo") }
        let digest: [UInt8]
        switch hash {
        case OIDs.sha256: digest = Array(SHA256.hash(data: Data(content)))
        case OIDs.sha384: digest = Array(SHA384.hash(data: Data(content)))
        case OIDs.sha512: digest = Array(SHA512.hash(data: Data(content)))
        default: throw AuditError("time-stamp token: unsupported digest algorithm")
        }
        guard messageDigest == digest else { throw AuditError("time-stamp token: the TSTInfo was altered (message digest differs)") }
        // The signature covers the signed attributes as a DER SET OF (tag 0x31, not [0]).
        let signed = [DER.set] + Array(attrs.whole.dropFirst())
        let signature = Array(try f[5].expect(DER.octetString, "SignerInfo signature").content)
        let ok: Bool
        do { ok = try tsa.verify(signature: signature, message: signed, hash: hash) } catch {
            throw AuditError("time-stamp token: signature cannot be checked (\(error))")
        }
        guard ok else { throw AuditError("time-stamp token: the signature is not by the pinned TSA certificate") }
    }
}
