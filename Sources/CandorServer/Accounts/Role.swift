/// What an account may do. Investigators see and upload to their assigned cases; supervisors
/// see every case and record reviews; researchers get de-identified feature tables only;
/// admins manage accounts (and see no case data).
public enum Role: String, Sendable, Codable, CaseIterable {
    case investigator, supervisor, researcher, admin
}
