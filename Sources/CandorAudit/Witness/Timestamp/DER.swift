/// The few DER (ITU-T X.690) pieces RFC 3161 and RFC 5652 need: reading tag-length-value
/// elements (single-byte tags, definite lengths only) and writing the time-stamp request.
struct DER {
    let tag: UInt8
    /// The value bytes.
    let content: ArraySlice<UInt8>
    /// Tag, length and value, as they appear in the input.
    let whole: ArraySlice<UInt8>

    static let integer: UInt8 = 0x02, octetString: UInt8 = 0x04, null: UInt8 = 0x05, oid: UInt8 = 0x06
    static let sequence: UInt8 = 0x30, set: UInt8 = 0x31, generalizedTime: UInt8 = 0x18, boolean: UInt8 = 0x01
    static func context(_ n: UInt8, constructed: Bool = true) -> UInt8 { 0x80 | (constructed ? 0x20 : 0) | n }

    /// Reads one element from the front of `bytes`.
    static func read(_ bytes: ArraySlice<UInt8>) throws -> (DER, rest: ArraySlice<UInt8>) {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { throw AuditError("DER: unexpected end") }
        let tag = bytes[i]
        guard tag & 0x1F != 0x1F else { throw AuditError("DER: multi-byte tags are not used here") }
        i += 1
        guard i < bytes.endIndex else { throw AuditError("DER: no length") }
        var length = Int(bytes[i])
        i += 1
        if length & 0x80 != 0 {
            let n = length & 0x7F
            guard n >= 1, n <= 4, bytes.endIndex - i >= n else { throw AuditError("DER: bad length") }
            length = 0
            for _ in 0..<n {
                length = length << 8 | Int(bytes[i])
                i += 1
            }
            guard length >= 0x80 else { throw AuditError("DER: length not minimal") }
        }
        guard bytes.endIndex - i >= length else { throw AuditError("DER: element longer than its input") }
        let end = i + length
        return (DER(tag: tag, content: bytes[i..<end], whole: bytes[bytes.startIndex..<end]), bytes[end...])
    }

    /// The one element that is all of `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> DER {
        let (e, rest) = try read(bytes)
        guard rest.isEmpty else { throw AuditError("DER: trailing bytes") }
        return e
    }

    /// The elements inside a constructed element.
    func children() throws -> [DER] {
        var out: [DER] = []
        var rest = content
        while !rest.isEmpty {
            let (e, r) = try DER.read(rest)
            out.append(e)
            rest = r
        }
        return out
    }

    /// This element, which must have `tag`, else an error naming `what`.
    func expect(_ tag: UInt8, _ what: String) throws -> DER {
        guard self.tag == tag else { throw AuditError("\(what): unexpected ASN.1 element") }
        return self
    }

    // MARK: writing

    static func encode(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var len: [UInt8] = []
            var v = n
            while v > 0 {
                len.insert(UInt8(v & 0xFF), at: 0)
                v >>= 8
            }
            out.append(0x80 | UInt8(len.count))
            out += len
        }
        return out + content
    }

    /// A non-negative INTEGER from big-endian bytes (a leading zero added when the top bit is set).
    static func unsignedInteger(_ bytes: [UInt8]) -> [UInt8] {
        var b = Array(bytes.drop { $0 == 0 })
        if b.isEmpty || b[0] & 0x80 != 0 { b.insert(0, at: 0) }
        return encode(integer, b)
    }
}
