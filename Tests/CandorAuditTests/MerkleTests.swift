import Testing
@testable import CandorAudit

/// RFC 6962 reference vectors (the certificate-transparency reference tree of eight leaves).
enum RFC6962Vectors {
    static let leaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ].map { Hex.decode($0)! }
    static let roots: [String] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    /// (leaf index, tree size, audit path)
    static let inclusion: [(Int, Int, [String])] = [
        (0, 1, []),
        (
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
    ]
    /// (size1, size2, consistency proof)
    static let consistency: [(Int, Int, [String])] = [
        (1, 1, []),
        (
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
        (
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        ),
        (
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        ),
        (
            3, 8,
            [
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        ),
    ]
    static var leafHashes: [Merkle.Hash] { leaves.map(Merkle.leafHash) }
    static func root(_ n: Int) -> Merkle.Hash { Hex.decode(roots[n - 1])! }
}

@Suite struct MerkleTests {
    typealias V = RFC6962Vectors

    @Test func emptyTreeRootIsSHA256OfEmptyString() {
        #expect(Hex.encode(Merkle.root([Merkle.Hash]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func rootsMatchReferenceVectors() {
        for n in 1...8 {
            #expect(Hex.encode(Merkle.root(Array(V.leafHashes.prefix(n)))) == V.roots[n - 1], "size \(n)")
        }
    }

    @Test func inclusionProofsMatchAndVerify() {
        for (index, size, pathHex) in V.inclusion {
            let path = pathHex.map { Hex.decode($0)! }
            let leaves = Array(V.leafHashes.prefix(size))
            #expect(Merkle.inclusionProof(index: index, leaves: leaves) == path, "generated proof \(index)/\(size)")
            #expect(Merkle.verifyInclusion(index: index, size: size, leafHash: leaves[index], proof: path, root: V.root(size)))
        }
    }

    @Test func mutatedInclusionProofsAreRejected() {
        let empty = Merkle.emptyRoot
        for (index, size, pathHex) in V.inclusion {
            let proof = pathHex.map { Hex.decode($0)! }
            let leaf = V.leafHashes[index]
            let root = V.root(size)
            func ok(_ i: Int, _ n: Int, _ p: [Merkle.Hash], _ r: Merkle.Hash = root, _ l: Merkle.Hash = leaf) -> Bool {
                Merkle.verifyInclusion(index: i, size: n, leafHash: l, proof: p, root: r)
            }
            // Wrong index.
            #expect(!ok(index - 1, size, proof))
            #expect(!ok(index + 1, size, proof))
            #expect(!ok(index ^ 2, size, proof))
            // Wrong tree size.
            #expect(!ok(index, size * 2, proof))
            #expect(!ok(index, size / 2, proof))
            // Wrong leaf, wrong root.
            #expect(!ok(index, size, proof, root, Merkle.leafHash(Array("WrongLeaf".utf8))))
            #expect(!ok(index, size, proof, empty))
            // Each element replaced; each element with one flipped bit.
            for i in proof.indices {
                var p = proof
                p[i] = empty
                #expect(!ok(index, size, p))
                p = proof
                p[i][7] ^= 0x10
                #expect(!ok(index, size, p))
            }
            // Extra hashes at either end, a missing hash.
            #expect(!ok(index, size, proof + [[]]))
            #expect(!ok(index, size, proof + [root]))
            #expect(!ok(index, size, [[]] + proof))
            #expect(!ok(index, size, [root] + proof))
            if !proof.isEmpty { #expect(!ok(index, size, Array(proof.dropLast()))) }
        }
        // Size 0 and out-of-range indices.
        #expect(!Merkle.verifyInclusion(index: 0, size: 0, leafHash: V.leafHashes[0], proof: [], root: Merkle.emptyRoot))
        #expect(!Merkle.verifyInclusion(index: 1, size: 1, leafHash: V.leafHashes[0], proof: [], root: V.root(1)))
        #expect(!Merkle.verifyInclusion(index: 2, size: 1, leafHash: V.leafHashes[0], proof: [], root: V.root(1)))
        #expect(Merkle.inclusionProof(index: 0, leaves: []) == nil)
    }

    @Test func consistencyProofsMatchAndVerify() {
        for (m, n, pathHex) in V.consistency {
            let proof = pathHex.map { Hex.decode($0)! }
            #expect(Merkle.consistencyProof(oldSize: m, leaves: Array(V.leafHashes.prefix(n))) == proof, "generated \(m)->\(n)")
            #expect(Merkle.verifyConsistency(size1: m, size2: n, root1: V.root(m), root2: V.root(n), proof: proof))
        }
    }

    @Test func mutatedConsistencyProofsAreRejected() {
        let empty = Merkle.emptyRoot
        for (m, n, pathHex) in V.consistency where !pathHex.isEmpty {
            let proof = pathHex.map { Hex.decode($0)! }
            let r1 = V.root(m), r2 = V.root(n)
            func ok(_ a: Int, _ b: Int, _ p: [Merkle.Hash], _ x: Merkle.Hash = r1, _ y: Merkle.Hash = r2) -> Bool {
                Merkle.verifyConsistency(size1: a, size2: b, root1: x, root2: y, proof: p)
            }
            #expect(!ok(m - 1, n, proof))
            #expect(!ok(m + 1, n, proof))
            #expect(!ok(m ^ 2, n, proof))
            #expect(!ok(m, n * 2, proof))
            #expect(!ok(m, n / 2, proof))
            #expect(!ok(m, n, proof, Array("WrongRoot".utf8)))
            #expect(!ok(m, n, proof, r1, Array("WrongRoot".utf8)))
            #expect(!ok(m, n, proof, r2, r1))
            #expect(!ok(m, n, []))
            for i in proof.indices {
                var p = proof
                p[i] = empty
                #expect(!ok(m, n, p))
                p = proof
                p[i][0] ^= 0x01
                #expect(!ok(m, n, p))
            }
            #expect(!ok(m, n, proof + [[]]))
            #expect(!ok(m, n, proof + [r1]))
            #expect(!ok(m, n, Array(proof.dropLast())))
            #expect(!ok(m, n, [[]] + proof))
            #expect(!ok(m, n, [proof[0]] + proof))
        }
        // Trivial and time-travel cases.
        #expect(Merkle.verifyConsistency(size1: 0, size2: 0, root1: empty, root2: empty, proof: []))
        #expect(Merkle.verifyConsistency(size1: 0, size2: 3, root1: empty, root2: V.root(3), proof: []))
        #expect(!Merkle.verifyConsistency(size1: 1, size2: 0, root1: V.root(1), root2: empty, proof: []))
        #expect(!Merkle.verifyConsistency(size1: 2, size2: 1, root1: V.root(2), root2: V.root(1), proof: []))
        #expect(!Merkle.verifyConsistency(size1: 1, size2: 2, root1: V.root(1), root2: V.root(2), proof: []))
        #expect(!Merkle.verifyConsistency(size1: 1, size2: 1, root1: V.root(1), root2: V.root(2), proof: []))
        #expect(!Merkle.verifyConsistency(size1: 1, size2: 1, root1: V.root(1), root2: V.root(1), proof: [empty]))
        #expect(!Merkle.verifyConsistency(size1: 0, size2: 1, root1: empty, root2: V.root(1), proof: [empty]))
    }

    /// Every generated proof for every (index, size) and (m, n) up to 40 leaves verifies.
    @Test func allGeneratedProofsVerify() {
        let leaves = (0..<40).map { Merkle.leafHash([UInt8($0)]) }
        for n in 1...40 {
            let tree = Array(leaves.prefix(n))
            let root = Merkle.root(tree)
            for i in 0..<n {
                let p = Merkle.inclusionProof(index: i, leaves: tree)!
                #expect(Merkle.verifyInclusion(index: i, size: n, leafHash: tree[i], proof: p, root: root))
            }
            for m in 0...n {
                let p = Merkle.consistencyProof(oldSize: m, leaves: tree)!
                #expect(Merkle.verifyConsistency(size1: m, size2: n, root1: Merkle.root(Array(tree.prefix(m))), root2: root, proof: p))
            }
        }
    }
}
