/// One language's catalogue of every text the web UI shows (sign-in, cases, session, upload,
/// job, review form, errors). A new language is a new instance: the memberwise initialiser
/// makes a missing text a compile error. Templates carry numbered placeholders `{0}`, `{1}`…
/// filled by ``fill(_:_:)``. Record types and ids stay as they are (they are identifiers, the
/// same words as the API and the logs). Errors are shown by their ``ServerErrorCode``, in the
/// page's language (`errorMessages`), never by the API's English message.
struct WebStrings: Sendable {
    // Layout
    var navCases: String
    var navUpload: String
    var signOut: String
    var switchLanguage: String
    var footer: String
    var roleNames: [Role: String]
    // Sign-in
    var signInTitle: String
    var userName: String
    var password: String
    var signInButton: String
    var loginFailed: String
    var loginThrottled: String
    var crossSiteSignIn: String
    var sessionEnded: String
    // Cases
    var casesTitle: String
    var noCaseYet: String
    var noCaseAccess: String
    var columnCase: String
    var columnSessions: String
    var columnInvestigators: String
    var noSessionYet: String
    // Session
    var sessionTitle: String
    var reportLink: String
    var reportNote: String
    var auditTimeline: String
    var logIntact: String
    var verificationFailed: String
    var columnTime: String
    var columnType: String
    var columnSignedBy: String
    var columnUser: String
    var columnDetails: String
    var columnSignature: String
    var signatureStatus: [String: String]
    var witnesses: String
    var noWitness: String
    var witnessCosigned: String
    var witnessNotCosigned: String
    var reviewRecorded: String
    // Review form
    var reviewTitle: String
    var reviewRecord: String
    var reviewKind: String
    var reviewKinds: [String: String]
    var reviewValue: String
    var reviewNote: String
    var reviewButton: String
    // Upload
    var uploadTitle: String
    var uploadCase: String
    var uploadSession: String
    var uploadRoles: String
    var uploadRecording: String
    var uploadSegments: String
    var uploadMethod: String
    var uploadMethods: [String: String]
    var uploadPitchRange: String
    var uploadPitchRanges: [String: String]
    var uploadButton: String
    var uploadProgress: String
    // Job
    var jobTitle: String
    var jobState: String
    var jobStates: [String: String]
    var openSession: String
    var jobRefreshing: String
    var jobFailed: String
    // Errors
    var errorTitles: [Int: String]
    var errorOther: String
    /// One text per ``ServerErrorCode`` (by raw value), with the error's `args` as placeholders.
    var errorMessages: [String: String]
    var errorTechnicalDetail: String
    var backToCases: String

    /// `template` with `{k}` replaced by `values[k]`.
    static func fill(_ template: String, _ values: [String]) -> String {
        var out = template
        for (k, v) in values.enumerated() { out = out.replacingOccurrences(of: "{\(k)}", with: v) }
        return out
    }
}
