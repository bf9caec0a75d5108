import Foundation

/// A labelled feature table: CSV with `id,speaker,group,label,<features…>`. Empty cells and
/// NA/NaN are missing values.
public struct LabelledTable: Sendable {
    public var path: String
    public var sha256: String
    public var ids: [String]
    public var speakers: [String]
    public var groups: [String]
    public var labels: [Int]
    public var featureNames: [String]
    /// rows[i][j] is feature j of row i.
    public var rows: [[Double?]]
    /// 1-based CSV line of each row, for messages.
    public var lines: [Int]

    public var count: Int { labels.count }

    public static let fixedColumns = ["id", "speaker", "group", "label"]

    public static func read(path: String) throws -> LabelledTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelInputError(path: path, "cannot read file (\(error.localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ModelInputError(path: path, "not UTF-8 text") }
        var table = try parse(text, path: path)
        table.sha256 = SHA256Digest.hex(data)
        return table
    }

    public static func parse(_ text: String, path: String) throws -> LabelledTable {
        let records = try CSVReader.parse(text, path: path)
        guard let header = records.first else {
            throw ModelInputError(path: path, "empty file; expected the header id,speaker,group,label,<features…>")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count > 4, names.prefix(4).map({ $0.lowercased() }) == fixedColumns else {
            throw ModelInputError(
                path: path, line: header.line, "header must start with id,speaker,group,label and name at least one feature")
        }
        let featureNames = Array(names.dropFirst(4))
        if let dup = Dictionary(grouping: featureNames, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ModelInputError(path: path, line: header.line, "feature column '\(dup)' appears twice")
        }
        if let empty = featureNames.firstIndex(where: \.isEmpty) {
            throw ModelInputError(path: path, line: header.line, "column \(empty + 5) has no name")
        }
        var t = LabelledTable(
            path: path, sha256: "", ids: [], speakers: [], groups: [], labels: [],
            featureNames: featureNames, rows: [], lines: [])
        for r in records.dropFirst() {
            guard r.fields.count == names.count else {
                throw ModelInputError(path: path, line: r.line, "\(r.fields.count) fields, header has \(names.count)")
            }
            let f = r.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !f[1].isEmpty else { throw ModelInputError(path: path, line: r.line, "empty speaker") }
            t.ids.append(f[0])
            t.speakers.append(f[1])
            t.groups.append(f[2])
            t.labels.append(try ScoresTable.parseLabel(f[3], path: path, line: r.line))
            var row: [Double?] = []
            for (j, cell) in f.dropFirst(4).enumerated() {
                guard let v = CSVReader.optionalNumber(cell) else {
                    throw ModelInputError(path: path, line: r.line, "\(featureNames[j]) = '\(cell)' is not a number")
                }
                row.append(v)
            }
            t.rows.append(row)
            t.lines.append(r.line)
        }
        guard !t.labels.isEmpty else { throw ModelInputError(path: path, "no data rows after the header") }
        return t
    }
}
