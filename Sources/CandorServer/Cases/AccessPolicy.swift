/// Who may do what with which case: the whole rule set in one place.
///
/// - investigator: read and upload in the cases assigned to them, nothing else;
/// - supervisor: read every case, record reviews (no uploads);
/// - researcher: no case data (de-identified feature tables only, `GET /api/v1/features`);
/// - admin: no case data (manages accounts).
public enum AccessPolicy {
    public static func allows(_ role: Role, _ action: CaseAction, assigned: Bool) -> Bool {
        switch (role, action) {
        case (.investigator, .read), (.investigator, .upload): return assigned
        case (.supervisor, .read), (.supervisor, .review): return true
        default: return false
        }
    }

    /// Whether the role lists cases it is not assigned to.
    public static func seesAllCases(_ role: Role) -> Bool { role == .supervisor }
}
