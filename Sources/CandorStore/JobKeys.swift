import Crypto

/// Hashes that make up a job's identity.
public enum JobKeys {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    /// The models part of a job key: SHA-256 over "id sha256\n" lines sorted by id
    /// (the empty list, for an analysis that scores with no model, has a fixed hash too).
    public static func modelsHash(_ models: [(id: String, sha256: String)]) -> String {
        let lines = models.sorted { $0.id < $1.id }.map { "\($0.id) \($0.sha256)\n" }.joined()
        return sha256Hex(Array(lines.utf8))
    }

    /// A random hex string (claim tokens, worker ids).
    public static func randomHex(bytes: Int = 16) -> String {
        var g = SystemRandomNumberGenerator()
        return hex((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension ClaimedJob {
    /// The job's identity as one hex string: SHA-256 of "input sha256, parameters hash,
    /// models hash". Session-log records of the job carry it (`batch_job`), which makes
    /// their append idempotent per job and session.
    public var key: String {
        JobKeys.sha256Hex(Array("\(inputSHA256)\n\(JobKeys.sha256Hex(Array(parametersJSON.utf8)))\n\(modelsHash)\n".utf8))
    }
}
