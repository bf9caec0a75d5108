import CandorAudit

/// A session's audit log as the service shows it: the verifier's result, each record with
/// its signature status, and the witnesses' cosignatures on the latest checkpoint.
public struct SessionAudit: Sendable {
    public enum RecordStatus: String, Sendable {
        /// Verified (signature, chain, and inclusion in the signed checkpoint).
        case verified
        /// The record where verification failed.
        case failed
        /// After a failure: not checked.
        case unchecked
    }

    public struct Record: Sendable {
        public var seq: Int
        public var status: RecordStatus
        public var fields: AuditJSON
    }

    public struct Witness: Sendable {
        public var name: String
        public var url: String
        /// Unix time of its cosignature on the latest checkpoint, nil if it has not cosigned it.
        public var cosignedAt: UInt64?
    }

    public var intact: Bool
    public var size: Int
    public var root: String
    public var failure: String?
    public var checkpoint: String?
    public var records: [Record]
    public var witnesses: [Witness]
}
