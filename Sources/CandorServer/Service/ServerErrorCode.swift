/// The stable, machine-readable kind of a refused request: the API's `code` field (beside the
/// English `error` line) and the key of the web UI's message in the page's language. The raw
/// values are part of the API contract (docs/openapi.json): never rename one.
public enum ServerErrorCode: String, Sendable, CaseIterable {
    // 400
    case invalidRequest = "invalid_request"
    case invalidID = "invalid_id"
    case invalidOption = "invalid_option"
    case malformedForm = "malformed_form"
    case missingRecording = "missing_recording"
    case emptyUpload = "empty_upload"
    case invalidReview = "invalid_review"
    // 401
    case signInRequired = "sign_in_required"
    case signInFailed = "sign_in_failed"
    case sessionExpired = "session_expired"
    case accountDisabled = "account_disabled"
    // 403
    case forbidden = "forbidden"
    case csrfRefused = "csrf_refused"
    case crossOrigin = "cross_origin"
    // 404
    case notFound = "not_found"
    case jobNotFound = "job_not_found"
    case sessionNotFound = "session_not_found"
    case analysisNotReady = "analysis_not_ready"
    case segmentsNotFound = "segments_not_found"
    // 413, 415, 422
    case tooLarge = "too_large"
    case unsupportedType = "unsupported_type"
    case recordingUnreadable = "recording_unreadable"
    case invalidRoles = "invalid_roles"
    case segmentsUnusable = "segments_unusable"
    case segmentsMismatch = "segments_mismatch"
    // 429, 500
    case throttled = "throttled"
    case accessNotRecorded = "access_not_recorded"
    case internalError = "internal_error"

    /// The general code of a status, for errors that name no code of their own.
    public static func general(_ status: Int) -> ServerErrorCode {
        switch status {
        case 401: return .signInRequired
        case 403: return .forbidden
        case 404: return .notFound
        case 413: return .tooLarge
        case 415: return .unsupportedType
        case 422: return .recordingUnreadable
        case 429: return .throttled
        case 400..<500: return .invalidRequest
        default: return .internalError
        }
    }

    /// Whether the English message carries a detail the user can act on and that names no
    /// server path (a segments reader's line and problem): the web UI then offers it below
    /// the message in the page's language.
    public var detailIsForTheUser: Bool { self == .segmentsUnusable || self == .segmentsMismatch }
}
