import Crypto

/// The RFC 6962 / RFC 9162 Merkle tree over SHA-256: leaf = H(0x00 ‖ d), node = H(0x01 ‖ L ‖ R),
/// and the root of the empty tree is H("").
public enum Merkle {
    public typealias Hash = [UInt8]

    public static func sha256(_ bytes: [UInt8]) -> Hash { Array(SHA256.hash(data: bytes)) }

    public static func leafHash(_ data: [UInt8]) -> Hash {
        var h = SHA256()
        h.update(data: [0x00])
        h.update(data: data)
        return Array(h.finalize())
    }

    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        var h = SHA256()
        h.update(data: [0x01])
        h.update(data: left)
        h.update(data: right)
        return Array(h.finalize())
    }

    public static var emptyRoot: Hash { sha256([]) }

    /// Largest power of two strictly less than n (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH over already-hashed leaves.
    public static func root(_ leaves: ArraySlice<Hash>) -> Hash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves[leaves.startIndex]
        default:
            let k = split(leaves.count)
            let s = leaves.startIndex
            return nodeHash(root(leaves[s..<s + k]), root(leaves[(s + k)...]))
        }
    }

    public static func root(_ leaves: [Hash]) -> Hash { root(leaves[...]) }

    /// RFC 6962 PATH(m, D[n]): the audit path for leaf `index`.
    public static func inclusionProof(index: Int, leaves: [Hash]) -> [Hash]? {
        guard index >= 0, index < leaves.count else { return nil }
        return path(index, leaves[...])
    }

    private static func path(_ m: Int, _ d: ArraySlice<Hash>) -> [Hash] {
        guard d.count > 1 else { return [] }
        let k = split(d.count)
        let s = d.startIndex
        if m < k { return path(m, d[s..<s + k]) + [root(d[(s + k)...])] }
        return path(m - k, d[(s + k)...]) + [root(d[s..<s + k])]
    }

    /// RFC 6962 PROOF(m, D[n]): consistency proof from the tree of size m to the tree of all leaves.
    public static func consistencyProof(oldSize m: Int, leaves: [Hash]) -> [Hash]? {
        guard m >= 0, m <= leaves.count else { return nil }
        if m == 0 || m == leaves.count { return [] }
        return subproof(m, leaves[...], true)
    }

    private static func subproof(_ m: Int, _ d: ArraySlice<Hash>, _ complete: Bool) -> [Hash] {
        let n = d.count
        if m == n { return complete ? [] : [root(d)] }
        let k = split(n)
        let s = d.startIndex
        if m <= k { return subproof(m, d[s..<s + k], complete) + [root(d[(s + k)...])] }
        return subproof(m - k, d[(s + k)...], false) + [root(d[s..<s + k])]
    }

    /// RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its inclusion proof.
    public static func rootFromInclusionProof(index: Int, size: Int, leafHash: Hash, proof: [Hash]) -> Hash? {
        guard index >= 0, index < size, leafHash.count == 32 else { return nil }
        var fn = UInt64(index), sn = UInt64(size - 1)
        var r = leafHash
        for p in proof {
            guard p.count == 32, sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    public static func verifyInclusion(index: Int, size: Int, leafHash: Hash, proof: [Hash], root: Hash) -> Bool {
        guard let r = rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof) else { return false }
        return r == root
    }

    /// RFC 9162 §2.1.4.2: does `proof` show the tree (size1, root1) is a prefix of (size2, root2)?
    public static func verifyConsistency(size1: Int, size2: Int, root1: Hash, root2: Hash, proof: [Hash]) -> Bool {
        guard size1 >= 0, size2 >= size1 else { return false }
        if size1 == size2 { return proof.isEmpty && root1 == root2 }
        if size1 == 0 { return proof.isEmpty }
        guard !proof.isEmpty, proof.allSatisfy({ $0.count == 32 }) else { return false }
        var path = proof
        if size1 & (size1 - 1) == 0 { path.insert(root1, at: 0) }
        var fn = UInt64(size1 - 1), sn = UInt64(size2 - 1)
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && fr == root1 && sr == root2
    }
}

// MARK: - Small encoding helpers shared by the audit code.

public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict lowercase-or-uppercase hex decoding; nil on any other character or odd length.
    public static func decode(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var i = 0
        while i < u.count {
            guard let hi = v(u[i]), let lo = v(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
